// `buildkit-lens build`: one build, progress on stderr like buildx, result on stdout / metadata file.
import * as fs from 'node:fs';
import { startBuild } from '../buildkit/build';
import { missingCacheImports } from '../buildkit/cacheOptions';
import { imageIdOf } from '../buildkit/exporters';
import { keepIdleWalker } from '../buildkit/filesync/prefetch';
import { fsReason } from '../buildkit/fsReason';
import type { BuildHandle, BuildResult } from '../buildkit/types';
import { connectEngine } from '../engine/connect';
import { builderName } from '../engine/endpoint';
import { FileLogStore } from '../progress/fileLogStore';
import { BuildModel } from '../progress/model';
import { errorLines } from '../progress/render/epilogue';
import { createPlainRenderer } from '../progress/render/plain';
import { rawJsonLine } from '../progress/render/rawjson';
import { createTtyRenderer } from '../progress/render/tty';
import type { BuildCommand } from './args';
import { metadataFromResult } from './metadata';
import { withStdin } from './stdinInput';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

type Renderer = { update(model: BuildModel, delta: ReturnType<BuildModel['apply']>): void; end(model: BuildModel, result: BuildResult): void };

/** builder: the name buildx would show for this engine ("#0 building with …", the tty header's right side) */
export function chooseRenderer(cmd: Pick<BuildCommand, 'progress'>, io: CliIO, builder?: string): Renderer | undefined {
  const mode = cmd.progress === 'auto' ? (io.stderr.isTTY ? 'tty' : 'plain') : cmd.progress;
  if (mode === 'quiet' || mode === 'rawjson') return undefined;
  if (mode === 'tty') return createTtyRenderer(io.stderr, { desc: builder && `docker:${builder}` });
  return createPlainRenderer((s) => io.stderr.write(s), { desc: builder && `building with "${builder}" instance using docker driver` });
}

const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ctrl-C, SIGTERM and SIGHUP (its terminal closed) call handle.cancel() while the build runs, so the
 * engine stops the build and the run still removes its temp files (log store, gRPC bridge socket).
 */
export async function doneOrSignal(handle: BuildHandle): Promise<BuildResult> {
  const onSignal = () => handle.cancel();
  for (const s of CANCEL_SIGNALS) process.once(s, onSignal);
  try {
    return await handle.done;
  } finally {
    for (const s of CANCEL_SIGNALS) process.off(s, onSignal);
  }
}

/** A file a flag names, written or removed; a failure is one line that names the flag. */
function onFile(flag: string, file: string, act: (file: string) => void): void {
  try {
    act(file);
  } catch (e) {
    throw new Error(`${flag} ${file}: ${fsReason(e)}`);
  }
}

export async function runBuild(cmd: BuildCommand, io: CliIO): Promise<number> {
  const input = await withStdin(cmd, () => io.stdin ?? process.stdin);
  try {
    return await buildWith({ ...cmd, options: input.options }, io);
  } finally {
    input.cleanup();
  }
}

async function buildWith(cmd: BuildCommand, io: CliIO): Promise<number> {
  const engine = await connectEngine({ host: cmd.host, context: cmd.context });
  const logStore = new FileLogStore();
  const model = new BuildModel({ logStore });
  // a standalone buildkitd has no builder of buildx's to name
  const builder = engine.buildkit ? undefined : builderName(engine.endpoint);
  const renderer = chooseRenderer(cmd, io, builder);
  const raw = cmd.progress === 'rawjson';
  try {
    // as buildx, before the build's progress: a cache it will not find
    for (const w of missingCacheImports(cmd.options.cacheFrom)) io.stderr.write(`WARNING: ${w}\n`);
    // as buildx: a failed build leaves no image id of an earlier one behind
    if (cmd.iidFile) onFile('--iidfile', cmd.iidFile, (f) => fs.rmSync(f, { force: true }));
    // a tarball of an earlier build never stands in for a failed one's: emptied first, as buildx,
    // which opens its files first, leaves them (a file that was not there is made only by a build)
    for (const o of cmd.options.outputs ?? []) {
      const dest = o.attrs.dest;
      if (!dest || dest === '-' || o.type === 'local') continue;
      try {
        if (fs.statSync(dest, { throwIfNoEntry: false })?.isFile()) fs.truncateSync(dest);
      } catch {
        // not ours to write: the checks before the build say so in their words
      }
    }
    // one build per process: its context walker need not wait for another
    keepIdleWalker(false);
    const handle = startBuild(engine, cmd.options, (status) => {
      if (raw) io.stderr.write(rawJsonLine(status) + '\n');
      const delta = model.apply(status);
      renderer?.update(model, delta);
    });
    const result = await doneOrSignal(handle);
    const finalDelta = model.finish({ ok: result.ok, canceled: result.canceled, error: result.error });
    renderer?.update(model, finalDelta);
    renderer?.end(model, result);
    // no progress shown: buildx still prints where in the Dockerfile the build failed
    if (!renderer && !result.ok) io.stderr.write(errorLines(result).map((l) => l + '\n').join(''));
    if (result.ok) {
      const imageId = imageIdOf(result);
      if (cmd.iidFile && imageId) onFile('--iidfile', cmd.iidFile, (f) => fs.writeFileSync(f, imageId));
      if (cmd.metadataFile) {
        const text = JSON.stringify(metadataFromResult(result, builder), null, 2) + '\n';
        onFile('--metadata-file', cmd.metadataFile, (f) => fs.writeFileSync(f, text));
      }
      // a tarball on stdout is the output: nothing may follow it there
      const tarOnStdout = cmd.options.outputs?.some((o) => o.attrs.dest === '-');
      // as buildx, with -q or --progress quiet: the image's config digest where there is one (the
      // containerd store's manifest digest differs), an empty line where there is none
      if (cmd.progress === 'quiet' && !tarOnStdout) io.stdout.write(`${imageId ?? ''}\n`);
      return 0;
    }
    return result.canceled ? 130 : 1;
  } finally {
    logStore.dispose();
    await engine.close();
  }
}
