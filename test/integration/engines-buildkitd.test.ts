// The standalone-buildkitd path: d26's /grpc exposed through our bridge as a plain gRPC socket (what
// buildkitd listens on), dialed as buildkit+unix:// and, behind a mutual-TLS listener, as
// buildkit+tcp://. No Docker API, no POST /session: the session rides inside Control.Session.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { startBuild } from '../../src/buildkit/build';
import { connectEngine, type Engine } from '../../src/engine/connect';
import { openGrpcBridge, type GrpcBridge } from '../../src/engine/bridge';
import { parseHost } from '../../src/engine/endpoint';
import { closeEngines, engineFor, options, writeTree } from '../support/build';
import { installClientCerts, makeCerts, type TestCerts } from '../support/certs';
import { runCli } from '../support/cli';
import { testEngines } from '../support/engines';

const d26 = testEngines().find((e) => e.name === 'd26');

describe('standalone buildkitd endpoint (Control.Session)', { skip: !d26 && 'needs the d26 engine', timeout: 120_000 }, () => {
  let bridge: GrpcBridge;
  let certs: TestCerts;
  let tlsServer: tls.Server;
  let tlsPort: number;
  const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\nRUN cat /a > /b\n', a: 'via control session' });
  before(async () => {
    bridge = await openGrpcBridge(parseHost(d26!.host, 'test', undefined));
    certs = makeCerts();
    // buildkitd --tlscacert/--tlscert/--tlskey: clients must show a certificate from the CA
    tlsServer = tls.createServer(
      { ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.serverCert), key: fs.readFileSync(certs.serverKey), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
      (c) => {
        const up = net.connect(bridge.target.slice('unix://'.length));
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      },
    );
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    tlsPort = (tlsServer.address() as net.AddressInfo).port;
  });
  after(async () => {
    tlsServer?.close();
    await bridge?.close();
    await closeEngines();
  });

  test('buildkit+unix://: a whole build with the session over Control.Session; moby output lands in the engine', async () => {
    const engine: Engine = await connectEngine({ host: `buildkit+${bridge.target}` });
    try {
      assert.ok(engine.buildkit);
      assert.throws(() => engine.docker, /no Docker API/);
      const tag = 'bkl-buildkitd:unix';
      const r = await startBuild(engine, options(ctx, { noCache: true, outputs: [{ type: 'moby', attrs: { name: tag } }] }), () => {}).done;
      assert.equal(r.ok, true, r.error?.message);
      const image = await (await engineFor(d26!.host)).docker.getImage(tag).inspect();
      assert.equal(image.Id, r.exporterResponse['containerimage.digest'] ?? image.Id);

      // no output: buildkitd keeps the result in its cache and says nothing about images
      const bare = await startBuild(engine, options(ctx), () => {}).done;
      assert.equal(bare.ok, true, bare.error?.message);
      assert.equal(bare.exporterResponse['containerimage.digest'], undefined);

      // a result streamed back to the client (FileSend) comes through the tunnelled session too
      const dest = path.join(certs.dir, 'result.tar');
      const tar = await startBuild(engine, options(ctx, { outputs: [{ type: 'tar', attrs: { dest } }] }), () => {}).done;
      assert.equal(tar.ok, true, tar.error?.message);
      const names = execFileSync('tar', ['tf', dest], { encoding: 'utf8' }).split('\n');
      assert.ok(names.includes('a') && names.includes('b'), names.join(' '));
    } finally {
      await engine.close();
    }
  });

  test('buildkit+unix:// with a relative path, from the socket\'s folder: the CLI builds through it', async () => {
    // grpc-js reads "unix://bk.sock" as the path "//bk.sock"; the target must be "unix:bk.sock"
    const socket = bridge.target.slice('unix://'.length);
    const run = await runCli(['build', '-H', `buildkit+unix://${path.basename(socket)}`, '--network', 'none', '--progress', 'plain', ctx], { cwd: path.dirname(socket) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /#\d+ DONE/);
  });

  test('buildkit+tcp:// with mutual TLS: builds with the client certificate, one clear line without it', async (t) => {
    const certDir = path.join(certs.dir, 'client');
    installClientCerts(certs, certDir);
    const host = `buildkit+tcp://127.0.0.1:${tlsPort}`;
    const engine = await connectEngine({ host, env: { ...process.env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir } });
    try {
      const r = await startBuild(engine, options(ctx, { outputs: [{ type: 'moby', attrs: { name: 'bkl-buildkitd:tls' } }] }), () => {}).done;
      assert.equal(r.ok, true, r.error?.message);
    } finally {
      await engine.close();
    }
    const caOnly = path.join(certs.dir, 'ca-only');
    fs.mkdirSync(caOnly);
    fs.copyFileSync(certs.ca, path.join(caOnly, 'ca.pem'));
    const noCert = await connectEngine({ host, env: { ...process.env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: caOnly } });
    try {
      const r = await startBuild(noCert, options(ctx), () => {}).done;
      assert.equal(r.ok, false);
      assert.ok(!r.error!.message.includes('\n'), r.error!.message);
      t.diagnostic(r.error!.message);
    } finally {
      await noCert.close();
    }
  });
});
