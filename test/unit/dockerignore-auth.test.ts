import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configKeysFor, credentialsFor } from '../../src/buildkit/auth';
import { parseIgnoreLines } from '../../src/buildkit/filesync/patterns';
import { readSecret } from '../../src/buildkit/secrets';
import { tempDir } from '../support/tmp';

test('.dockerignore lines are read like the frontend reads them', () => {
  const text = '# comment\n\n  node_modules/ \n!keep/this\n/abs\n./rel/../x\r\n**/*.log\n';
  assert.deepEqual(parseIgnoreLines(text), [
    { line: 3, pattern: 'node_modules' },
    { line: 4, pattern: '!keep/this' },
    { line: 5, pattern: 'abs' },
    { line: 6, pattern: 'x' },
    { line: 7, pattern: '**/*.log' },
  ]);
});

test('docker hub credentials live under the v1 index key', () => {
  assert.equal(configKeysFor('registry-1.docker.io')[0], 'https://index.docker.io/v1/');
  assert.ok(configKeysFor('localhost:5000').includes('https://localhost:5000'));
});

test('credentials from auths, identity tokens, and a real credential helper process', async () => {
  const cfg = tempDir('bkl-auth-');
  const bin = tempDir('bkl-bin-');
  fs.writeFileSync(
    path.join(bin, 'docker-credential-fake'),
    '#!/bin/sh\nread host\nif [ "$host" = "helped.example" ]; then echo \'{"Username":"hu","Secret":"hs"}\'; else echo "credentials not found" >&2; exit 1; fi\n',
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(cfg, 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('me:pw').toString('base64') },
        'tok.example': { identitytoken: 'idtok' },
      },
      credHelpers: { 'helped.example': 'fake' },
    }),
  );
  const env = { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` };
  assert.deepEqual(await credentialsFor('registry-1.docker.io', env), { Username: 'me', Secret: 'pw' });
  assert.deepEqual(await credentialsFor('tok.example', env), { Username: '', Secret: 'idtok' });
  assert.deepEqual(await credentialsFor('helped.example', env), { Username: 'hu', Secret: 'hs' });
  assert.equal(await credentialsFor('other.example', env), undefined);
});

test('secrets come from files or env, missing ones are clear errors', () => {
  const f = path.join(tempDir('bkl-sec-'), 's');
  fs.writeFileSync(f, 'filevalue');
  const specs = [{ id: 'a', src: f }, { id: 'b', env: 'B' }, { id: 'c', src: '/nonexistent/x' }];
  assert.equal(readSecret(specs, 'a', {}).toString(), 'filevalue');
  assert.equal(readSecret(specs, 'b', { B: 'envvalue' }).toString(), 'envvalue');
  assert.throws(() => readSecret(specs, 'b', {}), /environment variable B is not set/);
  assert.throws(() => readSecret(specs, 'c', {}), /secret c: cannot read \/nonexistent\/x: no such file or directory$/);
  assert.throws(() => readSecret(specs, 'zzz', {}), /secret zzz: not found/);
});
