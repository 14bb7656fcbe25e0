import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startBuild } from '../../src/buildkit/build';
import { connectEngine } from '../../src/engine/connect';
import { tempDir } from '../support/tmp';

// unref'd: a timer still pending when the test ends must not hold the process open
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

test('Cancel while the engine is slow to answer the checks before the build ends the build at once', async () => {
  // an engine that answers GET /version (so it connects) and nothing after: /info and the session upgrade hang
  const sock = path.join(tempDir('bkl-mute-engine-'), 'docker.sock');
  const held: net.Socket[] = [];
  const version = JSON.stringify({ Version: '26.1.5', ApiVersion: '1.45', Os: 'linux', Arch: 'amd64' });
  const server = net.createServer((c) => {
    held.push(c);
    c.on('data', (d) => {
      if (/^GET \S*\/version /m.test(d.toString('latin1'))) c.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${version.length}\r\n\r\n${version}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const engine = await connectEngine({ host: `unix://${sock}` });
  const ctx = tempDir('bkl-cancel-ctx-');
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\n');
  const opts = { contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none' as const, secrets: [], addHosts: [] };
  const seen = held.length;
  const handle = startBuild(engine, opts, () => undefined);
  for (let i = 0; i < 100 && held.length <= seen; i++) await sleep(10);
  assert.ok(held.length > seen, 'the build is asking the engine');
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
