// Typed access to the extension's settings (contributes.configuration in package.json).
import * as vscode from 'vscode';
import type { NetworkMode } from '../buildkit/types';

export const SECTION = 'buildkitLens';

export type ContextRoot = 'workspaceFolder' | 'dockerfileFolder';

/** Which open panel a new build may take over: any finished one, only one of the same Dockerfile and target, or none. */
export type PanelReuse = 'finished' | 'sameDockerfile' | 'never';

export type ProvenanceSetting = 'default' | 'off' | 'min' | 'max';

export interface Config {
  engineHost: string;
  network: NetworkMode;
  tagPattern: string;
  buildArgs: Record<string, string>;
  /** buildkitLens.build.contexts: name → folder or source, unchecked */
  contexts: Record<string, string>;
  platforms: string[];
  /** raw buildx --secret entries; see secretSettings.ts */
  secrets: unknown[];
  /** raw buildx --ssh entries */
  ssh: unknown[];
  /** buildkitLens.build.provenance: as `docker build` (default), off, or min / max asked for */
  provenance: ProvenanceSetting;
  contextRoot: ContextRoot;
  codeLens: boolean;
  decorations: boolean;
  revealPanel: boolean;
  panelReuse: PanelReuse;
}

export function readConfig(scope?: vscode.ConfigurationScope): Config {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const network = c.get<string>('build.network', 'default');
  return {
    engineHost: c.get<string>('engine.host', '').trim(),
    network: network === 'none' || network === 'host' ? network : 'default',
    tagPattern: c.get<string>('build.tagPattern', '${folder}:${stage}'),
    buildArgs: stringRecord(c.get<Record<string, unknown>>('build.args', {})),
    contexts: stringRecord(c.get<Record<string, unknown>>('build.contexts', {})),
    platforms: (c.get<string[]>('build.platforms', []) ?? []).filter((p) => typeof p === 'string' && p.trim()),
    secrets: arrayOrEmpty(c.get<unknown>('build.secrets', [])),
    ssh: arrayOrEmpty(c.get<unknown>('build.ssh', [])),
    provenance: provenance(c.get<string>('build.provenance', 'default')),
    contextRoot: c.get<string>('build.contextRoot', 'workspaceFolder') === 'dockerfileFolder' ? 'dockerfileFolder' : 'workspaceFolder',
    codeLens: c.get<boolean>('codeLens.enabled', true),
    decorations: c.get<boolean>('decorations.enabled', true),
    revealPanel: c.get<boolean>('panel.revealOnBuild', true),
    panelReuse: panelReuse(c.get<string>('panel.reuse', 'finished')),
  };
}

function provenance(v: string | undefined): ProvenanceSetting {
  return v === 'off' || v === 'min' || v === 'max' ? v : 'default';
}

function panelReuse(v: string | undefined): PanelReuse {
  return v === 'sameDockerfile' || v === 'never' ? v : 'finished';
}

function stringRecord(v: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v ?? {})) if (val !== null && val !== undefined) out[k] = String(val);
  return out;
}

function arrayOrEmpty(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
