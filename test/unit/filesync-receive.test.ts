// The receiving side of DiffCopy (the local exporter): packets as our own sender encodes them go in,
// a directory comes out; REQs for regular files only, FIN once all are written.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeControlPacket, encodeDataPacket, encodeStatPacket } from '../../src/buildkit/filesync/packetCodec';
import { decodeBytesMessage, decodePacket } from '../../src/buildkit/filesync/packetDecode';
import { DirReceiver, posixMode, ReceiveError } from '../../src/buildkit/filesync/receive';
import { goFileMode, MODE_DIR, MODE_SYMLINK, type WireStat } from '../../src/buildkit/filesync/stat';
import { tempDir } from '../support/tmp';

const MTIME = 1_600_000_000_123_456_789n;

function stat(p: string, over: Partial<WireStat> = {}): WireStat {
  return { path: p, mode: 0o644, uid: 0, gid: 0, size: 0n, modTime: MTIME, linkname: '', devmajor: 0, devminor: 0, xattrs: {}, ...over };
}

function receiver(dest: string) {
  const sent: string[] = [];
  const r = new DirReceiver(dest, (b) => {
    const p = decodePacket(b);
    sent.push(p.kind === 'req' ? `req ${p.id}` : p.kind);
  });
  return { r, sent };
}

test('a packet decodes to what the sender encoded: 64-bit times exact, negative ones too', () => {
  const s = stat('dir/ünï file', { mode: goFileMode(0o104755), uid: 1000, gid: 2000, size: 5_000_000_000n, linkname: 'x', devmajor: 8, devminor: 1 });
  assert.deepEqual(decodePacket(encodeStatPacket(s)).stat, s);
  const old = stat('old', { modTime: -1_000_000_001n });
  assert.equal(decodePacket(encodeStatPacket(old)).stat!.modTime, -1_000_000_001n);
  const end = decodePacket(encodeStatPacket(undefined));
  assert.equal(end.kind, 'stat');
  assert.equal(end.stat, undefined);
  const data = decodePacket(encodeDataPacket(300, Buffer.from('hello')));
  assert.deepEqual([data.kind, data.id, data.data.toString()], ['data', 300, 'hello']);
  assert.deepEqual(decodePacket(encodeControlPacket('req', 70000)), { kind: 'req', id: 70000, data: Buffer.alloc(0) });
  assert.equal(decodePacket(encodeControlPacket('fin')).kind, 'fin');
  // BytesMessage{data=1}
  assert.equal(decodeBytesMessage(Buffer.from([0x0a, 3, 0x61, 0x62, 0x63])).toString(), 'abc');
  assert.throws(() => decodePacket(Buffer.from([0x12, 0x05, 0x0a])), /truncated/);
});

test('STATs become entries; regular files are asked for by their place in the listing, then FIN', () => {
  const dest = tempDir('bkl-recv-');
  const { r, sent } = receiver(dest);
  const packets = [
    encodeStatPacket(stat('a', { mode: (MODE_DIR | 0o755) >>> 0 })), // id 0
    encodeStatPacket(stat('a/exec', { mode: goFileMode(0o104755), size: 3n })), // 1: setuid
    encodeStatPacket(stat('a/hard', { mode: goFileMode(0o104755), linkname: 'a/exec' })), // 2: hardlink, not asked for
    encodeStatPacket(stat('a/link', { mode: (MODE_SYMLINK | 0o777) >>> 0, linkname: 'exec' })), // 3
    encodeStatPacket(stat('ro', { mode: 0o444, size: 2n })), // 4: read-only, written anyway
    encodeStatPacket(stat('empty', { mode: 0o600 })), // 5
    encodeStatPacket(undefined),
  ];
  for (const p of packets) assert.equal(r.handle(p), false);
  assert.deepEqual(sent, ['req 1', 'req 4', 'req 5']);
  r.handle(encodeDataPacket(4, Buffer.from('r')));
  r.handle(encodeDataPacket(1, Buffer.from('ab')));
  r.handle(encodeDataPacket(4, Buffer.from('o')));
  r.handle(encodeDataPacket(1, Buffer.from('c')));
  r.handle(encodeDataPacket(1));
  r.handle(encodeDataPacket(5));
  assert.deepEqual(sent, ['req 1', 'req 4', 'req 5'], 'no FIN while a file is incomplete');
  r.handle(encodeDataPacket(4));
  assert.deepEqual(sent, ['req 1', 'req 4', 'req 5', 'fin']);
  assert.equal(r.handle(encodeControlPacket('fin')), true);

  const at = (p: string) => path.join(dest, p);
  assert.equal(fs.readFileSync(at('a/exec'), 'utf8'), 'abc');
  assert.equal(fs.statSync(at('a/exec')).mode & 0o7777, 0o4755);
  assert.equal(fs.statSync(at('a/hard')).ino, fs.statSync(at('a/exec')).ino);
  assert.equal(fs.readlinkSync(at('a/link')), 'exec');
  assert.equal(fs.readFileSync(at('ro'), 'utf8'), 'ro');
  assert.equal(fs.statSync(at('ro')).mode & 0o777, 0o444);
  assert.equal(fs.statSync(at('empty')).size, 0);
  // mtimes: the microsecond exact (utimes takes a double)
  for (const p of ['a/exec', 'ro', 'empty']) assert.equal(fs.statSync(at(p), { bigint: true }).mtimeNs / 1000n, MTIME / 1000n, p);
  assert.equal(fs.lstatSync(at('a/link'), { bigint: true }).mtimeNs / 1000n, MTIME / 1000n);
  assert.equal(r.written, 5);
});

test('merge: what the result names is replaced, whatever it was; the rest of dest stays', () => {
  const dest = tempDir('bkl-recv-');
  fs.writeFileSync(path.join(dest, 'keep.txt'), 'mine');
  fs.writeFileSync(path.join(dest, 'file'), 'old');
  fs.mkdirSync(path.join(dest, 'was-dir/deep'), { recursive: true });
  fs.writeFileSync(path.join(dest, 'was-file'), 'x');
  const { r, sent } = receiver(dest);
  r.handle(encodeStatPacket(stat('file', { size: 3n })));
  r.handle(encodeStatPacket(stat('was-dir', { size: 1n })));
  r.handle(encodeStatPacket(stat('was-file', { mode: (MODE_DIR | 0o700) >>> 0 })));
  r.handle(encodeStatPacket(stat('was-file/in', { size: 1n })));
  r.handle(encodeStatPacket(undefined));
  for (const [id, text] of [[0, 'new'], [1, 'f'], [3, 'i']] as const) {
    r.handle(encodeDataPacket(id, Buffer.from(text)));
    r.handle(encodeDataPacket(id));
  }
  assert.equal(sent.at(-1), 'fin');
  assert.equal(fs.readFileSync(path.join(dest, 'keep.txt'), 'utf8'), 'mine');
  assert.equal(fs.readFileSync(path.join(dest, 'file'), 'utf8'), 'new');
  assert.equal(fs.readFileSync(path.join(dest, 'was-dir'), 'utf8'), 'f');
  assert.equal(fs.readFileSync(path.join(dest, 'was-file/in'), 'utf8'), 'i');
  assert.deepEqual(fs.readdirSync(dest).filter((n) => n.startsWith('.tmp')), []);
});

test('nothing is written outside dest: no "..", no absolute path, never through a symlink', () => {
  const outside = tempDir('bkl-recv-outside-');
  for (const bad of ['../x', '/etc/x', 'a/../../x', '']) {
    const dest = tempDir('bkl-recv-');
    const { r } = receiver(dest);
    assert.throws(() => r.handle(encodeStatPacket(stat(bad))), ReceiveError, bad);
  }
  const dest = tempDir('bkl-recv-');
  const { r } = receiver(dest);
  r.handle(encodeStatPacket(stat('link', { mode: (MODE_SYMLINK | 0o777) >>> 0, linkname: outside })));
  assert.throws(() => r.handle(encodeStatPacket(stat('link/x'))), /link is not a directory/);
  // a hardlink must name something inside dest too
  assert.throws(() => r.handle(encodeStatPacket(stat('h', { linkname: '../../etc/passwd' }))), /unsafe path/);
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('data for a file not asked for, a REQ or an ERR from the engine end the transfer with a clear error', () => {
  const dest = tempDir('bkl-recv-');
  const { r } = receiver(dest);
  assert.throws(() => r.handle(encodeDataPacket(9, Buffer.from('x'))), /not asked for \(id 9\)/);
  assert.throws(() => r.handle(encodeControlPacket('req', 1)), /file request/);
  assert.throws(() => r.handle(Buffer.from([0x08, 4, 0x22, 4, 0x62, 0x6f, 0x6f, 0x6d])), /error from sender: boom/);
});

test('a name that is not UTF-8 is written as the bytes the engine sent, in paths and link targets', () => {
  const dest = tempDir('bkl-recv-');
  const { r, sent } = receiver(dest);
  // our encoder takes text: the bytes are put in afterwards, in place of same-length placeholders
  const withBytes = (packet: Buffer) => Buffer.from(packet.toString('latin1').replaceAll('@@', '\xff\xfe'), 'latin1');
  r.handle(withBytes(encodeStatPacket(stat('d@@', { mode: (MODE_DIR | 0o755) >>> 0 }))));
  r.handle(withBytes(encodeStatPacket(stat('d@@/f', { size: 1n }))));
  r.handle(withBytes(encodeStatPacket(stat('to', { mode: (MODE_SYMLINK | 0o777) >>> 0, linkname: 'd@@' }))));
  r.handle(encodeStatPacket(undefined));
  r.handle(encodeDataPacket(1, Buffer.from('x')));
  r.handle(encodeDataPacket(1));
  assert.equal(sent.at(-1), 'fin');
  const name = Buffer.from([0x64, 0xff, 0xfe]);
  assert.deepEqual(fs.readdirSync(dest, { encoding: 'buffer' }).sort(Buffer.compare), [name, Buffer.from('to')]);
  const inDir = Buffer.concat([Buffer.from(dest + '/'), name]);
  assert.equal(fs.readFileSync(Buffer.concat([inDir, Buffer.from('/f')]), 'utf8'), 'x');
  assert.deepEqual(fs.readlinkSync(path.join(dest, 'to'), { encoding: 'buffer' }), name);
  // a message shows such a name as text
  assert.throws(() => r.handle(withBytes(encodeStatPacket(stat('../@@')))), /unsafe path "\.\.\/\uFFFD\uFFFD"/);
});

test('Go file modes map back to chmod bits', () => {
  for (const m of [0o644, 0o755, 0o4755, 0o2711, 0o1777, 0o400]) assert.equal(posixMode(goFileMode(0o100000 | m)), m);
});
