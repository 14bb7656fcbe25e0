// Faults mid-build: cancel while the context is being transferred and while the image is being
// exported, and a session socket that dies during the transfer. Each ends promptly with nothing
// left open on our side and nothing left running in the engine.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { controlFor } from '../../src/buildkit/build';
import { listHistory } from '../../src/buildkit/history';
import { Session } from '../../src/buildkit/session';
import type { BuildOptions } from '../../src/buildkit/types';
import type { StatusResponse } from '../../src/progress/wire';
import { build, closeEngines, engineFor, options, writeTree, type Built } from '../support/build';
import { testEngines, type TestEngine } from '../support/engines';

after(closeEngines);

const d26 = testEngines().find((e) => e.name === 'd26');
const d26c = testEngines().find((e) => e.name === 'd26c');

const openFds = () => fs.readdirSync('/proc/self/fd').length;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A context with one large sparse file: cheap to make, seconds to transfer. */
function largeContext(mb: number): string {
  const ctx = writeTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n' });
  fs.writeFileSync(path.join(ctx, 'big.bin'), Buffer.from(`${process.pid}-${Date.now()}`)); // new content, no cache hit
  fs.truncateSync(path.join(ctx, 'big.bin'), mb << 20);
  return ctx;
}

function transferring(s: StatusResponse): boolean {
  return s.statuses.some((st) => st.ID.startsWith('transferring') && Number(st.current) > 0);
}

/** Open fds and engine connections before, and a check that both are back after the build. */
async function leakGuard(eng: TestEngine): Promise<() => Promise<void>> {
  const control = await controlFor(await engineFor(eng.host));
  await control.listWorkers(); // the shared control connection is up before counting
  const conns0 = control.openEngineConnections;
  const fds0 = openFds();
  return async () => {
    await settle(300);
    assert.equal(control.openEngineConnections, conns0, `engine connections ${conns0} → ${control.openEngineConnections}`);
    assert.ok(openFds() <= fds0 + 1, `open fds ${fds0} → ${openFds()}`);
  };
}

/** The engine runs no build of ours any more, and takes the next one. */
async function engineStillWorks(eng: TestEngine, ref: string): Promise<void> {
  const active = await listHistory(await engineFor(eng.host), { activeOnly: true });
  assert.ok(!active.some((r) => r.ref === ref && r.state === 'running'), 'the engine still runs the build');
  const next = await build(eng.host, options(writeTree({ Dockerfile: 'FROM busybox\nRUN echo after-the-fault\n' }), { noCache: true }));
  assert.equal(next.result.ok, true, next.result.error?.message);
}

/** Builds, injects `fault` once at the first status `when` accepts; then nothing may be left open or running. */
async function buildWithFault(
  eng: TestEngine, opts: BuildOptions, when: (s: StatusResponse) => boolean, fault: (cancel: () => void) => void,
): Promise<{ b: Built; ms: number }> {
  const leaks = await leakGuard(eng);
  let at = 0;
  const b = await build(eng.host, opts, (s, cancel) => {
    if (!at && when(s)) {
      at = Date.now();
      fault(cancel);
    }
  });
  const ms = Date.now() - at;
  assert.ok(at > 0, 'the build reached the point of the fault');
  await leaks();
  await engineStillWorks(eng, b.result.ref);
  return { b, ms };
}

describe('faults mid-build', { timeout: 300_000 }, () => {
  test('cancel during the context transfer: canceled within 2 s, nothing left open', { skip: !d26 && 'needs d26' }, async (t) => {
    const { b, ms } = await buildWithFault(d26!, options(largeContext(1024)), transferring, (cancel) => cancel());
    t.diagnostic(`ended ${ms} ms after cancel`);
    assert.equal(b.result.canceled, true, JSON.stringify(b.result.error));
    assert.ok(ms < 2000, `ended ${ms} ms after cancel`);
  });

  test('cancel at "exporting to image" of a large COPY: canceled within 2 s, nothing left open', { skip: !d26c && 'needs d26c (its export compresses layers: seconds long)' }, async (t) => {
    const ctx = writeTree({
      Dockerfile: `FROM busybox AS gen\nRUN dd if=/dev/urandom of=/big bs=1M count=150 2>/dev/null && echo ${Date.now()}\nFROM scratch\nCOPY --from=gen /big /big\n`,
    });
    const exporting = (s: StatusResponse) => s.vertexes.some((v) => v.name === 'exporting to image' && !!v.started);
    const { b, ms } = await buildWithFault(d26c!, options(ctx), exporting, (cancel) => cancel());
    t.diagnostic(`ended ${ms} ms after cancel`);
    assert.equal(b.result.canceled, true, JSON.stringify(b.result.error));
    assert.ok(ms < 2000, `ended ${ms} ms after cancel`);
  });

  test('the session socket dies during the transfer: a clear one-line error, no hang', { skip: !d26 && 'needs d26' }, async (t) => {
    // keep a handle on the real session socket to destroy it, as a dying connection would
    const sockets: Duplex[] = [];
    const serveOn = Session.prototype.serveOn;
    Session.prototype.serveOn = function (this: Session, socket: Duplex) {
      sockets.push(socket);
      return serveOn.call(this, socket);
    };
    try {
      const { b, ms } = await buildWithFault(d26!, options(largeContext(1024)), transferring, () => sockets[0].destroy());
      t.diagnostic(`ended ${ms} ms after the socket died: ${b.result.error?.message}`);
      assert.ok(ms < 5000, `ended ${ms} ms after the socket died`);
      assert.equal(b.result.ok, false);
      assert.equal(b.result.canceled, false);
      assert.match(b.result.error!.message, /session/);
      assert.ok(!b.result.error!.message.includes('\n'), b.result.error!.message);
    } finally {
      Session.prototype.serveOn = serveOn;
    }
  });
});
