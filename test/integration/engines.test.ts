// Every way of reaching an engine, each with a real build: tcp, tcp+TLS (a private engine with its
// own CA), Docker contexts (--context, DOCKER_CONTEXT, currentContext, a TLS context), two engines
// from one process at once.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startBuild } from '../../src/buildkit/build';
import { connectEngine, type Engine } from '../../src/engine/connect';
import type { ResolveOptions } from '../../src/engine/endpoint';
import { build, closeEngines, options, writeTree } from '../support/build';
import { freePort, installClientCerts, makeCerts, writeContext, type TestCerts } from '../support/certs';
import { runCli } from '../support/cli';
import { testEngines } from '../support/engines';
import { startPrivateEngine, type PrivateEngine } from '../support/privateEngine';
import { tempDir } from '../support/tmp';

const engines = testEngines();
const d26 = engines.find((e) => e.name === 'd26');
const d20 = engines.find((e) => e.name === 'd20');

/** Builds once through a fresh connection resolved from opts; answers the image's labels. */
async function buildVia(resolve: ResolveOptions, label: string): Promise<{ engine: Engine; labels: Record<string, string> }> {
  const engine = await connectEngine(resolve);
  try {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\nRUN cat /a > /b\n', a: label });
    const tag = `bkl-engines:${label}`;
    const r = await startBuild(engine, options(ctx, { tags: [tag], labels: { via: label } }), () => {}).done;
    assert.equal(r.ok, true, `${label}: ${r.error?.message}`);
    const inspect = await engine.docker.getImage(tag).inspect();
    return { engine, labels: inspect.Config.Labels ?? {} };
  } finally {
    await engine.close();
  }
}

describe('engine endpoints', { skip: !d26 && 'needs the d26 engine', timeout: 300_000 }, () => {
  let certs: TestCerts;
  let tlsPort: number;
  let priv: PrivateEngine;
  let configDir: string;
  before(async () => {
    certs = makeCerts();
    tlsPort = await freePort();
    priv = startPrivateEngine('/tmp/bkl-tls', {
      args: [`-H tcp://127.0.0.1:${tlsPort}`, '--tlsverify', `--tlscacert ${certs.ca}`, `--tlscert ${certs.serverCert}`, `--tlskey ${certs.serverKey}`],
    });
    configDir = tempDir('bkl-dockercfg-');
    writeContext(configDir, 'tls', `tcp://127.0.0.1:${tlsPort}`, certs);
    writeContext(configDir, 'plain26', d26!.host);
  });
  after(async () => {
    priv?.stop();
    await closeEngines();
  });

  test('tcp+TLS (DOCKER_TLS_VERIFY + DOCKER_CERT_PATH): /grpc and /session upgrade over TLS, the build lands', async () => {
    const certDir = path.join(configDir, 'env-certs');
    installClientCerts(certs, certDir);
    const env = { ...process.env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir };
    const { engine, labels } = await buildVia({ host: `tcp://127.0.0.1:${tlsPort}`, env }, 'tls');
    assert.equal(engine.endpoint.kind, 'tcp');
    assert.ok(engine.endpoint.tls?.cert, 'client certificate in use');
    assert.equal(labels.via, 'tls');
  });

  test('tcp+TLS without TLS settings, or without a client certificate: one clear line each', async () => {
    const oneLine = (re: RegExp) => (e: Error) => {
      assert.ok(!e.message.includes('\n'), e.message);
      assert.match(e.message, re);
      return true;
    };
    const host = `tcp://127.0.0.1:${tlsPort}`;
    await assert.rejects(
      connectEngine({ host, env: { ...process.env, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' }, timeoutMs: 5000 }),
      oneLine(/expects TLS: set DOCKER_TLS_VERIFY=1/),
    );
    const caOnly = path.join(configDir, 'ca-only');
    fs.mkdirSync(caOnly, { recursive: true });
    fs.copyFileSync(certs.ca, path.join(caOnly, 'ca.pem'));
    await assert.rejects(
      connectEngine({ host, env: { ...process.env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: caOnly }, timeoutMs: 5000 }),
      oneLine(/127\.0\.0\.1/),
    );
  });

  test('contexts: --context with its TLS dir, DOCKER_CONTEXT, currentContext; --host beats them', async () => {
    const env = { ...process.env, DOCKER_CONFIG: configDir, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
    const viaFlag = await buildVia({ context: 'tls', env }, 'ctx-flag');
    assert.equal(viaFlag.engine.endpoint.source, 'context tls');
    assert.equal(viaFlag.labels.via, 'ctx-flag');

    const viaEnv = await connectEngine({ env: { ...env, DOCKER_CONTEXT: 'plain26' } });
    assert.equal(viaEnv.endpoint.host, d26!.host);
    assert.equal((await viaEnv.info()).serverVersion.split('.')[0], '26');
    await viaEnv.close();

    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'tls' }));
    try {
      const viaCurrent = await connectEngine({ env });
      assert.equal(viaCurrent.endpoint.source, 'context tls');
      assert.ok((await viaCurrent.info()).serverVersion);
      await viaCurrent.close();
      // DOCKER_HOST wins over currentContext, exactly like the docker CLI
      const viaHost = await connectEngine({ env: { ...env, DOCKER_HOST: d26!.host } });
      assert.equal(viaHost.endpoint.source, 'DOCKER_HOST');
      await viaHost.close();
    } finally {
      fs.rmSync(path.join(configDir, 'config.json'));
    }
  });

  test('the CLI builds through --context tls', async () => {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\n', a: 'cli' });
    const run = await runCli(['build', '--context', 'tls', '--progress', 'plain', '-t', 'bkl-engines:cli', ctx], {
      env: { DOCKER_CONFIG: configDir, DOCKER_HOST: '', DOCKER_CONTEXT: '' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /DONE|naming to/);
  });

  test('a CA known only from NODE_EXTRA_CA_CERTS is trusted, also through the command that keeps it from Node', async () => {
    // a context whose TLS dir has no ca.pem verifies against the default roots, as the docker CLI does;
    // the command (dist/buildkit-lens) hands the file over instead of letting Node load it at start-up
    writeContext(configDir, 'tls-no-ca', `tcp://127.0.0.1:${tlsPort}`, certs);
    const id = crypto.createHash('sha256').update('tls-no-ca').digest('hex');
    fs.rmSync(path.join(configDir, 'contexts', 'tls', id, 'docker', 'ca.pem'));
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\n', a: 'extra-ca' });
    const env = { DOCKER_CONFIG: configDir, DOCKER_HOST: '', DOCKER_CONTEXT: '', NODE_EXTRA_CA_CERTS: certs.ca };
    const args = ['build', '--context', 'tls-no-ca', '--progress', 'plain', '-t', 'bkl-engines:extra-ca', ctx];
    for (const viaCommand of [true, false]) {
      const run = await runCli(args, { env, viaCommand });
      assert.equal(run.code, 0, `${viaCommand ? 'command' : 'node dist/cli.js'}: ${run.stderr}`);
    }
    // without it the engine's certificate is not trusted, in one line
    const untrusted = await runCli(args, { env: { ...env, NODE_EXTRA_CA_CERTS: '' }, viaCommand: true });
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.match(untrusted.stderr, /^ERROR: .*certificate[^\n]*\n$/);
  });

  test('Control dials unix and TLS engines itself: a build needs no temp folder (the bridge needed one)', async () => {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\n', a: `no-tmp ${Date.now()}` });
    const env = { DOCKER_CONFIG: configDir, DOCKER_HOST: '', DOCKER_CONTEXT: '', TMPDIR: '/nonexistent/bkl-tmp' };
    const socket = d26!.host.slice('unix://'.length);
    // a relative socket path too, from the socket's folder ("unix://docker.sock")
    const ways: [string[], string | undefined][] = [[['-H', d26!.host], undefined], [['--context', 'tls'], undefined], [['-H', `unix://${path.basename(socket)}`], path.dirname(socket)]];
    for (const [where, cwd] of ways) {
      const run = await runCli(['build', ...where, '--progress', 'plain', ctx], { env, cwd });
      assert.equal(run.code, 0, `${where.join(' ')}: ${run.stderr}`);
    }
  });

  test('an engine given by --host is reached though DOCKER_HOST and a cert folder without ca.pem are set', async () => {
    // docker-modem reads DOCKER_CERT_PATH's files whenever DOCKER_HOST is set, whatever it is told to use
    const noCa = path.join(configDir, 'no-ca');
    fs.mkdirSync(noCa, { recursive: true });
    fs.copyFileSync(certs.clientCert, path.join(noCa, 'cert.pem'));
    fs.copyFileSync(certs.clientKey, path.join(noCa, 'key.pem'));
    const run = await runCli(['info', '--json', '-H', d26!.host], { env: { DOCKER_HOST: `tcp://127.0.0.1:${tlsPort}`, DOCKER_CERT_PATH: noCa } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).endpoint, d26!.host);
  });

  test('plain tcp: the same build through a TCP listener forwarding to the engine', async () => {
    // dockerd 26 delays its start by 15 s for an unauthenticated tcp listener, so the plain tcp
    // hop is ours: a real TCP connection carrying plain HTTP and both h2c upgrades.
    const sock = d26!.host.slice('unix://'.length);
    const server = net.createServer((c) => {
      const up = net.connect(sock);
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    // an HTTP proxy in the environment is not for /grpc (the Docker CLI dials its upgraded connections
    // directly too); grpc-js would otherwise send Control through it, here to a port nothing listens on
    const savedProxy = process.env.grpc_proxy;
    process.env.grpc_proxy = `http://127.0.0.1:${await freePort()}`;
    try {
      const { engine, labels } = await buildVia({ host: `tcp://127.0.0.1:${port}`, env: { ...process.env, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' } }, 'tcp');
      assert.equal(engine.endpoint.tls, undefined);
      assert.equal(labels.via, 'tcp');
    } finally {
      if (savedProxy === undefined) delete process.env.grpc_proxy;
      else process.env.grpc_proxy = savedProxy;
      server.close();
    }
  });

  test('two engines from one process: builds on d20 and d26 at the same time', { skip: !d20 && 'needs d20' }, async () => {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nARG N\nRUN echo "$N" > /n && sleep 1\n' });
    const n = String(Date.now());
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      build(d20!.host, options(ctx, { buildArgs: { N: n } })),
      build(d26!.host, options(ctx, { buildArgs: { N: n } })),
    ]);
    const took = Date.now() - t0;
    assert.equal(a.result.ok, true, a.result.error?.message);
    assert.equal(b.result.ok, true, b.result.error?.message);
    // both RUN steps ran (no cache shared across engines), and overlapped in time
    const run = (m: typeof a.model) => m.steps().find((s) => s.name.includes('RUN'))!;
    const [ra, rb] = [run(a.model), run(b.model)];
    assert.ok(ra.started && rb.started && ra.completed && rb.completed);
    assert.ok(ra.started! < rb.completed! && rb.started! < ra.completed!, 'the two RUN steps overlapped');
    assert.ok(took < 30_000, `took ${took} ms`);
  });
});
