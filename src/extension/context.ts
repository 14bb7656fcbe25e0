// The extension's shared state: running and recent builds, what is remembered, and the events
// every feature (panel, CodeLens, tree, decorations) listens to.
import * as vscode from 'vscode';
import * as path from 'path';
import { codeCacheFor, loadThroughCodeCache, type CachedLoad } from '../codeCache';
import { createPlainRenderer } from '../progress/render/plain';
import { BuildRecords } from './buildRecords';
import { BuildSession, guarded, type BuildDeps, type SessionRequest } from './buildSession';
import { BuildStore } from './buildStore';

type EngineCore = typeof import('./engineCore');
let core: CachedLoad<EngineCore> | undefined;
let codeCacheDir: string | undefined;

/** Where the engine side's V8 code cache goes (the extension's global storage); unset: a plain require. */
export function useEngineCoreCodeCache(dir: string): void {
  codeCacheDir = dir;
}

/**
 * Loads the engine side on first use (see engineCore.ts); scripts/build.mjs keeps it a separate file.
 * Through V8's code cache: 50-70 ms to compile and run it without, 25-35 ms with, in every new window.
 */
export function engineCore(): EngineCore {
  if (!core) {
    const bundle = path.join(__dirname, 'engineCore.js');
    core = loadThroughCodeCache<EngineCore>(bundle, codeCacheDir ? codeCacheFor(bundle, codeCacheDir, 'engineCore-') : undefined);
  }
  return core.exports;
}

export const realDeps: BuildDeps = {
  connect: (host) => engineCore().connectEngine(host ? { host } : {}),
  start: (engine, opts, onStatus) => engineCore().startBuild(engine, opts, onStatus),
};

/** Recent finished sessions kept in memory (their logs stay readable in open panels). */
const KEEP_FINISHED = 10;

export class Ctx implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  readonly store: BuildStore;
  readonly records: BuildRecords;
  readonly sessions = new Map<string, BuildSession>();
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<BuildSession>();
  /** fires when a build starts, progresses (throttled by listeners) or ends */
  readonly onDidChangeBuild = this.changed.event;
  private readonly started = new vscode.EventEmitter<BuildSession>();
  readonly onDidStartBuild = this.started.event;
  private readonly ended = new vscode.EventEmitter<BuildSession>();
  readonly onDidEndBuild = this.ended.event;
  /** a build started or ended (not its progress, which fires onDidChangeBuild many times a second) */
  readonly onDidStartOrEndBuild = (l: () => void): vscode.Disposable => vscode.Disposable.from(this.onDidStartBuild(l), this.onDidEndBuild(l));
  deps: BuildDeps = realDeps;

  constructor(readonly ext: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('BuildKit', 'log');
    this.store = new BuildStore(ext.workspaceState);
    this.records = new BuildRecords(path.join(ext.globalStorageUri.fsPath, 'builds'));
  }

  get running(): BuildSession[] {
    return [...this.sessions.values()].filter((s) => s.running);
  }

  /** The newest session (running or not) for a Dockerfile. */
  latestFor(dockerfile: string): BuildSession | undefined {
    let best: BuildSession | undefined;
    for (const s of this.sessions.values()) if (s.options.dockerfile === dockerfile && (!best || s.startedAt >= best.startedAt)) best = s;
    return best;
  }

  /** remember=false for builds we only follow (attached engine builds): not "last build" of a Dockerfile. */
  startBuild(request: SessionRequest, deps = this.deps, remember = true): BuildSession {
    const session = new BuildSession(request, deps);
    this.sessions.set(session.id, session);
    this.showBuilding();
    if (remember) void this.store.setLastRequest(request);
    // the output channel is gone once the extension is disposed (a build canceled then still ends)
    const renderer = createPlainRenderer((s) => this.disposed || this.output.append(s), { desc: `building ${request.label}${request.options.target ? ` (target ${request.options.target})` : ''}` });
    // HH:MM:SS without toLocaleTimeString: its first call loads ICU locale data (~13 ms before the panel opens)
    this.output.appendLine(`\n=== ${new Date().toTimeString().slice(0, 8)} build ${request.label} ===`);
    const off = session.onDelta((delta) => {
      renderer.update(session.model, delta);
      this.changed.fire(session);
    });
    session.onEnd((result) => {
      off();
      // the cache then holds the functions a build runs, not only the module's top level; written
      // (6-8 ms, once per window at most) after the end's own updates have gone out
      setTimeout(() => core?.save(), 1000);
      guarded(() => renderer.end(session.model, result));
      guarded(() => this.records.save(session.snapshot(), (d) => session.model.logs.read(d)));
      const summary = session.model.summary();
      if (remember) void this.store.setResult(request.options.dockerfile, request.options.target, {
        ok: result.ok,
        canceled: result.canceled,
        durationMs: result.durationMs,
        cached: summary.cached,
        total: summary.total,
        failedLine: session.failure?.startLine,
        finishedAt: Date.now(),
        startedAt: session.startedAt,
        buildId: session.id,
      });
      guarded(() => this.prune());
      this.showBuilding();
      this.ended.fire(session);
      this.changed.fire(session);
    });
    this.started.fire(session);
    this.changed.fire(session);
    return session;
  }

  /** The session already following an engine build, if one is (a second click shows it again). */
  following(ref: string): BuildSession | undefined {
    return [...this.sessions.values()].find((s) => s.request.attachRef === ref && (s.running || !s.result?.canceled));
  }

  /** "Cancel Build" is offered only while something runs. */
  private showBuilding(): void {
    void vscode.commands.executeCommand('setContext', 'buildkitLens.building', this.running.length > 0);
  }

  private prune(): void {
    // followed engine builds go first: browsing the engine's history must not push out the user's own
    const finished = [...this.sessions.values()]
      .filter((s) => !s.running)
      .sort((a, b) => Number(!!a.request.attachRef) - Number(!!b.request.attachRef) || b.startedAt - a.startedAt);
    for (const s of finished.slice(KEEP_FINISHED)) {
      s.dispose();
      this.sessions.delete(s.id);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.changed.dispose();
    this.started.dispose();
    this.ended.dispose();
    this.output.dispose();
  }
}
