// Turns "build this Dockerfile (stage)" into BuildOptions: settings, remembered choices, and the
// "Build with BuildKit…" quick pick that edits them.
import * as vscode from 'vscode';
import * as os from 'os';
import * as path from 'path';
import type { BuildOptions, NamedContext } from '../buildkit/types';
import { checkTag, parseBuildContext, parseKeyValue, parsePlatforms, parseSshSpec } from '../buildkit/options';
import { noDefaultAttestations } from '../buildkit/runLimits';
import { readConfig, type Config } from './config';
import { secretsFromSetting } from './secretSettings';
import { expandTagPattern, parseStages, type StageDef } from './dockerfileModel';
import type { SessionRequest } from './buildSession';
import type { Choices } from './buildStore';

export function contextDirFor(uri: vscode.Uri): string {
  const cfg = readConfig(uri);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (cfg.contextRoot === 'dockerfileFolder' || !folder) return path.dirname(uri.fsPath);
  return folder.uri.fsPath;
}

export function labelFor(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1);
}

export async function readStages(uri: vscode.Uri): Promise<StageDef[]> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return parseStages(open.getText());
  const bytes = await vscode.workspace.fs.readFile(uri);
  return parseStages(Buffer.from(bytes).toString('utf8'));
}

/** The request for a build of `uri`, from settings and what was chosen last time. Throws on invalid settings. */
export function makeRequest(uri: vscode.Uri, choices: Choices, target: string | undefined): SessionRequest {
  const cfg = readConfig(uri);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const folderName = folder?.name ?? path.basename(path.dirname(uri.fsPath));
  const sameTarget = (choices.target ?? undefined) === target;
  const defaultTag = cfg.tagPattern ? expandTagPattern(cfg.tagPattern, { folder: folderName, stage: target, file: path.basename(uri.fsPath) }) : '';
  // remembered tags belong to the remembered target; another stage gets its own default tag
  const chosen = sameTarget && choices.tags;
  const tags = chosen ? choices.tags! : defaultTag ? [defaultTag] : [];
  for (const t of tags) explained(chosen ? 'The tags chosen in "Build with BuildKit…"' : 'Invalid buildkitLens.build.tagPattern', () => checkTag(t));
  const options: BuildOptions = {
    contextDir: contextDirFor(uri),
    dockerfile: uri.fsPath,
    tags,
    target,
    buildArgs: { ...cfg.buildArgs, ...(choices.buildArgs ?? {}), ...fromEnvironment(choices.envArgs) },
    labels: {},
    platforms: choices.platforms ?? platformsFromSetting(cfg.platforms),
    noCache: !!choices.noCache,
    network: cfg.network,
    // relative secret files are the workspace's, like the build context
    secrets: secretsFromSetting(cfg.secrets, folder?.uri.fsPath ?? path.dirname(uri.fsPath)),
    addHosts: [],
    ...namedContextsFromSetting(cfg.contexts, folder?.uri.fsPath ?? path.dirname(uri.fsPath)),
    ...sshFromSetting(cfg.ssh),
    ...(choices.outputDir ? { outputs: [{ type: 'local', attrs: { dest: choices.outputDir } }] } : {}),
    ...provenanceFromSetting(cfg.provenance),
  };
  return { options, engineHost: cfg.engineHost || undefined, label: labelFor(uri) };
}

/** fn's result; its error, a flag's usage text, becomes one line naming the setting (without the flag's name) */
function explained<T>(what: string, fn: () => T, flag?: string): T {
  try {
    return fn();
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(`${what}: ${flag ? message.split(`${flag} `).join('') : message}`);
  }
}

/** buildkitLens.build.platforms, checked and normalised as --platform is (an entry may list several). */
export function platformsFromSetting(entries: readonly string[]): string[] {
  return explained('Invalid buildkitLens.build.platforms', () => (entries.length ? [...new Set(entries.flatMap((p) => parsePlatforms(p)))] : []));
}

/**
 * buildkitLens.build.provenance. "default" is what `docker build` does on the same engine: buildx's
 * minimal provenance on the containerd store, unless BUILDX_NO_DEFAULT_ATTESTATIONS turns it off.
 */
export function provenanceFromSetting(p: Config['provenance'], env: NodeJS.ProcessEnv = process.env): Pick<BuildOptions, 'attest' | 'noDefaultProvenance'> {
  if (p === 'min' || p === 'max') return { attest: { 'attest:provenance': `mode=${p}` }, noDefaultProvenance: true };
  return p === 'off' || noDefaultAttestations(env) ? { noDefaultProvenance: true } : {};
}

/** buildkitLens.build.contexts as BuildOptions.namedContexts; folders are the workspace's, like the build context. */
export function namedContextsFromSetting(entries: Record<string, string>, baseDir: string): Pick<BuildOptions, 'namedContexts'> {
  const named: Record<string, NamedContext> = {};
  for (const [k, v] of Object.entries(entries)) {
    const [name, c] = explained('Invalid buildkitLens.build.contexts', () => parseBuildContext(`${k}=${v}`, baseDir), '--build-context');
    named[name] = c;
  }
  return Object.keys(named).length ? { namedContexts: named } : {};
}

/** buildkitLens.build.ssh as BuildOptions.ssh; "default" reads the extension host's SSH_AUTH_SOCK. */
export function sshFromSetting(entries: readonly unknown[]): Pick<BuildOptions, 'ssh'> {
  const ssh = entries.map((e) => {
    if (typeof e !== 'string') throw new Error('Invalid buildkitLens.build.ssh: every entry must be a string like "default" or "ID=SOCKET"');
    return explained('Invalid buildkitLens.build.ssh', () => parseSshSpec(e.trim().replace(/=~(?=\/|$)/, `=${os.homedir()}`), process.env, os.homedir()), '--ssh');
  });
  return ssh.length ? { ssh } : {};
}

/** makeRequest, or undefined after telling the user which setting is wrong. */
export function requestOrExplain(uri: vscode.Uri, choices: Choices, target: string | undefined): SessionRequest | undefined {
  try {
    return makeRequest(uri, choices, target);
  } catch (e) {
    void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    return undefined;
  }
}

type Item = vscode.QuickPickItem & { id: 'start' | 'target' | 'tags' | 'args' | 'platforms' | 'nocache' | 'output' };

/** "Build with BuildKit…": a menu of every option, looping until Start or Escape. */
export async function promptChoices(uri: vscode.Uri, initial: Choices): Promise<Choices | undefined> {
  const stages = await readStages(uri);
  const c: Choices = { ...initial, buildArgs: { ...(initial.buildArgs ?? {}) }, envArgs: [...(initial.envArgs ?? [])] };
  if (c.target && !stages.some((s) => s.name === c.target)) c.target = undefined;
  for (;;) {
    const req = makeRequest(uri, c, c.target);
    // a value from the environment is not shown (it may be a token): its name says where it comes from
    const args = Object.entries(req.options.buildArgs).map(([k, v]) => (c.envArgs?.includes(k) ? `${k} (from the environment)` : `${k}=${v}`)).join(' ');
    const items: Item[] = [
      { id: 'start', label: '$(play) Start build', description: labelFor(uri) },
      { id: 'target', label: '$(layers) Target', description: c.target ?? 'last stage' },
      { id: 'tags', label: '$(tag) Tags', description: req.options.tags.join(', ') || '(none)' },
      { id: 'args', label: '$(symbol-variable) Build args', description: args || '(none)' },
      { id: 'platforms', label: '$(vm) Platforms', description: req.options.platforms.join(', ') || 'engine default' },
      { id: 'nocache', label: '$(trash) No cache', description: c.noCache ? 'on' : 'off' },
      { id: 'output', label: '$(output) Output', description: c.outputDir ? vscode.workspace.asRelativePath(c.outputDir) : "the engine's image store, tagged" },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Build with BuildKit', placeHolder: 'Choose an option to change, or start the build' });
    if (!pick) return undefined;
    switch (pick.id) {
      case 'start':
        // tags are remembered only when edited: the default follows the tag pattern setting
        return c;
      case 'target': {
        const t = await pickTarget(stages, c.target);
        if (t !== undefined) {
          c.target = t || undefined;
          c.tags = undefined; // the default tag follows the stage
        }
        break;
      }
      case 'tags': {
        const split = (v: string) => v.split(',').map((t) => t.trim()).filter(Boolean);
        const v = await vscode.window.showInputBox({
          title: 'Image tags',
          prompt: 'Comma-separated, e.g. app:dev, app:latest (empty for none)',
          value: req.options.tags.join(', '),
          validateInput: (s) => validate(() => split(s).forEach(checkTag)),
        });
        if (v !== undefined) c.tags = split(v);
        break;
      }
      case 'args': {
        const v = await vscode.window.showInputBox({
          title: 'Build args',
          prompt: 'Space-separated KEY=VALUE pairs (KEY alone takes the value from the environment)',
          value: [...Object.entries(c.buildArgs ?? {}).map(([k, val]) => `${k}=${val}`), ...(c.envArgs ?? [])].join(' '),
          validateInput: (s) => validate(() => parseArgs(s)),
        });
        if (v !== undefined) ({ buildArgs: c.buildArgs, envArgs: c.envArgs } = parseArgs(v));
        break;
      }
      case 'platforms': {
        const v = await vscode.window.showInputBox({
          title: 'Platforms',
          prompt: 'Comma-separated, e.g. linux/amd64,linux/arm64 (empty for the engine default)',
          value: (c.platforms ?? req.options.platforms).join(','),
          validateInput: (s) => validate(() => (s.trim() ? parsePlatforms(s) : [])),
        });
        if (v !== undefined) c.platforms = v.trim() ? parsePlatforms(v) : [];
        break;
      }
      case 'nocache':
        c.noCache = !c.noCache;
        break;
      case 'output': {
        const out = await pickOutput(uri, c.outputDir);
        if (out !== undefined) c.outputDir = out || undefined;
        break;
      }
    }
  }
}

/** undefined = dismissed, '' = the image store, else a folder the result's files go into (buildx -o DIR) */
async function pickOutput(uri: vscode.Uri, current?: string): Promise<string | undefined> {
  const store = "$(database) The engine's image store, tagged";
  const folder = '$(folder) A folder…';
  const pick = await vscode.window.showQuickPick([store, folder].map((label) => ({ label })), { title: 'Output' });
  if (!pick) return undefined;
  if (pick.label === store) return '';
  const base = current ? vscode.Uri.file(current) : (vscode.workspace.getWorkspaceFolder(uri)?.uri ?? vscode.Uri.file(path.dirname(uri.fsPath)));
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: base, openLabel: 'Build into this folder', title: "The build result's files go into" });
  return picked?.[0]?.fsPath;
}

/** undefined = dismissed, '' = the last stage */
export async function pickTarget(stages: StageDef[], current?: string): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { value: string })[] = [{ label: '$(debug-start) Last stage', description: 'default', value: '' }];
  for (const s of stages) if (s.name) items.push({ label: s.name, description: `FROM ${s.image} · line ${s.fromLine + 1}`, value: s.name, picked: s.name === current });
  const pick = await vscode.window.showQuickPick(items, { title: 'Target stage' });
  return pick?.value;
}

/** KEY=VALUE pairs, and bare KEYs whose values are read from the environment at each build. */
function parseArgs(s: string): { buildArgs: Record<string, string>; envArgs: string[] } {
  const buildArgs: Record<string, string> = {};
  const envArgs: string[] = [];
  for (const part of s.split(/\s+/).filter(Boolean)) {
    // an empty environment: a bare KEY comes back without a value, to be read at each build
    const [k, v] = parseKeyValue(part, '--build-arg', {});
    if (v === undefined) envArgs.push(k);
    else buildArgs[k] = v;
  }
  return { buildArgs, envArgs };
}

/** The set ones of these variables, as a bare --build-arg takes them (an unset one is left out). */
function fromEnvironment(names: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names ?? []) if (process.env[n] !== undefined) out[n] = process.env[n]!;
  return out;
}

function validate(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
