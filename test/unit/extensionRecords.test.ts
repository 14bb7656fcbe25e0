// Build records: what a panel restored after a reload reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { BuildRecords } from '../../src/extension/buildRecords';
import type { Snapshot, Step } from '../../webview/protocol';
import { tempDir } from '../support/tmp';

const step = (digest: string): Step => ({ digest, number: 1, name: digest, inputs: [], state: 'done', cached: false, durationMs: 1, statuses: [], warnings: 0, logBytes: 1 });

function snapshot(id: string, steps: Step[]): Snapshot {
  return {
    build: { id, dockerfileLabel: 'Dockerfile', dockerfile: '/w/Dockerfile', contextDir: '/w', tags: [], platforms: [], startedAt: 0 },
    steps,
    summary: { total: steps.length, completed: steps.length, cached: 0, running: 0, errors: 0, durationMs: 5 },
    warnings: [],
    outcome: { ok: true, canceled: false, durationMs: 5 },
    now: 5,
  };
}

test('a saved build loads back with its logs; huge logs keep their end', () => {
  const dir = tempDir('bkl-records-');
  const records = new BuildRecords(dir);
  const big = 'x'.repeat(2 * 1024 * 1024) + 'THE END\n';
  records.save(snapshot('b1', [step('a'), step('b'), step('quiet')]), (d) => (d === 'a' ? 'hello\n' : d === 'b' ? big : ''));
  const r = records.load('b1')!;
  assert.equal(r.snapshot.build.id, 'b1');
  assert.equal(r.logs.a, 'hello\n');
  assert.ok(r.logs.b.endsWith('THE END\n'));
  assert.ok(r.logs.b.length <= 1024 * 1024);
  assert.deepEqual(r.truncated, ['b']);
  assert.equal(r.logs.quiet, undefined);
  assert.equal(records.load('missing'), undefined);
  assert.equal(records.load('../../etc/passwd'), undefined, 'ids cannot leave the folder');
});

test('only the newest 30 records are kept', () => {
  const dir = tempDir('bkl-records-');
  const records = new BuildRecords(dir);
  for (let i = 0; i < 33; i++) {
    records.save(snapshot(`b${i}`, []), () => '');
    const t = new Date(Date.now() - (33 - i) * 1000);
    fs.utimesSync(path.join(dir, `b${i}.json`), t, t);
  }
  assert.equal(fs.readdirSync(dir).length, 30);
  assert.equal(records.load('b0'), undefined);
  assert.ok(records.load('b32'));
});
