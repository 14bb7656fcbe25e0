// Checks that fail before anything reaches the engine, each with one clear line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../engine/connect';
import { unsupportedCacheExport } from './cacheOptions';
import { dockerfileInContext } from './contextSource';
import { checkDockerignore, ignoreFileFor, statKind } from './dockerignore';
import { engineExports, needsContainerdStore, unnamedPush, unsupportedOutput } from './exporters';
import { checkSecrets } from './secrets';
import { checkSshSpecs } from './sshCheck';
import { classicStoreRefusal } from './storeAdvice';
import { annotatedOutputs } from './annotations';
import type { EngineTraits } from './solveRequest';
import type { BuildOptions } from './types';

export class PreflightError extends Error {
  override name = 'PreflightError';
}

export const MULTI_PLATFORM_NEEDS_CONTAINERD =
  'multi-platform builds need the containerd image store, and this engine uses the classic store. ' +
  'Turn it on with "features": {"containerd-snapshotter": true} in /etc/docker/daemon.json (Docker Desktop: ' +
  'Settings → General → "Use containerd for pulling and storing images"), restart the engine, or build one platform.';

export function checkPaths(opts: BuildOptions): void {
  if (!opts.contextUrl) {
    const ctx = statKind(opts.contextDir);
    if (ctx === 'missing') throw new PreflightError(`build context "${opts.contextDir}" does not exist`);
    if (ctx !== 'dir') throw new PreflightError(`build context "${opts.contextDir}" is not a directory`);
  }
  // inside a fetched context the engine finds the Dockerfile itself
  if (!dockerfileInContext(opts)) {
    const df = statKind(opts.dockerfile);
    if (df === 'missing') throw new PreflightError(`Dockerfile "${opts.dockerfile}" does not exist`);
    if (df !== 'file') throw new PreflightError(`Dockerfile "${opts.dockerfile}" is not a file`);
    try {
      fs.accessSync(opts.dockerfile, fs.constants.R_OK);
    } catch {
      throw new PreflightError(`Dockerfile "${opts.dockerfile}" cannot be read (permission denied)`);
    }
  }
  for (const [name, c] of Object.entries(opts.namedContexts ?? {})) {
    const dir = 'dir' in c ? c.dir : 'ociLayout' in c ? c.ociLayout.dir : undefined;
    if (dir === undefined) continue;
    const kind = statKind(dir);
    if (kind === 'missing') throw new PreflightError(`build context "${name}": "${dir}" does not exist`);
    if (kind !== 'dir') throw new PreflightError(`build context "${name}": "${dir}" is not a directory`);
  }
}

export async function preflight(engine: Engine, opts: BuildOptions): Promise<EngineTraits> {
  checkPaths(opts);
  try {
    checkSecrets(opts.secrets);
    checkSshSpecs(opts.ssh ?? []);
  } catch (e) {
    throw new PreflightError((e as Error).message);
  }
  const ignore = ignoreFileFor(opts);
  if (ignore) checkDockerignore(ignore);
  const info = await engine.info();
  if (opts.platforms.length > 1 && !info.containerdStore) throw new PreflightError(MULTI_PLATFORM_NEEDS_CONTAINERD);
  // one exporter per Solve before BuildKit 0.13 (Docker 26)
  if (engineExports(opts.outputs).length > 1 && !engine.buildkit && Number(/^(\d+)\./.exec(info.serverVersion)?.[1] ?? 99) < 26) {
    throw new PreflightError(`several outputs need BuildKit 0.13 or later (Docker 26.0 or later); this engine is Docker ${info.serverVersion}: give one --output (or --load / --push alone)`);
  }
  for (const o of opts.outputs ?? []) {
    const why = unsupportedOutput(o) ?? unnamedPush(o, opts.tags);
    if (why) throw new PreflightError(why);
    if (needsContainerdStore(o) && !engine.buildkit && !info.containerdStore) {
      throw new PreflightError(classicStoreRefusal(`output type=${o.type} needs`, `it has no "${o.type}" exporter; type=tar gives the files`));
    }
  }
  // the Dockerfile frontend of BuildKit 0.8/0.9 (Docker 20.10) passes over these without a word
  const ignored = [opts.shmSize && '--shm-size', opts.ulimits?.length && '--ulimit', opts.cgroupParent && '--cgroup-parent'].filter((f): f is string => !!f);
  if (ignored.length && !engine.buildkit && Number(/^(\d+)\./.exec(info.serverVersion)?.[1] ?? 99) < 23) {
    const them = ignored.length > 1 ? 'them' : 'it';
    const flags = ignored.length > 1 ? `${ignored.slice(0, -1).join(', ')} and ${ignored.at(-1)}` : ignored[0];
    throw new PreflightError(`${flags} need${ignored.length > 1 ? '' : 's'} BuildKit 0.10 or later (Docker 23.0 or later); this engine is Docker ${info.serverVersion}, whose Dockerfile frontend would ignore ${them}`);
  }
  if (Object.keys(opts.attest ?? {}).length && !engine.buildkit && !info.containerdStore) {
    throw new PreflightError(classicStoreRefusal('attestations (provenance, SBOM) need'));
  }
  // the classic store's exporter would drop them without a word
  if (Object.keys(opts.annotations ?? {}).length && !engine.buildkit && !info.containerdStore && annotatedOutputs(opts)) {
    throw new PreflightError(classicStoreRefusal('annotations (--annotation) need'));
  }
  for (const c of opts.cacheTo ?? []) {
    const why = unsupportedCacheExport(c, { containerdStore: info.containerdStore, standalone: !!engine.buildkit });
    if (why) throw new PreflightError(why);
  }
  return { containerdStore: info.containerdStore, standalone: !!engine.buildkit };
}
