// A remote-style engine: TCP with TLS and client certificates, named by a Docker context, built on from
// inside VS Code's extension host, which patches Node's http, https, net and tls for its proxy and
// certificate support. Control (upgraded on grpc-js's own connection) and the session both cross it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { dockerConfigDir } from '../../../src/engine/endpoint';
import { freePort, makeCerts, removeContext, writeContext } from '../../support/certs';
import { startPrivateEngine, type PrivateEngine } from '../../support/privateEngine';
import { api, testEngineHost, useTestEngine, writeFile } from './helpers';

const sharedHost = testEngineHost();
const CONTEXT = `bkl-e2e-tls-${process.pid}`;

suite('a TLS engine named by a Docker context', function () {
  let engine: PrivateEngine | undefined;
  const configDir = dockerConfigDir(process.env);

  suiteSetup(async function () {
    // BKL_TEST_ENGINES set means the engines are installed
    if (!sharedHost) return this.skip();
    this.timeout(120_000);
    await api();
    const certs = makeCerts();
    const port = await freePort();
    engine = startPrivateEngine('/tmp/bkl-e2e-tls', {
      args: [`-H tcp://127.0.0.1:${port}`, '--tlsverify', `--tlscacert ${certs.ca}`, `--tlscert ${certs.serverCert}`, `--tlskey ${certs.serverKey}`],
    });
    writeContext(configDir, CONTEXT, `tcp://127.0.0.1:${port}`, certs);
    await useTestEngine(`context:${CONTEXT}`);
  });

  suiteTeardown(async () => {
    if (!sharedHost) return;
    await useTestEngine(sharedHost);
    removeContext(configDir, CONTEXT);
    engine?.stop();
  });

  test('a build with a RUN step lands in the engine, its steps and log followed live', async () => {
    const { ctx } = await api();
    const nonce = Date.now();
    const uri = writeFile('tls/Dockerfile', `FROM busybox:latest\nRUN echo over-tls-${nonce}\n`);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    const r = await ticket.done;
    assert.equal(r.ok, true, r.error?.message);
    const session = ctx.sessions.get(ticket.id)!;
    const run = session.model.steps().find((s) => /over-tls/.test(s.name))!;
    assert.equal(run.state, 'done');
    assert.match(session.model.logs.read(run.digest), new RegExp(`over-tls-${nonce}`));
  });
});
