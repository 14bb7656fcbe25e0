import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHost, resolveEndpoint } from '../../src/engine/endpoint';
import { EngineError } from '../../src/engine/errors';
import { tempDir } from '../support/tmp';

function tmpConfig(): string {
  return tempDir('bkl-cfg-');
}

function writeContext(cfg: string, name: string, host: string, tls = false): void {
  const id = crypto.createHash('sha256').update(name).digest('hex');
  fs.mkdirSync(path.join(cfg, 'contexts', 'meta', id), { recursive: true });
  fs.writeFileSync(
    path.join(cfg, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (tls) {
    const d = path.join(cfg, 'contexts', 'tls', id, 'docker');
    fs.mkdirSync(d, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(d, f), `${f}-data`);
  }
}

test('--host wins over DOCKER_HOST', () => {
  const ep = resolveEndpoint({ host: 'unix:///a.sock', env: { DOCKER_HOST: 'unix:///b.sock' } });
  assert.equal(ep.socketPath, '/a.sock');
  assert.equal(ep.source, '--host');
});

test('DOCKER_HOST wins over the config current context', () => {
  const cfg = tmpConfig();
  writeContext(cfg, 'remote', 'tcp://10.0.0.1:2375');
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
  const ep = resolveEndpoint({ env: { DOCKER_HOST: 'unix:///x.sock', DOCKER_CONFIG: cfg } });
  assert.equal(ep.socketPath, '/x.sock');
  assert.equal(ep.source, 'DOCKER_HOST');
});

test('current context from config.json, with its TLS material', () => {
  const cfg = tmpConfig();
  writeContext(cfg, 'secure', 'tcp://engine.example:2376', true);
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'secure' }));
  const ep = resolveEndpoint({ env: { DOCKER_CONFIG: cfg } });
  assert.equal(ep.kind, 'tcp');
  assert.equal(ep.hostname, 'engine.example');
  assert.equal(ep.port, 2376);
  assert.equal(ep.source, 'context secure');
  assert.equal(ep.tls?.ca?.toString(), 'ca.pem-data');
  assert.equal(ep.tls?.verify, true);
});

test('DOCKER_CONTEXT beats config.json; an unknown context is a clear error', () => {
  const cfg = tmpConfig();
  writeContext(cfg, 'a', 'unix:///a.sock');
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'nope' }));
  assert.equal(resolveEndpoint({ env: { DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'a' } }).socketPath, '/a.sock');
  assert.throws(() => resolveEndpoint({ env: { DOCKER_CONFIG: cfg } }), /context "nope" does not exist/);
});

test('default socket when nothing is configured', () => {
  const ep = resolveEndpoint({ env: { DOCKER_CONFIG: tmpConfig() } });
  assert.equal(ep.socketPath, '/var/run/docker.sock');
  assert.equal(ep.source, 'default');
});

test('DOCKER_TLS_VERIFY with DOCKER_CERT_PATH gives verified TLS on tcp', () => {
  const certs = tmpConfig();
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, f), f);
  const ep = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs } });
  assert.equal(ep.tls?.verify, true);
  assert.equal(ep.tls?.key?.toString(), 'key.pem');
});

test('DOCKER_TLS_VERIFY without certificates is refused', () => {
  assert.throws(
    () => resolveEndpoint({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tmpConfig() } }),
    EngineError,
  );
});

test('host forms', () => {
  assert.deepEqual(parseHost('tcp://127.0.0.1', 'x', undefined).port, 2375);
  assert.equal(parseHost('127.0.0.1:1234', 'x', undefined).port, 1234);
  const ssh = parseHost('ssh://me@box:2222', 'x', undefined);
  assert.equal(ssh.kind, 'ssh');
  assert.equal(ssh.username, 'me');
  assert.equal(ssh.port, 2222);
  assert.throws(() => parseHost('ftp://x', 'x', undefined), /unsupported engine host scheme/);
  assert.throws(() => parseHost('tcp://[bad', 'x', undefined), /invalid engine host/);
});

test('native gRPC on the engine socket from API 1.53, local sockets only, with an opt-out', async () => {
  const { nativeGrpcTarget } = await import('../../src/engine/connect');
  const unix = parseHost('unix:///run/docker.sock', 'x', undefined);
  const tcp = parseHost('tcp://10.0.0.1:2376', 'x', undefined);
  assert.equal(nativeGrpcTarget(unix, '1.53', {}), 'unix:/run/docker.sock');
  assert.equal(nativeGrpcTarget(unix, '1.54', {}), 'unix:/run/docker.sock');
  assert.equal(nativeGrpcTarget(unix, '1.52', {}), undefined);
  assert.equal(nativeGrpcTarget(unix, '1.45', {}), undefined);
  assert.equal(nativeGrpcTarget(tcp, '1.53', {}), undefined);
  assert.equal(nativeGrpcTarget(unix, '1.53', { BUILDKIT_LENS_NATIVE_GRPC: '0' }), undefined);
  // relative to the working folder, as the Docker CLI takes it (grpc-js reads unix://docker.sock as //docker.sock)
  assert.equal(nativeGrpcTarget(parseHost('unix://docker.sock', 'x', undefined), '1.53', {}), 'unix:docker.sock');
});

test('grpc-js dials unix and tcp engines itself (IPv6 in brackets); ssh and Windows pipes go through the bridge', async () => {
  const { dialTarget } = await import('../../src/buildkit/engineChannel');
  assert.equal(dialTarget(parseHost('unix:///run/docker.sock', 'x', undefined)), 'unix:/run/docker.sock');
  assert.equal(dialTarget(parseHost('unix://docker.sock', 'x', undefined)), 'unix:docker.sock');
  assert.equal(dialTarget(parseHost('tcp://10.0.0.1:2376', 'x', undefined)), 'dns:10.0.0.1:2376');
  assert.equal(dialTarget(parseHost('tcp://docker.example:2375', 'x', undefined)), 'dns:docker.example:2375');
  assert.equal(dialTarget(parseHost('tcp://[::1]:2376', 'x', undefined)), 'dns:[::1]:2376');
  assert.equal(dialTarget(parseHost('ssh://me@host', 'x', undefined)), undefined);
  assert.equal(dialTarget(parseHost('npipe:////./pipe/docker_engine', 'x', undefined)), undefined);
});
