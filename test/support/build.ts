// Runs a real build through the library against one test engine, collecting everything it reports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBuild } from '../../src/buildkit/build';
import type { BuildOptions, BuildResult } from '../../src/buildkit/types';
import { connectEngine, type Engine } from '../../src/engine/connect';
import { BuildModel } from '../../src/progress/model';
import type { StatusResponse } from '../../src/progress/wire';
import { tempDir } from './tmp';

export interface Built {
  result: BuildResult;
  model: BuildModel;
  statuses: StatusResponse[];
}

/** Writes a tree of files: values are contents, or null for an empty dir. */
export function writeTree(files: Record<string, string | null>): string {
  const dir = tempDir('bkl-ctx-');
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    if (content === null) {
      fs.mkdirSync(p, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

export function options(contextDir: string, over: Partial<BuildOptions> = {}): BuildOptions {
  return {
    contextDir,
    dockerfile: path.join(contextDir, 'Dockerfile'),
    tags: [],
    buildArgs: {},
    labels: {},
    platforms: [],
    noCache: false,
    network: 'none',
    secrets: [],
    addHosts: [],
    ...over,
  };
}

const engines = new Map<string, Promise<Engine>>();

export function engineFor(host: string): Promise<Engine> {
  let e = engines.get(host);
  if (!e) {
    e = connectEngine({ host });
    engines.set(host, e);
  }
  return e;
}

export async function closeEngines(): Promise<void> {
  for (const e of engines.values()) await (await e).close();
  engines.clear();
}

export async function build(host: string, opts: BuildOptions, onStatus?: (s: StatusResponse, cancel: () => void) => void): Promise<Built> {
  const engine = await engineFor(host);
  const model = new BuildModel();
  const statuses: StatusResponse[] = [];
  let cancel = () => {};
  const handle = startBuild(engine, opts, (s) => {
    statuses.push(s);
    model.apply(s);
    onStatus?.(s, cancel);
  });
  cancel = handle.cancel;
  const result = await handle.done;
  model.finish({ ok: result.ok, canceled: result.canceled, error: result.error });
  return { result, model, statuses };
}

export function logText(b: Built): string {
  return b.model.steps().map((s) => b.model.logs.read(s.digest)).join('');
}
