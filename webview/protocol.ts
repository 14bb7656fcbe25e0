// The typed messages between the extension host and the build panel. Both sides import this file;
// everything crossing is plain JSON data (step names and logs are data, never markup).
import type { Step, Summary, Warning } from '../src/progress/types';
import type { BuildError } from '../src/buildkit/types';
import type { BuildComparison } from '../src/progress/compare';

export type { Step, Summary, Warning };

/** What the panel shows about the build itself (header). */
export interface BuildInfo {
  id: string;
  /** workspace-relative Dockerfile path, for display */
  dockerfileLabel: string;
  dockerfile: string;
  contextDir: string;
  target?: string;
  tags: string[];
  platforms: string[];
  /** the folder the result goes into (-o type=local), when not the image store */
  outputDir?: string;
  engine?: string;
  startedAt: number;
}

export interface BuildOutcome {
  ok: boolean;
  canceled: boolean;
  durationMs: number;
  imageId?: string;
  error?: BuildError;
  /** the Dockerfile lines around the failing instruction, when we could find it */
  excerpt?: { file: string; startLine: number; lines: string[]; errorLines: number[] };
}

/** Everything needed to draw a build from scratch: sent once on open, and kept as webview state. */
export interface Snapshot {
  build: BuildInfo;
  steps: Step[];
  summary: Summary;
  warnings: Warning[];
  outcome?: BuildOutcome;
  /** extension-host clock when this was taken, to keep live durations ticking in the panel */
  now: number;
}

export type HostMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  | {
      type: 'update';
      /** the header facts that can change once the build runs (e.g. the engine it reached) */
      build?: BuildInfo;
      steps: Step[];
      summary: Summary;
      warnings: Warning[];
      now: number;
      /** log text for steps the panel subscribed to, in arrival order */
      logs: { digest: string; text: string }[];
    }
  /** the whole log of a step so far; later text arrives through update.logs */
  | { type: 'log'; digest: string; text: string; truncated?: boolean }
  | { type: 'end'; outcome: BuildOutcome; summary: Summary; now: number }
  /** the build's logs are gone (e.g. restored after a reload without a record) */
  | { type: 'logUnavailable'; digest: string }
  /** turns the panel into the "Compare Builds" view */
  | { type: 'compare'; comparison: BuildComparison };

export type WebviewMessage =
  /** the page loaded; `drewPageState`: it drew the state its page carried (panelHtml.ts) */
  | { type: 'ready'; drewPageState?: boolean }
  | { type: 'expand'; digest: string }
  | { type: 'collapse'; digest: string }
  | { type: 'cancel'; buildId?: string }
  | { type: 'rebuild' }
  | { type: 'openLocation'; file: string; line: number }
  | { type: 'copy'; text: string }
  /** the step's whole log in an editor */
  | { type: 'openLog'; digest: string };

/** What the panel persists with vscode.setState, so a reload can redraw the build. */
export interface PersistedState {
  snapshot: Snapshot;
  expanded: string[];
  view: PanelView;
}

export type PanelView = 'steps' | 'timeline' | 'graph';
