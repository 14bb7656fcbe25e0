// One build from the editor: connects to the engine, runs the solve and folds its progress.
// No vscode import: the panel, decorations and output subscribe to its events.
import * as fs from 'fs';
import * as path from 'path';
import type { BuildHandle, BuildOptions, BuildResult, StatusListener } from '../buildkit/types';
import type { Engine } from '../engine/connect';
import { BuildModel } from '../progress/model';
import { FileLogStore } from '../progress/fileLogStore';
import type { Delta } from '../progress/types';
import type { BuildInfo, BuildOutcome, Snapshot } from '../../webview/protocol';
import { failureLocation, toOutcome, type FailureLocation } from './outcome';

export interface BuildDeps {
  connect(host?: string): Promise<Engine>;
  start(engine: Engine, opts: BuildOptions, onStatus: StatusListener): BuildHandle;
}

export interface SessionRequest {
  options: BuildOptions;
  engineHost?: string;
  /** for display: the Dockerfile path relative to its workspace folder */
  label: string;
  /** set when this session follows an engine build by its ref instead of running one */
  attachRef?: string;
}

type Listener<T> = (v: T) => void;

let counter = 0;

export class BuildSession {
  readonly id: string;
  // the ten finished builds a window keeps share the extension host: their log heads stay small,
  // the rest of each log waits in a temp file
  readonly model = new BuildModel({ logStore: new FileLogStore({ maxMemoryBytes: 16 * 1024 * 1024 }) });
  readonly startedAt = Date.now();
  engineLabel?: string;
  result?: BuildResult;
  outcome?: BuildOutcome;
  failure?: FailureLocation;
  private handle?: BuildHandle;
  private cancelRequested = false;
  /** ends the wait for the engine (up to 10 s when it does not answer) on Cancel */
  private stopConnecting?: () => void;
  private readonly deltaListeners = new Set<Listener<Delta>>();
  private readonly endListeners = new Set<Listener<BuildResult>>();
  readonly done: Promise<BuildResult>;

  constructor(readonly request: SessionRequest, private readonly deps: BuildDeps) {
    this.id = `${Date.now().toString(36)}-${(++counter).toString(36)}`;
    this.done = this.run();
  }

  get options(): BuildOptions {
    return this.request.options;
  }

  get running(): boolean {
    return !this.result;
  }

  onDelta(l: Listener<Delta>): () => void {
    this.deltaListeners.add(l);
    return () => this.deltaListeners.delete(l);
  }

  onEnd(l: Listener<BuildResult>): () => void {
    if (this.result) {
      l(this.result);
      return () => undefined;
    }
    this.endListeners.add(l);
    return () => this.endListeners.delete(l);
  }

  /** Cancel was asked for (the build may still be winding down) */
  get canceling(): boolean {
    return this.cancelRequested;
  }

  cancel(): void {
    this.cancelRequested = true;
    this.handle?.cancel();
    this.stopConnecting?.();
  }

  info(): BuildInfo {
    const o = this.options;
    return {
      id: this.id,
      dockerfileLabel: this.request.label,
      dockerfile: o.dockerfile,
      contextDir: o.contextDir,
      target: o.target,
      tags: o.tags,
      platforms: o.platforms,
      outputDir: o.outputs?.find((x) => x.type === 'local')?.attrs.dest,
      engine: this.engineLabel,
      startedAt: this.startedAt,
    };
  }

  snapshot(now = Date.now()): Snapshot {
    return {
      build: this.info(),
      steps: this.model.steps(),
      summary: this.model.summary(now),
      warnings: [...this.model.warnings()],
      outcome: this.outcome,
      now,
    };
  }

  dispose(): void {
    this.cancel();
    this.model.logs.dispose();
  }

  private emit(delta: Delta): void {
    if (!delta.steps.length && !delta.logs.length && !delta.warnings.length) return;
    callEach(this.deltaListeners, delta);
  }

  private async run(): Promise<BuildResult> {
    let engine: Engine | undefined;
    let result: BuildResult;
    const canceled = (): BuildResult => ({ ref: '', ok: false, canceled: true, exporterResponse: {}, durationMs: Date.now() - this.startedAt });
    try {
      const connecting = this.deps.connect(this.request.engineHost);
      const stopped = new Promise<undefined>((resolve) => (this.stopConnecting = () => resolve(undefined)));
      engine = await Promise.race([connecting, stopped]);
      this.stopConnecting = undefined;
      if (!engine) {
        // canceled while connecting: the connection, if it comes, is closed unused
        connecting.then((e) => e.close().catch(() => undefined), () => undefined);
        result = canceled();
      } else {
        this.engineLabel = engine.endpoint.host;
        if (this.cancelRequested) result = canceled();
        else {
          this.handle = this.deps.start(engine, this.options, (status) => this.emit(this.model.apply(status)));
          result = await this.handle.done;
        }
      }
    } catch (e) {
      // connect errors are EngineError with one clear line; anything else is reported the same way
      const message = e instanceof Error ? e.message : String(e);
      result = this.cancelRequested ? canceled() : { ref: '', ok: false, canceled: false, exporterResponse: {}, error: { message, code: 2, sources: [] }, durationMs: Date.now() - this.startedAt };
    } finally {
      engine?.close().catch(() => undefined);
    }
    this.emit(this.model.finish({ ok: result.ok, canceled: result.canceled, error: result.error }));
    this.finishWith(result);
    return result;
  }

  private finishWith(result: BuildResult): void {
    if (result.error && !result.error.vertex) {
      // Older engines do not name the failing vertex; the step that errored is the one.
      const failed = this.model.steps().find((s) => s.state === 'error');
      if (failed) result = { ...result, error: { ...result.error, vertex: failed.digest } };
    }
    let text: string | undefined;
    try {
      text = fs.readFileSync(this.options.dockerfile, 'utf8');
    } catch {
      text = undefined;
    }
    const stepOf = (d: string) => this.model.step(d);
    this.outcome = toOutcome(result, { dockerfile: this.options.dockerfile, text, stepOf, target: this.options.target });
    if (result.error && !result.canceled) {
      this.failure = failureLocation(result.error, path.basename(this.options.dockerfile), text, stepOf, this.options.target);
    }
    this.result = result;
    callEach(this.endListeners, result);
    this.endListeners.clear();
  }
}

/**
 * One listener that throws (e.g. writing to an output channel closed by a window reload) must not
 * keep the others (build record, status bar, panel, Problems) from the news, nor reject `done`.
 */
function callEach<T>(listeners: Iterable<Listener<T>>, value: T): void {
  for (const l of listeners) guarded(() => l(value));
}

/** Runs fn; a throw is logged, not passed on (one part of a build's end must not stop the others). */
export function guarded(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error('BuildKit Lens:', e);
  }
}
