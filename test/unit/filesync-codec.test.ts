import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { enableBatchedWrites } from '../../src/buildkit/filesync/batchedWrites';
import { DATA_HEADROOM, encodeDataPacket, encodeStatPacket, frameDataInPlace, frameDataPacket } from '../../src/buildkit/filesync/packetCodec';
import { FrameBatch } from '../../src/buildkit/filesync/framing';
import type { WireStat } from '../../src/buildkit/filesync/stat';
import { sessionServices } from '../../src/buildkit/proto';
import { metadataFor, receive, startHarness } from '../fixtures/filesync/receiver';
import { tempDir } from '../support/tmp';

const def = sessionServices.fileSync.DiffCopy;
const decode = (b: Buffer) => def.requestDeserialize(b) as any;
const generic = (p: object) => def.responseSerialize(p) as Buffer;

/** A Stat with its int64 fields given as decimal strings (what protobufjs takes for them). */
type StatText = Omit<WireStat, 'size' | 'modTime'> & { size: string; modTime: string };

function stat(over: Partial<StatText>): StatText {
  return { path: 'a', mode: 0o644, uid: 0, gid: 0, size: '0', modTime: '0', linkname: '', devmajor: 0, devminor: 0, xattrs: {}, ...over };
}

const wire = (s: StatText): WireStat => ({ ...s, size: BigInt(s.size), modTime: BigInt(s.modTime) });

test('hand-encoded STAT packets decode exactly like protobufjs-encoded ones', () => {
  const cases = [
    stat({}),
    stat({ path: 'dir/ünïcødé 文件.txt', mode: 0x80000000 | 0o755, size: '0', modTime: '1764268800123456789' }),
    stat({ path: 'big', size: '109951162777600', modTime: '-1000000000' }), // 100 TiB, before 1970
    stat({ path: 'edges', size: '4294967295', modTime: '4294967296' }), // the two halves' seam
    stat({ path: 'far', size: '9223372036854775807', modTime: '-9223372036854775808' }), // int64's ends
    stat({ path: 'link', mode: (1 << 27) | 0o777, size: '11', linkname: '../target' }),
    stat({ path: 'dev', mode: (1 << 26) | (1 << 21) | 0o600, devmajor: 4095, devminor: 1048575 }),
    stat({ path: 'x'.repeat(300), mode: 1 << 23, uid: 1000, gid: 70000 }),
  ];
  for (let k = 0; k < 64; k++) {
    // every varint length on both sides of each power of two, as int64 (2^63 wraps to negative)
    const v = 1n << BigInt(k);
    cases.push(stat({ path: `p${k}`, size: String(BigInt.asIntN(64, v - 1n)), modTime: String(BigInt.asIntN(64, v)) }));
  }
  for (const s of cases) {
    const ours = encodeStatPacket(wire(s));
    assert.deepEqual(decode(ours), decode(generic({ type: 'PACKET_STAT', stat: s })), s.path);
    assert.equal(decode(ours).stat.modTime, s.modTime);
  }
  assert.deepEqual(decode(encodeStatPacket(undefined)), decode(generic({ type: 'PACKET_STAT' })));
});

test('hand-encoded DATA packets decode exactly like protobufjs-encoded ones', () => {
  for (const [id, data] of [[0, undefined], [5, Buffer.from('hello')], [300000, Buffer.alloc(70000, 7)]] as const) {
    assert.deepEqual(decode(encodeDataPacket(id, data)), decode(generic({ type: 'PACKET_DATA', ID: id, data: data ?? Buffer.alloc(0) })));
  }
});

test('framed DATA packets (in a batch, or in place around a chunk read) are the gRPC prefix plus the same packet', () => {
  const framed = (packet: Buffer) => {
    const prefix = Buffer.alloc(5); // not compressed, then the length
    prefix.writeUInt32BE(packet.length, 1);
    return Buffer.concat([prefix, packet]);
  };
  for (const [id, len] of [[0, 0], [1, 5], [127, 128], [300000, 70000], [0x7fffffff, 1 << 20]] as const) {
    const data = Buffer.alloc(len, id & 0xff);
    const expect = framed(encodeDataPacket(id, len ? data : undefined));
    const batch = new FrameBatch(64);
    frameDataPacket(id, len ? data : undefined, batch);
    assert.deepEqual(batch.take().bytes, expect, `batch id ${id} len ${len}`);
    const buf = Buffer.alloc(DATA_HEADROOM + len, 0xee);
    data.copy(buf, DATA_HEADROOM);
    assert.deepEqual(frameDataInPlace(buf, id, len), expect, `in place id ${id} len ${len}`);
  }
});

test('batched writes attach to a real grpc-js server call (guards the grpc-js internals we rely on)', async () => {
  const dir = tempDir('bkl-bw-');
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `f${i}`), `file ${i}`);
  const seen: boolean[] = [];
  const real = await import('../../src/buildkit/filesync/batchedWrites');
  const orig = real.enableBatchedWrites;
  (real as any).enableBatchedWrites = (call: any) => {
    const on = orig(call);
    seen.push(on);
    return on;
  };
  const h = await startHarness({ context: dir });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context' }));
    assert.equal(r.stats.length, 300);
    assert.equal(r.files.size, 300);
    assert.equal(r.status.code, 0);
  } finally {
    (real as any).enableBatchedWrites = orig;
    await h.close();
  }
  assert.deepEqual(seen, [true]);
  assert.equal(typeof enableBatchedWrites, 'function');
});
