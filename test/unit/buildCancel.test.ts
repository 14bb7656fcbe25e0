import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startBuild } from '../../src/buildkit/build';
import type { Engine } from '../../src/engine/connect';
import type { Endpoint } from '../../src/engine/endpoint';
import { tempDir } from '../support/tmp';

// unref'd: a timer still pending when the test ends must not hold the process open
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

test('Cancel while the engine is slow to answer the checks before the build ends the build at once', async () => {
  // an engine that takes connections and answers nothing: /info and the session upgrade hang
  const sock = path.join(tempDir('bkl-mute-engine-'), 'docker.sock');
  const held: net.Socket[] = [];
  const server = net.createServer((c) => {
    held.push(c);
    c.resume();
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const endpoint: Endpoint = { host: `unix://${sock}`, source: 'test', kind: 'unix', socketPath: sock };
  const closers: (() => Promise<void>)[] = [];
  const engine = {
    endpoint,
    info: () => new Promise<never>(() => undefined),
    onClose: (fn: () => Promise<void>) => void closers.push(fn),
    close: async () => {
      for (const fn of closers) await fn().catch(() => undefined);
    },
  } as unknown as Engine;
  const ctx = tempDir('bkl-cancel-ctx-');
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\n');
  const opts = { contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none' as const, secrets: [], addHosts: [] };
  const handle = startBuild(engine, opts, () => undefined);
  for (let i = 0; i < 100 && held.length === 0; i++) await sleep(10);
  assert.ok(held.length > 0, 'the session is being set up');
  const t0 = Date.now();
  handle.cancel();
  const r = await Promise.race([handle.done, sleep(3000).then(() => 'still waiting' as const)]);
  assert.notEqual(r, 'still waiting', 'the build ended without waiting for the engine');
  if (r !== 'still waiting') assert.equal(r.canceled, true);
  assert.ok(Date.now() - t0 < 1000);
  for (const c of held) c.destroy();
  server.close();
  await engine.close();
});
