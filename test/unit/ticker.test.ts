// src/extension/ticker.ts: the status bar's and the line decorations' tick runs only while a build
// runs, so an idle window has no timer waking its extension host.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { tickWhile } from '../../src/extension/ticker';

/** an event like Ctx.onDidChangeBuild, with a count of its listeners */
function changes() {
  const listeners = new Set<() => void>();
  return {
    fire: () => listeners.forEach((l) => l()),
    listeners: () => listeners.size,
    on: (l: () => void) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
  };
}

test('ticks only while active: none before, one timer during, none after; dispose stops it and unsubscribes', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const ev = changes();
  let running = false;
  let ticks = 0;
  const ticker = tickWhile(() => running, ev.on, 100, () => ticks++);
  t.mock.timers.tick(1000);
  assert.equal(ticks, 0, 'no tick while idle');
  running = true;
  ev.fire();
  ev.fire(); // a second change while running must not start a second timer
  t.mock.timers.tick(1000);
  assert.equal(ticks, 10);
  running = false;
  ev.fire();
  t.mock.timers.tick(1000);
  assert.equal(ticks, 10, 'no tick after the build ended');
  running = true;
  ev.fire();
  t.mock.timers.tick(300);
  assert.equal(ticks, 13, 'ticks again for the next build');
  ticker.dispose();
  t.mock.timers.tick(1000);
  assert.equal(ticks, 13, 'dispose clears a running timer');
  assert.equal(ev.listeners(), 0);
});

test('already active when made: ticks without waiting for a change', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let ticks = 0;
  const ticker = tickWhile(() => true, changes().on, 100, () => ticks++);
  t.mock.timers.tick(500);
  ticker.dispose();
  assert.equal(ticks, 5);
});
