// `docker buildx build` (the reference client) on a test engine, and the comparison of the
// image it makes with ours.
import { execFile } from 'node:child_process';
import { dockerCliEnv, type TestEngine } from './engines';
import { engineFor } from './build';
import { diffFilesystems, imageFilesystem, type FsEntry } from './imagefs';

export interface BuildxRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker buildx build ARGS` against the engine (input on its stdin); never throws on a failing build. */
export function buildx(eng: TestEngine, args: string[], input?: Buffer): Promise<BuildxRun> {
  return new Promise((resolve) => {
    const child = execFile('docker', ['buildx', 'build', ...args], { env: dockerCliEnv(eng) as NodeJS.ProcessEnv, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** Both images' filesystems and what differs between them (empty when identical). */
export async function compareImages(eng: TestEngine, ours: string, theirs: string): Promise<{ ours: Map<string, FsEntry>; theirs: Map<string, FsEntry>; diff: string[] }> {
  const docker = (await engineFor(eng.host)).docker;
  const [a, b] = await Promise.all([imageFilesystem(docker, ours), imageFilesystem(docker, theirs)]);
  return { ours: a, theirs: b, diff: diffFilesystems(a, b) };
}
