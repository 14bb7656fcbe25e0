import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogStore } from '../../src/progress/memoryLogStore';
import { FileLogStore } from '../../src/progress/fileLogStore';
import { tempDir } from '../support/tmp';

test('memory store keeps the head within budget and hands the rest to spill, in order', () => {
  const spilled: string[] = [];
  const store = new MemoryLogStore({ maxBytes: 10, spill: (d, s, c) => spilled.push(`${d}/${s}:${Buffer.from(c)}`) });
  store.append('a', 1, Buffer.from('12345'));
  store.append('b', 2, Buffer.from('abcd'));
  store.append('a', 1, Buffer.from('6789')); // over budget: spills
  store.append('b', 1, Buffer.from('e')); // fits the budget, but must stay in memory order
  store.append('a', 2, Buffer.from('0')); // 'a' overflowed already: spills too
  assert.deepEqual(spilled, ['a/1:6789', 'a/2:0']);
  assert.equal(store.read('b'), 'abcde');
  assert.ok(store.isComplete('b'));
  assert.ok(!store.isComplete('a'));
  assert.equal(store.size('a'), 10);
  assert.equal(store.memoryBytes(), 10);
});

test('memory store without spill target says how many bytes it could not keep', () => {
  const store = new MemoryLogStore({ maxBytes: 4 });
  store.append('a', 1, Buffer.from('abc'));
  store.append('a', 1, Buffer.from('defgh'));
  assert.equal(store.dropped('a'), 5);
  assert.match(store.read('a'), /^abc\n\[buildkit-lens: 5 more bytes of this log were not kept in memory\]/);
});

test('memory store copies chunks (wire buffers get reused)', () => {
  const store = new MemoryLogStore();
  const buf = Buffer.from('hello');
  store.append('a', 1, buf);
  buf.write('HELLO');
  assert.equal(store.read('a'), 'hello');
});

test('file store: 50 MB of logs, memory bounded, every byte readable, dispose removes files', () => {
  const tmpRoot = tempDir('bkl-test-');
  const store = new FileLogStore({ maxMemoryBytes: 1024 * 1024, tmpRoot });
  const steps = ['sha256:aa', 'sha256:bb', 'sha256:cc', 'sha256:dd'];
  const hashes = steps.map(() => crypto.createHash('sha256'));
  const sizes = steps.map(() => 0);
  const line = Buffer.from(`${'x'.repeat(90)} ünïcode\n`);
  let total = 0;
  for (let i = 0; total < 50 * 1024 * 1024; i++) {
    const s = i % steps.length;
    // chunks that end mid-line, and a changing prefix so the content is not periodic
    const chunk = Buffer.concat([Buffer.from(`${i}:`), line, line.subarray(0, 37 + (i % 40))]);
    store.append(steps[s], 1 + (i % 2), chunk);
    hashes[s].update(chunk);
    sizes[s] += chunk.length;
    total += chunk.length;
  }
  assert.ok(store.memoryBytes() <= 1024 * 1024);
  for (let s = 0; s < steps.length; s++) {
    const text = store.read(steps[s]);
    assert.equal(store.size(steps[s]), sizes[s]);
    assert.equal(Buffer.byteLength(text), sizes[s]);
    assert.equal(crypto.createHash('sha256').update(text).digest('hex'), hashes[s].copy().digest('hex'));
  }
  // appending after a read keeps going at the end of the file
  store.append(steps[0], 1, Buffer.from('TAIL\n'));
  assert.ok(store.read(steps[0]).endsWith('TAIL\n'));
  const dir = store.directory()!;
  assert.ok(fs.existsSync(dir));
  assert.equal(fs.readdirSync(dir).length, steps.length);
  store.dispose();
  assert.ok(!fs.existsSync(dir));
});

test('file store: small logs stay in memory, filePath() writes them out on demand', () => {
  const tmpRoot = tempDir('bkl-test-');
  const store = new FileLogStore({ tmpRoot });
  store.append('sha256:a', 1, Buffer.from('one\n'));
  assert.equal(store.directory(), undefined);
  const file = store.filePath('sha256:a');
  assert.equal(fs.readFileSync(file, 'utf8'), 'one\n');
  store.dispose();
});

test('file store: when the disk fails the bytes stay in memory and the error is reported', () => {
  const notADir = path.join(os.tmpdir(), `bkl-not-a-dir-${process.pid}`);
  fs.writeFileSync(notADir, '');
  const store = new FileLogStore({ maxMemoryBytes: 8, tmpRoot: notADir });
  store.append('sha256:a', 1, Buffer.from('12345678'));
  store.append('sha256:a', 1, Buffer.from('9abcdef\n'));
  assert.equal(store.read('sha256:a'), '123456789abcdef\n');
  assert.ok(store.lastWriteError());
  store.dispose();
  fs.rmSync(notADir, { force: true });
});

test('file store: nothing is written after dispose; folders of ended processes are removed, live ones kept', async () => {
  const tmpRoot = tempDir('bkl-test-');
  const store = new FileLogStore({ maxMemoryBytes: 1024, tmpRoot });
  store.append('sha256:aa', 1, Buffer.alloc(4096, 120));
  const dir = store.directory()!;
  assert.match(path.basename(dir), new RegExp(`^buildkit-lens-logs-${process.pid}-`));
  store.dispose();
  // status still arriving as the build winds down
  store.append('sha256:aa', 1, Buffer.alloc(4096, 120));
  store.append('sha256:bb', 1, Buffer.alloc(4096, 120));
  assert.deepEqual(fs.readdirSync(tmpRoot), []);

  const { removeFoldersOfEndedProcesses } = await import('../../src/staleFolders');
  const { spawnSync } = await import('node:child_process');
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  for (const name of [`buildkit-lens-logs-${ended}-abc`, `buildkit-lens-logs-${process.pid}-def`, `other-${ended}-x`]) fs.mkdirSync(path.join(tmpRoot, name));
  removeFoldersOfEndedProcesses(tmpRoot, 'buildkit-lens-logs-');
  assert.deepEqual(fs.readdirSync(tmpRoot).sort(), [`buildkit-lens-logs-${process.pid}-def`, `other-${ended}-x`]);
});
