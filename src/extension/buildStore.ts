// What the extension remembers in workspace state: each Dockerfile's build choices, the last
// request (for "Rebuild last") and each stage's last result (for CodeLens and the tree).
import type * as vscode from 'vscode';
import type { SessionRequest } from './buildSession';

export interface Choices {
  target?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  /** build args given as a bare KEY: read from the environment at each build, their values never stored */
  envArgs?: string[];
  platforms?: string[];
  noCache?: boolean;
  /** a folder the result's files are written into, instead of the engine's image store */
  outputDir?: string;
}

export interface LastResult {
  ok: boolean;
  canceled: boolean;
  durationMs: number;
  cached: number;
  total: number;
  failedLine?: number;
  finishedAt: number;
  /** when the build started: of two builds that overlap, the one started later has the last word */
  startedAt?: number;
  buildId: string;
}

const CHOICES = 'buildkitLens.choices';
const RESULTS = 'buildkitLens.results';
const LAST_REQUEST = 'buildkitLens.lastRequest';
const OPEN_PANELS = 'buildkitLens.openPanels';

/** "" stands for the default (last) stage. */
export function targetKey(target?: string): string {
  return target ?? '';
}

/**
 * A stage's last result. The last stage is built both as the default ("") and by its name
 * (`--target name`): the newer of the two is its result.
 */
export function resultOfStage(results: Record<string, LastResult>, target: string | undefined, lastStageName?: string): LastResult | undefined {
  const own = results[targetKey(target)];
  const named = target === undefined && lastStageName ? results[lastStageName] : undefined;
  return own && named ? (named.finishedAt > own.finishedAt ? named : own) : (own ?? named);
}

export class BuildStore {
  constructor(private readonly memento: vscode.Memento) {}

  choices(dockerfile: string): Choices {
    return this.memento.get<Record<string, Choices>>(CHOICES, {})[dockerfile] ?? {};
  }

  async setChoices(dockerfile: string, c: Choices): Promise<void> {
    const all = { ...this.memento.get<Record<string, Choices>>(CHOICES, {}) };
    all[dockerfile] = c;
    await this.memento.update(CHOICES, all);
  }

  results(dockerfile: string): Record<string, LastResult> {
    return this.memento.get<Record<string, Record<string, LastResult>>>(RESULTS, {})[dockerfile] ?? {};
  }

  /** The most recent result of any stage of this Dockerfile. */
  latest(dockerfile: string): (LastResult & { target: string }) | undefined {
    let best: (LastResult & { target: string }) | undefined;
    for (const [target, r] of Object.entries(this.results(dockerfile))) if (!best || r.finishedAt > best.finishedAt) best = { ...r, target };
    return best;
  }

  async setResult(dockerfile: string, target: string | undefined, r: LastResult): Promise<void> {
    const all = { ...this.memento.get<Record<string, Record<string, LastResult>>>(RESULTS, {}) };
    // an older build that ends after a newer one (a slow failing build, then a quick fixed one) says nothing new
    const prev = all[dockerfile]?.[targetKey(target)];
    if (prev && (prev.startedAt ?? 0) > (r.startedAt ?? 0)) return;
    all[dockerfile] = { ...(all[dockerfile] ?? {}), [targetKey(target)]: r };
    await this.memento.update(RESULTS, all);
  }

  /** Builds shown in panels, so a panel restored without its webview state still finds its build. */
  openPanels(): string[] {
    return this.memento.get<string[]>(OPEN_PANELS, []);
  }

  async setOpenPanels(ids: string[]): Promise<void> {
    await this.memento.update(OPEN_PANELS, ids);
  }

  lastRequest(): SessionRequest | undefined {
    return this.memento.get<SessionRequest>(LAST_REQUEST);
  }

  async setLastRequest(r: SessionRequest): Promise<void> {
    // only its Dockerfile and target are read back; build args may hold values from the environment
    await this.memento.update(LAST_REQUEST, { ...r, options: { ...r.options, buildArgs: {} } });
  }
}
