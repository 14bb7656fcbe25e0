// The gRPC bridge's private socket folder: gone once the bridge closes, and when its process exits first.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openGrpcBridge } from '../../src/engine/bridge';
import type { Endpoint } from '../../src/engine/endpoint';
import { tempDir } from '../support/tmp';

// no engine is dialled until a client connects to the bridge
const nowhere: Endpoint = { host: 'unix:///nonexistent/docker.sock', source: '--host', kind: 'unix', socketPath: '/nonexistent/docker.sock' };

const folderOf = (target: string) => path.dirname(target.replace(/^unix:\/\//, ''));

test('close() removes the socket folder before it resolves, and before the server has closed', async () => {
  const bridge = await openGrpcBridge(nowhere);
  const dir = folderOf(bridge.target);
  assert.ok(fs.existsSync(path.join(dir, 'grpc.sock')));
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  const closing = bridge.close();
  assert.equal(fs.existsSync(dir), false);
  await closing;
});

test('a process that exits with its bridge still open leaves no socket folder behind', () => {
  const tmp = tempDir('bkl-bridge-exit-');
  const script = `
    const { openGrpcBridge } = require(${JSON.stringify(path.join(__dirname, '../../src/engine/bridge.js'))});
    openGrpcBridge(${JSON.stringify(nowhere)}).then((b) => { console.log(b.target); process.exit(0); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^unix:\/\/.*grpc\.sock$/m);
  assert.deepEqual(fs.readdirSync(tmp), []);
});

test("closing a bridge removes the socket folders of processes that have ended, and no live process's folder", () => {
  const tmp = tempDir('bkl-bridge-sweep-');
  const ended = spawnSync(process.execPath, ['-e', '0']).pid;
  const folders = { ended: `bkl-grpc-${ended}-aB3dE9`, live: `bkl-grpc-${process.pid}-xY7zQ1`, other: 'bkl-something-else' };
  for (const name of Object.values(folders)) {
    fs.mkdirSync(path.join(tmp, name));
    fs.writeFileSync(path.join(tmp, name, 'grpc.sock'), '');
  }
  const script = `
    const { openGrpcBridge } = require(${JSON.stringify(path.join(__dirname, '../../src/engine/bridge.js'))});
    openGrpcBridge(${JSON.stringify(nowhere)}).then(async (b) => {
      if (!b.target.includes('/bkl-grpc-' + process.pid + '-')) throw new Error('folder without its process id: ' + b.target);
      await b.close();
    });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(tmp).sort(), [folders.live, folders.other].sort());
});
