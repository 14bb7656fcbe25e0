import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { checkSshSpecs } from '../../src/buildkit/sshCheck';
import { FrameReader, readOnlyRequest } from '../../src/buildkit/sshForward';
import { tempDir } from '../support/tmp';

const frame = (...body: number[]) => Buffer.concat([Buffer.from([0, 0, 0, body.length]), Buffer.from(body)]);

test('agent messages are cut whole, however the bytes arrive', () => {
  const r = new FrameReader();
  const bytes = Buffer.concat([frame(11), frame(13, 1, 2, 3), frame(19)]);
  const got: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 3) got.push(...r.push(bytes.subarray(i, i + 3)));
  assert.deepEqual(got.map((f) => [...f]), [[...frame(11)], [...frame(13, 1, 2, 3)], [...frame(19)]]);
  assert.throws(() => new FrameReader().push(Buffer.from([0, 0, 0, 0])), /SSH agent message of 0 bytes/);
  assert.throws(() => new FrameReader().push(Buffer.from([0x7f, 0, 0, 0])), /SSH agent message of \d+ bytes/);
});

test('only listing keys and signing reach the agent', () => {
  assert.equal(readOnlyRequest(frame(11)), true);
  assert.equal(readOnlyRequest(frame(13, 0)), true);
  // add, remove, remove all, lock, unlock, add constrained, extension, legacy v1 listing
  for (const t of [17, 18, 19, 22, 23, 25, 27, 1]) assert.equal(readOnlyRequest(frame(t)), false, `type ${t}`);
});

test('preflight: a missing socket, a key file and a socket', async () => {
  const dir = tempDir('bkl-ssh-');
  const key = path.join(dir, 'id_ed25519');
  fs.writeFileSync(key, 'not a socket');
  assert.throws(() => checkSshSpecs([{ id: 'default', socket: path.join(dir, 'nope') }]), /^Error: ssh default: cannot use the agent socket .*nope: no such file or directory$/);
  assert.throws(() => checkSshSpecs([{ id: 'gh', socket: key }]), /ssh gh: .*id_ed25519 is a file, not an agent socket: load the key into an agent \(ssh-add /);
  assert.throws(() => checkSshSpecs([{ id: 'd', socket: dir }]), /is not an agent socket/);
  const sock = path.join(dir, 'agent.sock');
  const server = net.createServer().listen(sock);
  await new Promise((r) => server.once('listening', r));
  try {
    assert.doesNotThrow(() => checkSshSpecs([{ id: 'default', socket: sock }]));
  } finally {
    server.close();
  }
});
