import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkHostKey, knownHostName } from '../../src/engine/knownHosts';
import { tempDir } from '../support/tmp';

const keyA = crypto.randomBytes(51);
const keyB = crypto.randomBytes(51);
const b64 = (k: Buffer) => k.toString('base64');
const hashed = (name: string) => {
  const salt = crypto.randomBytes(20);
  return `|1|${salt.toString('base64')}|${crypto.createHmac('sha1', salt).update(name).digest('base64')}`;
};
const file = (lines: string[]) => {
  const f = path.join(tempDir('bkl-kh-'), 'known_hosts');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
};

test('ssh host keys: accepted only when known_hosts has that key for that name and port', () => {
  assert.equal(knownHostName('h', 22), 'h');
  assert.equal(knownHostName('h', 2222), '[h]:2222');
  const f = file([
    '# a comment',
    `build.example,10.0.0.5 ssh-ed25519 ${b64(keyA)}`,
    `[build.example]:2222 ssh-ed25519 ${b64(keyB)}`,
    `${hashed('[127.0.0.1]:2200')} ssh-ed25519 ${b64(keyA)}`,
    `*.lab,!secret.lab ssh-ed25519 ${b64(keyA)}`,
  ]);
  assert.equal(checkHostKey('build.example', undefined, keyA, [f]), undefined);
  assert.equal(checkHostKey('10.0.0.5', 22, keyA, [f]), undefined);
  assert.equal(checkHostKey('build.example', 2222, keyB, [f]), undefined);
  assert.equal(checkHostKey('127.0.0.1', 2200, keyA, [f]), undefined, 'a hashed entry');
  assert.equal(checkHostKey('box.lab', 22, keyA, [f]), undefined, 'a wildcard');
  // another key under a known name: refused, and said why
  assert.match(checkHostKey('build.example', 22, keyB, [f])!, /^the host key of build\.example does not match the one in .*known_hosts: .*refusing to connect/);
  assert.match(checkHostKey('build.example', 2222, keyA, [f])!, /host key of \[build\.example\]:2222 does not match/);
  // an unknown name (a port is part of the name), and a negated pattern
  assert.match(checkHostKey('other.example', 22, keyA, [f])!, /^other\.example is not in known_hosts .*"ssh other\.example"/);
  assert.match(checkHostKey('10.0.0.5', 2200, keyA, [f])!, /^\[10\.0\.0\.5\]:2200 is not in known_hosts .*"ssh -p 2200 10\.0\.0\.5"/);
  assert.match(checkHostKey('secret.lab', 22, keyA, [f])!, /is not in known_hosts/);
  // no file at all: nothing is known
  assert.match(checkHostKey('build.example', 22, keyA, ['/nonexistent/known_hosts'])!, /is not in known_hosts/);
});

test('ssh host keys: a revoked key is refused even where another line accepts it; CA lines vouch for nothing here', () => {
  const f = file([`build.example ssh-ed25519 ${b64(keyA)}`, `@revoked * ssh-ed25519 ${b64(keyA)}`, `@cert-authority *.example ssh-ed25519 ${b64(keyB)}`]);
  assert.match(checkHostKey('build.example', 22, keyA, [f])!, /marked revoked/);
  assert.match(checkHostKey('other.example', 22, keyB, [f])!, /is not in known_hosts/);
});
