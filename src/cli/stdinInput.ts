// "build -" and "-f -": what standard input holds becomes files the build can use, as buildx does.
// A context archive (tar, optionally compressed) goes to the engine whole, through the session's
// Upload service; a Dockerfile goes into a private folder of its own, with an empty context when
// there is no other. Every folder made here is removed after the build, or at exit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../buildkit/options';
import type { BuildOptions } from '../buildkit/types';
import type { BuildCommand } from './args';

/** tar ("ustar" at 257), gzip, bzip2, xz, zstd: what the engine unpacks (containerd's DecompressStream). */
export function isArchive(b: Buffer): boolean {
  if (b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar') return true;
  const starts = (...bytes: number[]) => bytes.every((x, i) => b[i] === x);
  return starts(0x1f, 0x8b) || starts(0x42, 0x5a, 0x68) || starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) || starts(0x28, 0xb5, 0x2f, 0xfd);
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export interface StdinBuild {
  options: BuildOptions;
  cleanup(): void;
}

/**
 * The build options with stdin's content in place; cleanup() removes the folders it made. Standard input
 * is asked for only when the command reads it: Node builds process.stdin on first access (~1 ms).
 */
export async function withStdin(cmd: BuildCommand, openStdin: () => NodeJS.ReadableStream & { isTTY?: boolean }): Promise<StdinBuild> {
  if (!cmd.stdin) return { options: cmd.options, cleanup: () => undefined };
  const what = cmd.stdin === 'context' ? 'the context ("-")' : 'the Dockerfile ("-f -")';
  const stdin = openStdin();
  if (stdin.isTTY) throw new UsageError(`${what} is read from standard input, and standard input is a terminal: pipe it in, e.g. < Dockerfile`);
  const data = await readAll(stdin);
  const made: string[] = [];
  const cleanup = () => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    process.off('exit', cleanup);
  };
  process.on('exit', cleanup);
  const dir = (name: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `buildkit-lens-${name}-`));
    made.push(d);
    return d;
  };
  try {
    if (cmd.stdin === 'context' && isArchive(data)) {
      const empty = dir('context');
      return { options: { ...cmd.options, contextDir: empty, contextArchive: data }, cleanup };
    }
    if (data.length === 0) throw new UsageError(`${what}: standard input is empty`);
    const dockerfile = path.join(dir('dockerfile'), 'Dockerfile');
    fs.writeFileSync(dockerfile, data);
    const contextDir = cmd.stdin === 'context' ? dir('context') : cmd.options.contextDir;
    return { options: { ...cmd.options, contextDir, dockerfile }, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
