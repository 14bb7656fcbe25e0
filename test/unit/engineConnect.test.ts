// connectEngine connects where the endpoint says, whatever docker-modem would read from the
// environment on its own (it reads DOCKER_CERT_PATH's files whenever DOCKER_HOST is set).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { connectEngine } from '../../src/engine/connect';
import { tempDir } from '../support/tmp';

/** an engine that answers GET /version, enough for connectEngine */
async function versionOnlyEngine(): Promise<{ host: string; close(): void }> {
  const sock = path.join(tempDir('bkl-fake-engine-'), 'docker.sock');
  const version = JSON.stringify({ Version: '26.1.5', ApiVersion: '1.45', Os: 'linux', Arch: 'amd64' });
  const server = net.createServer((c) => {
    c.on('data', (d) => {
      if (/^GET \S*\/version /m.test(d.toString('latin1'))) c.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${version.length}\r\n\r\n${version}`);
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  return { host: `unix://${sock}`, close: () => server.close() };
}

test('an engine given by --host connects though DOCKER_HOST and a cert folder without ca.pem are set', async () => {
  const engine = await versionOnlyEngine();
  const certs = tempDir('bkl-certs-no-ca-');
  fs.writeFileSync(path.join(certs, 'cert.pem'), 'cert');
  fs.writeFileSync(path.join(certs, 'key.pem'), 'key');
  const saved = { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CERT_PATH: process.env.DOCKER_CERT_PATH };
  process.env.DOCKER_HOST = 'tcp://127.0.0.1:2376';
  process.env.DOCKER_CERT_PATH = certs;
  try {
    const connected = await connectEngine({ host: engine.host, timeoutMs: 5000 });
    assert.equal(connected.endpoint.host, engine.host);
    assert.equal(process.env.DOCKER_HOST, 'tcp://127.0.0.1:2376', 'the environment is left as it was');
    await connected.close();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    engine.close();
  }
});
