// The build state the fold produces. Renderers (CLI, panel, decorations) read only this.
import type { SourceLocation } from '../buildkit/types';

export type StepState = 'queued' | 'running' | 'done' | 'cached' | 'error' | 'canceled';

export interface StepStatus {
  id: string;
  name: string;
  current: number;
  total: number;
  started?: number; // epoch ms
  completed?: number;
  /** engine time of this snapshot (epoch ms); the plain printer throttles on it */
  timestamp?: number;
}

export interface StageInfo {
  /** "stage-1" / "build" / undefined for the unnamed last stage */
  name?: string;
  platform?: string;
  index: number; // 1-based step index within the stage, from "[name 2/5]"
  total: number;
}

export interface Step {
  digest: string;
  /** buildx's "#N": assigned in the order steps are first seen started */
  number: number;
  name: string;
  inputs: string[];
  state: StepState;
  cached: boolean;
  error?: string;
  started?: number; // epoch ms of the first start
  completed?: number; // epoch ms of the last completion
  /** sum of the run intervals, like progressui; live steps count up to now */
  durationMs: number;
  stage?: StageInfo;
  progressGroup?: { id: string; name: string };
  statuses: StepStatus[];
  warnings: number;
  logBytes: number;
  /** for a progress-group row: digests of the vertices merged into it */
  members?: string[];
}

export interface Warning {
  vertex: string;
  level: number;
  short: string;
  detail: string[];
  url: string;
  source?: SourceLocation;
}

export interface Summary {
  total: number;
  completed: number;
  cached: number;
  running: number;
  errors: number;
  /** optional: summaries stored before it was counted have none */
  canceled?: number;
  started?: number;
  completed_at?: number;
  durationMs: number;
}

/** What one StatusResponse changed, for incremental renderers. */
export interface Delta {
  steps: string[]; // digests whose Step changed
  logs: {
    digest: string;
    stream: number;
    text: string;
    /** engine time of the chunk (epoch ms) */
    timestamp?: number;
    /** ms from the step's latest start to this chunk: buildx's log-line prefix */
    sinceStartMs?: number;
  }[];
  warnings: Warning[];
}

/** Where a step's log lives; the in-memory store is bounded and spills to a file. */
export interface LogStore {
  append(digest: string, stream: number, chunk: Uint8Array): void;
  /** the whole log of a step, as text */
  read(digest: string): string;
  size(digest: string): number;
  dispose(): void;
}
