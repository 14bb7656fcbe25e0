// FileSync.DiffCopy over a real grpc-js connection: our sender against a receiver that behaves
// like the engine's (validates order, requests files, checks bytes, sends FIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { sessionServices } from '../../src/buildkit/proto';
import { Metadata, status } from '@grpc/grpc-js';
import { CHUNK_SIZE, serveDiffCopy } from '../../src/buildkit/filesync/diffcopy';
import { metadataValues, parseDiffCopyRequest, queryUnescape, escapeFilesyncValues } from '../../src/buildkit/filesync/metadata';
import {
  isRegular, metadataFor, openFilesUnder, receive, sha256File, startHarness, validateStats,
} from '../fixtures/filesync/receiver';
import { tempDir } from '../support/tmp';

function tree(files: Record<string, string | Buffer>): string {
  const root = tempDir('fs-dc-');
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), body);
  }
  return root;
}

test('metadata: ", "-joined values are split, -encoded values are query-unescaped', () => {
  const md = metadataFor({
    'dir-name': 'context',
    'exclude-patterns': 'ignored.txt, *.log',
    followpaths: ['Dockerfile, Dockerfile.dockerignore', 'dockerfile'],
    'include-patterns': 'caf%C3%A9%2C+x, a%2Bb',
    'include-patterns-encoded': '1',
  });
  assert.deepEqual(parseDiffCopyRequest(md), {
    dirName: 'context',
    excludePatterns: ['ignored.txt', '*.log'],
    followPaths: ['Dockerfile', 'Dockerfile.dockerignore', 'dockerfile'],
    includePatterns: ['café, x', 'a+b'],
  });
  assert.equal(metadataValues(md, 'absent'), undefined);
  assert.equal(queryUnescape('bad%zz'), '', 'Go QueryUnescape fails → buildkit keeps ""');
  assert.equal(queryUnescape('%E2%98%BA+%2B'), '☺ +');
  const notEncoded = metadataFor({ 'exclude-patterns': 'a%2Cb', 'exclude-patterns-encoded': 'false' });
  assert.deepEqual(metadataValues(notEncoded, 'exclude-patterns'), ['a%2Cb']);
});

test('a pattern holding ", " stays one pattern, though Node joins repeated header fields with ", "', async () => {
  const root = tree({ 'x, y': '1', x: '2', y: '3', z: '4' });
  const excludes = metadataFor({ 'dir-name': 'context', 'exclude-patterns': ['x, y', 'z'] });
  const h = await startHarness({ context: root });
  try {
    const r = await receive(h, excludes);
    assert.equal(r.status.code, status.OK, r.status.details);
    assert.deepEqual(r.stats.map((s) => s.path), ['x', 'y']);
  } finally {
    await h.close();
  }
  // the same call without escapeFilesyncFields: the join really happens, so the check above means something
  const plain = await startHarness({ context: root }, {}, false);
  try {
    const r = await receive(plain, excludes);
    assert.deepEqual(r.stats.map((s) => s.path), ['x, y']);
  } finally {
    await plain.close();
  }
});

test('escapeFilesyncValues: raw fields re-sent escaped only when a value holds ", " or is not ASCII', () => {
  const latin1 = (s: string) => Buffer.from(s).toString('latin1'); // how Node hands over header bytes
  // BuildKit 0.8 sends non-ASCII values raw with no -encoded flag ('café' below); grpc-js would drop the key
  const raw = ['dir-name', 'context', 'exclude-patterns', 'a, b', 'exclude-patterns', latin1('ü, v'), 'followpaths', 'Dockerfile', 'followpaths', 'x', 'include-patterns', latin1('café')];
  const headers: Record<string, string | string[] | undefined> = { 'dir-name': 'context', 'exclude-patterns': `a, b, ${latin1('ü, v')}`, followpaths: 'Dockerfile, x', 'include-patterns': latin1('café') };
  escapeFilesyncValues(headers, raw);
  const md = Metadata.fromHttp2Headers(headers as never);
  assert.deepEqual(parseDiffCopyRequest(md), { dirName: 'context', excludePatterns: ['a, b', 'ü, v'], followPaths: ['Dockerfile', 'x'], includePatterns: ['café'] });
  assert.equal(headers.followpaths, 'Dockerfile, x', 'ASCII with no ", ": left as it came');
  // values the engine escaped hold no ", ": left alone
  const escaped: Record<string, string | string[] | undefined> = { 'exclude-patterns': 'a%2C+b, c', 'exclude-patterns-encoded': '1' };
  escapeFilesyncValues(escaped, ['exclude-patterns', 'a%2C+b', 'exclude-patterns', 'c', 'exclude-patterns-encoded', '1']);
  assert.equal(escaped['exclude-patterns'], 'a%2C+b, c');
});

test('round trip: every file requested out of order arrives intact, then FIN', async () => {
  const big = crypto.randomBytes(3 * 1024 * 1024 + 123);
  const root = tree({ 'Dockerfile': 'FROM scratch\n', 'src/a.ts': 'a', 'src/b/c.bin': big, 'empty.txt': '', 'ünï cödé/x y': 'z', 'skip.log': 'no' });
  fs.symlinkSync('src/a.ts', path.join(root, 'link'));
  fs.linkSync(path.join(root, 'src/a.ts'), path.join(root, 'zhard'));
  const h = await startHarness({ context: root });
  try {
    // separate header fields, as the engine sends them (they reach the handler ", "-joined)
    const r = await receive(h, metadataFor({ 'dir-name': 'context', 'exclude-patterns': ['*.log', 'nothing'] }));
    assert.equal(r.status.code, status.OK, r.status.details);
    assert.equal(r.gotFin, true);
    validateStats(r.stats);
    assert.deepEqual(
      r.stats.map((s) => s.path),
      ['Dockerfile', 'empty.txt', 'link', 'src', 'src/a.ts', 'src/b', 'src/b/c.bin', 'zhard', 'ünï cödé', 'ünï cödé/x y'],
    );
    const regular = r.stats.filter((s) => isRegular(s.mode));
    assert.equal(r.files.size, regular.length);
    for (const s of regular) {
      const got = r.files.get(s.path)!;
      assert.equal(got.sha256, sha256File(path.join(root, s.path)), s.path);
      assert.equal(String(got.bytes), s.size, s.path);
    }
    assert.equal(r.stats.find((s) => s.path === 'zhard')!.linkname, 'src/a.ts');
    assert.equal(r.stats.find((s) => s.path === 'link')!.linkname, 'src/a.ts');
    assert.deepEqual(h.errors, []);
  } finally {
    await h.close();
  }
});

test('query-escaped non-ASCII patterns (with -encoded) apply over the wire', async () => {
  const root = tree({ 'café/menu': 'x', 'cafe/menu': 'y', 'a,b': 'z' });
  const h = await startHarness({ context: root });
  try {
    const escaped = ['caf%C3%A9', 'a%2Cb'];
    const r = await receive(h, metadataFor({ 'dir-name': 'context', 'exclude-patterns': escaped, 'exclude-patterns-encoded': '1' }));
    assert.equal(r.status.code, status.OK, r.status.details);
    assert.deepEqual(r.stats.map((s) => s.path), ['cafe', 'cafe/menu']);
  } finally {
    await h.close();
  }
});

test('PACKET_ERR from the receiver ends the call', async () => {
  const h = await startHarness({ context: tree({ f: 'x' }) });
  try {
    const call = h.client.DiffCopy(metadataFor({ 'dir-name': 'context' }));
    call.on('data', (p: any) => {
      if (p.type === 'PACKET_STAT' && !p.stat) call.write({ type: 'PACKET_ERR', data: Buffer.from('disk full') });
    });
    call.on('error', () => undefined);
    const st = await new Promise<any>((resolve) => call.on('status', resolve));
    assert.notEqual(st.code, status.OK);
    assert.deepEqual(h.errors, ['error from receiver: disk full']);
  } finally {
    await h.close();
  }
});

test('unknown dir-name ends the call with NOT_FOUND', async () => {
  const h = await startHarness({ context: tempDir('fs-dc-') });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'secret' }));
    assert.equal(r.status.code, status.NOT_FOUND);
    assert.equal(r.status.details, 'no access allowed to dir "secret"');
    assert.equal(r.stats.length, 0);
    const inherited = await receive(h, metadataFor({ 'dir-name': 'constructor' }));
    assert.equal(inherited.status.code, status.NOT_FOUND);
  } finally {
    await h.close();
  }
});

test('a bad pattern is reported with PACKET_ERR and an error status', async () => {
  const h = await startHarness({ context: tree({ f: 'x' }) });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context', 'exclude-patterns': ['ok', '['] }));
    assert.match(r.errPacket ?? '', /invalid pattern "\["/);
    assert.notEqual(r.status.code, status.OK);
    assert.match(r.status.details, /invalid pattern/);
  } finally {
    await h.close();
  }
});

test('a request for an id that is no file gets PACKET_ERR "invalid file id"', async () => {
  const h = await startHarness({ context: tree({ 'd/f': 'x' }) });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }), { pick: () => [0] });
    assert.equal(r.errPacket, 'invalid file id 0');
    assert.notEqual(r.status.code, status.OK);
  } finally {
    await h.close();
  }
});

test('read errors end the transfer with a clear PACKET_ERR', async () => {
  const root = tree({ f: 'data' });
  const h = await startHarness({ context: root });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }), {
      // the file becomes a directory between listing and request: open works, read fails
      beforeRequests: () => {
        fs.rmSync(path.join(root, 'f'));
        fs.mkdirSync(path.join(root, 'f'));
      },
    });
    assert.equal(r.errPacket, 'cannot read f: is a directory');
    assert.notEqual(r.status.code, status.OK);
    assert.deepEqual(openFilesUnder(root), []);
  } finally {
    await h.close();
  }
});

test('files that grow, shrink or vanish after the listing are sent as they are now', async () => {
  const root = tree({ grow: 'ab', shrink: 'abcdef', gone: 'x' });
  const h = await startHarness({ context: root });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }), {
      beforeRequests: () => {
        fs.appendFileSync(path.join(root, 'grow'), 'cdefgh');
        fs.truncateSync(path.join(root, 'shrink'), 2);
        fs.rmSync(path.join(root, 'gone'));
      },
    });
    assert.equal(r.status.code, status.OK, r.status.details);
    assert.equal(r.files.get('grow')!.bytes, 8);
    assert.equal(r.files.get('shrink')!.bytes, 2);
    assert.equal(r.files.get('gone')!.bytes, 0, 'vanished file arrives empty, as with fsutil');
  } finally {
    await h.close();
  }
});

test('cancelling mid-transfer stops reading and leaks no file descriptor', async () => {
  const root = tree({});
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(root, `big${i}`), crypto.randomBytes(8 << 20));
  const h = await startHarness({ context: root });
  try {
    let seen = 0;
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }), {
      onData: (call) => {
        if (++seen === 3) {
          assert.ok(openFilesUnder(root).length > 0, 'files are open while sending');
          call.cancel();
        }
      },
    });
    assert.equal(r.status.code, status.CANCELLED);
    for (let i = 0; i < 50 && openFilesUnder(root).length > 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(openFilesUnder(root), []);
  } finally {
    await h.close();
  }
});

test('throughput: a 100 MB file over the loopback round trip', async () => {
  const root = tree({});
  const file = path.join(root, 'big.bin');
  const chunk = crypto.randomBytes(1 << 20);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < 100; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const h = await startHarness({ context: root });
  try {
    const start = process.hrtime.bigint();
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }));
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`# 100 MiB in ${(s * 1000).toFixed(0)} ms = ${(100 / s).toFixed(0)} MiB/s`);
    assert.equal(r.status.code, status.OK, r.status.details);
    assert.equal(r.files.get('big.bin')!.bytes, 100 << 20);
    assert.equal(r.files.get('big.bin')!.sha256, sha256File(file));
  } finally {
    await h.close();
  }
});

/** A stand-in for grpc-js's server stream whose write() reports a full buffer on demand. */
class FakeCall extends EventEmitter {
  metadata = new Metadata();
  cancelled = false;
  destroyed = false;
  blocked = false;
  ended = false;
  written: any[] = [];
  writableLength = 0;
  /** callbacks of writes not gone out yet, while `hold` is set */
  held: (() => void)[] = [];
  hold = false;
  write(p: any, cb?: (err?: Error | null) => void): boolean {
    // hot packets arrive pre-encoded; decode them as the engine would
    this.written.push(Buffer.isBuffer(p) ? sessionServices.fileSync.DiffCopy.requestDeserialize(p) : p);
    // as a stream does once the write has gone out; the sender reuses a chunk's buffer then
    if (cb) this.hold ? this.held.push(() => cb()) : setImmediate(cb);
    return !this.blocked;
  }
  end(): void {
    this.ended = true;
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A FakeCall whose DiffCopy of `root` has sent its STATs */
async function servedFake(root: string): Promise<FakeCall> {
  const call = new FakeCall();
  call.metadata.set('dir-name', 'context');
  serveDiffCopy(call as any, { get: () => root });
  await tick(50);
  return call;
}

test('backpressure: nothing more is written until the stream drains', async () => {
  const root = tree({ big: crypto.randomBytes(5 * CHUNK_SIZE), small: 'x' });
  const call = await servedFake(root);
  assert.equal(call.written.length, 3, 'two STATs and the terminator');
  call.blocked = true;
  call.emit('data', { type: 'PACKET_REQ', ID: 0 });
  await tick(100);
  assert.equal(call.written.length, 4, 'one DATA written, then it waits for drain');
  call.blocked = false;
  call.emit('drain');
  await tick(100);
  const data = call.written.filter((p) => p.type === 'PACKET_DATA');
  assert.equal(data.length, 6, 'five full chunks and the empty end marker');
  assert.deepEqual(data.map((p) => p.data?.length ?? 0), [CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 0]);
  call.emit('data', { type: 'PACKET_FIN' });
  await tick(20);
  assert.equal(call.written.at(-1).type, 'PACKET_FIN');
  assert.equal(call.ended, true);
});

test('a large file has at most 4 chunks on their way: the next is read once one has gone out', async () => {
  const content = crypto.randomBytes(6 * CHUNK_SIZE + 5);
  const root = tree({ big: content });
  const call = await servedFake(root);
  call.hold = true;
  call.emit('data', { type: 'PACKET_REQ', ID: 0 });
  await tick(100);
  const data = () => call.written.filter((p) => p.type === 'PACKET_DATA');
  assert.equal(data().length, 4, 'four chunks written, none gone out yet');
  call.hold = false;
  for (const cb of call.held.splice(0)) cb();
  await tick(100);
  // the chunks read into reused buffers carry their own bytes
  assert.deepEqual(data().map((p) => p.data?.length ?? 0), [CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 5, 0]);
  assert.ok(Buffer.concat(data().map((p) => p.data ?? Buffer.alloc(0))).equals(content));
});

test('cancellation while blocked on drain releases the file', async () => {
  const root = tree({ big: crypto.randomBytes(4 * CHUNK_SIZE) });
  const call = await servedFake(root);
  call.blocked = true;
  call.emit('data', { type: 'PACKET_REQ', ID: 0 });
  await tick(50);
  assert.equal(openFilesUnder(root).length, 1);
  const before = call.written.length;
  call.cancelled = true;
  call.emit('cancelled');
  await tick(50);
  assert.deepEqual(openFilesUnder(root), []);
  assert.equal(call.written.length, before, 'nothing written after cancel');
});
