// fsutil.types.Packet encoded by hand for the two hot cases (STAT and DATA), so a 20,000-entry
// listing does not go through protobufjs' generic fromObject + encode per packet. Field
// numbers: Packet{type=1 enum, stat=2, ID=3 uint32, data=4 bytes};
// Stat{path=1, mode=2, uid=3, gid=4, size=5 int64, modTime=6 int64, linkname=7, devmajor=8, devminor=9}.
import type { FrameBatch } from './framing';
import type { WireStat } from './stat';

const PACKET_STAT = 0;
const PACKET_DATA = 2;

function varintSize(v: bigint): number {
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

function smallVarintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

class Out {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  bigVarint(v: bigint): void {
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  utf8(s: string, byteLength: number): void {
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }
}

/** int64 as protobuf wants it on the wire: negative values as 64-bit two's complement. */
function int64(decimal: string): bigint {
  return BigInt.asUintN(64, BigInt(decimal));
}

interface StatLayout {
  stat: WireStat;
  pathLen: number;
  linkLen: number;
  size: bigint;
  mtime: bigint;
  mode: number;
  inner: number;
  /** bytes of the whole packet */
  total: number;
}

function layoutOf(stat: WireStat): StatLayout {
  const pathLen = Buffer.byteLength(stat.path, 'utf8');
  const linkLen = stat.linkname ? Buffer.byteLength(stat.linkname, 'utf8') : 0;
  const size = int64(stat.size);
  const mtime = int64(stat.modTime);
  // uint32 fields: a mode built with `|` on 1 << 31 is negative as a JS number
  const mode = stat.mode >>> 0;
  // proto3 skips zero values: mode 0 and size 0 are legal and then omitted.
  let inner = 1 + smallVarintSize(pathLen) + pathLen;
  if (mode) inner += 1 + smallVarintSize(mode);
  if (stat.uid) inner += 1 + smallVarintSize(stat.uid);
  if (stat.gid) inner += 1 + smallVarintSize(stat.gid);
  if (size) inner += 1 + varintSize(size);
  if (mtime) inner += 1 + varintSize(mtime);
  if (linkLen) inner += 1 + smallVarintSize(linkLen) + linkLen;
  if (stat.devmajor) inner += 1 + smallVarintSize(stat.devmajor);
  if (stat.devminor) inner += 1 + smallVarintSize(stat.devminor);
  return { stat, pathLen, linkLen, size, mtime, mode, inner, total: 2 + 1 + smallVarintSize(inner) + inner };
}

function writeStat(l: StatLayout, out: Out): void {
  const { stat } = l;
  // STAT is 0, proto3's default; written anyway (decoders accept an explicit default).
  out.byte(0x08);
  out.byte(PACKET_STAT);
  out.byte(0x12);
  out.varint(l.inner);
  out.byte(0x0a);
  out.varint(l.pathLen);
  out.utf8(stat.path, l.pathLen);
  if (l.mode) (out.byte(0x10), out.varint(l.mode));
  if (stat.uid) (out.byte(0x18), out.varint(stat.uid));
  if (stat.gid) (out.byte(0x20), out.varint(stat.gid));
  if (l.size) (out.byte(0x28), out.bigVarint(l.size));
  if (l.mtime) (out.byte(0x30), out.bigVarint(l.mtime));
  if (l.linkLen) (out.byte(0x3a), out.varint(l.linkLen), out.utf8(stat.linkname, l.linkLen));
  if (stat.devmajor) (out.byte(0x40), out.varint(stat.devmajor));
  if (stat.devminor) (out.byte(0x48), out.varint(stat.devminor));
}

export function encodeStatPacket(stat: WireStat | undefined): Buffer {
  if (!stat) return Buffer.from([0x08, PACKET_STAT]); // the end-of-listing STAT: type only
  const l = layoutOf(stat);
  const out = new Out(Buffer.allocUnsafe(l.total));
  writeStat(l, out);
  return out.buf;
}

/** The STAT packet written straight into a batch of framed messages (no buffer of its own). */
export function frameStatPacket(stat: WireStat, batch: FrameBatch): void {
  const l = layoutOf(stat);
  const [buf, pos] = batch.reserve(l.total);
  const out = new Out(buf, pos);
  writeStat(l, out);
}

/** DATA{ID, data}; an empty data is the end of that file. */
export function encodeDataPacket(id: number, data?: Buffer): Buffer {
  const len = data?.length ?? 0;
  const out = new Out(Buffer.allocUnsafe(dataHeaderSize(id, len) + len));
  writeDataPacket(out, id, data);
  return out.buf;
}

/** The DATA packet written straight into a batch of framed messages. */
export function frameDataPacket(id: number, data: Buffer | undefined, batch: FrameBatch): void {
  const len = data?.length ?? 0;
  const [buf, pos] = batch.reserve(dataHeaderSize(id, len) + len);
  writeDataPacket(new Out(buf, pos), id, data);
}

/** Room in front of a chunk read for frameDataInPlace: the gRPC prefix and the largest DATA header. */
export const DATA_HEADROOM = 5 + 2 + 1 + 5 + 1 + 5;

/**
 * A chunk read into `buf` at DATA_HEADROOM becomes one framed DATA message where it lies: the
 * gRPC prefix and packet header are written just in front of it, so its bytes are never copied.
 */
export function frameDataInPlace(buf: Buffer, id: number, len: number): Buffer {
  const header = dataHeaderSize(id, len);
  const start = DATA_HEADROOM - header - 5;
  buf[start] = 0; // not compressed
  buf.writeUInt32BE(header + len, start + 1);
  writeDataHeader(new Out(buf, start + 5), id, len);
  return buf.subarray(start, DATA_HEADROOM + len);
}

function dataHeaderSize(id: number, len: number): number {
  return 2 + (id ? 1 + smallVarintSize(id) : 0) + (len ? 1 + smallVarintSize(len) : 0);
}

function writeDataPacket(out: Out, id: number, data: Buffer | undefined): void {
  const len = data?.length ?? 0;
  writeDataHeader(out, id, len);
  if (len) out.bytes(data!);
}

function writeDataHeader(out: Out, id: number, len: number): void {
  out.byte(0x08);
  out.byte(PACKET_DATA);
  if (id) (out.byte(0x18), out.varint(id));
  if (len) (out.byte(0x22), out.varint(len));
}
