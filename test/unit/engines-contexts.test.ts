// Docker contexts as the engine picker lists them, and "context:NAME" as the engine setting.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listContexts } from '../../src/engine/contexts';
import { resolveEndpoint } from '../../src/engine/endpoint';
import { tempDir } from '../support/tmp';

function configWith(contexts: Record<string, { host: string; description?: string; tls?: boolean }>, current?: string): string {
  const dir = tempDir('bkl-ctxs-');
  for (const [name, c] of Object.entries(contexts)) {
    const id = crypto.createHash('sha256').update(name).digest('hex');
    fs.mkdirSync(path.join(dir, 'contexts', 'meta', id), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: { Description: c.description }, Endpoints: { docker: { Host: c.host, SkipTLSVerify: false } } }),
    );
    if (c.tls) {
      const tlsDir = path.join(dir, 'contexts', 'tls', id, 'docker');
      fs.mkdirSync(tlsDir, { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(tlsDir, f), f);
    }
  }
  // a broken entry is skipped, not fatal
  fs.mkdirSync(path.join(dir, 'contexts', 'meta', 'junk'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'contexts', 'meta', 'junk', 'meta.json'), '{');
  if (current) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  return dir;
}

test('listContexts: default first, then by name; current from DOCKER_CONTEXT, else config.json', () => {
  const dir = configWith({ zeta: { host: 'ssh://me@box' }, remote: { host: 'tcp://10.1.2.3:2376', description: 'lab', tls: true } }, 'remote');
  const env = { DOCKER_CONFIG: dir };
  assert.deepEqual(listContexts(env), [
    { name: 'default', host: 'unix:///var/run/docker.sock', description: 'Current DOCKER_HOST based configuration', current: false },
    { name: 'remote', host: 'tcp://10.1.2.3:2376', description: 'lab', current: true },
    { name: 'zeta', host: 'ssh://me@box', description: undefined, current: false },
  ]);
  const viaEnv = listContexts({ ...env, DOCKER_CONTEXT: 'zeta', DOCKER_HOST: 'tcp://h:1' });
  assert.deepEqual(viaEnv.filter((c) => c.current).map((c) => c.name), ['zeta']);
  assert.equal(viaEnv[0].host, 'tcp://h:1');
  assert.deepEqual(listContexts({ DOCKER_CONFIG: path.join(dir, 'missing') }).map((c) => c.name), ['default']);
});

test('engine setting "context:NAME" resolves that context with its TLS files', () => {
  const dir = configWith({ remote: { host: 'tcp://10.1.2.3:2376', tls: true } });
  const ep = resolveEndpoint({ host: 'context:remote', env: { DOCKER_CONFIG: dir } });
  assert.equal(ep.source, 'context remote');
  assert.equal(ep.host, 'tcp://10.1.2.3:2376');
  assert.equal(ep.tls?.cert?.toString(), 'cert.pem');
  assert.throws(() => resolveEndpoint({ host: 'context:nope', env: { DOCKER_CONFIG: dir } }), /context "nope" does not exist/);
});
