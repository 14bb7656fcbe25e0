// fsutil.types.Packet encoded by hand for the two hot cases (STAT and DATA), so a 20,000-entry
// listing does not go through protobufjs' generic fromObject + encode per packet; and the REQ and
// FIN a receiver sends (receive.ts), one per file of a result sent back. Field
// numbers: Packet{type=1 enum, stat=2, ID=3 uint32, data=4 bytes};
// Stat{path=1, mode=2, uid=3, gid=4, size=5 int64, modTime=6 int64, linkname=7, devmajor=8, devminor=9}.
import type { FrameBatch } from './framing';
import { nameBytes } from './rawNames';
import type { WireStat } from './stat';

const PACKET_STAT = 0;
const PACKET_REQ = 1;
const PACKET_DATA = 2;
const PACKET_FIN = 3;

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
  /** a uint64 given as two uint32 halves (protobufjs' LongBits walk) */
  varint64(hi: number, lo: number): void {
    while (hi) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.varint(lo);
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  utf8(s: string, byteLength: number): void {
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }
}

// The two int64 fields as uint32 halves: negative values are 64-bit two's complement on the
// wire. BigInt arithmetic per varint byte used to be a fair share of a STAT's encoding.
function highHalf(v: bigint): number {
  return v >= 0n && v <= 0xffffffffn ? 0 : Number(BigInt.asUintN(64, v) >> 32n);
}

function lowHalf(v: bigint): number {
  return Number(BigInt.asUintN(32, v));
}

function varint64Size(hi: number, lo: number): number {
  return hi === 0 ? smallVarintSize(lo) : Math.ceil((64 - Math.clz32(hi)) / 7);
}

/**
 * Where a STAT's fields go; one module-level layout (encoding is synchronous and single-threaded
 * per isolate), so a 20,000-entry listing does not allocate one per entry.
 */
const layout = {
  pathLen: 0,
  linkLen: 0,
  /** the path's and link's bytes, for a raw STAT only */
  rawPath: undefined as Buffer | undefined,
  rawLink: undefined as Buffer | undefined,
  sizeHi: 0,
  sizeLo: 0,
  mtimeHi: 0,
  mtimeLo: 0,
  mode: 0,
  inner: 0,
  /** bytes of the whole packet */
  total: 0,
};

function layOut(stat: WireStat): typeof layout {
  const l = layout;
  if (stat.raw) {
    l.rawPath = nameBytes(stat.path);
    l.rawLink = nameBytes(stat.linkname);
    l.pathLen = l.rawPath.length;
    l.linkLen = l.rawLink.length;
  } else {
    l.rawPath = l.rawLink = undefined;
    l.pathLen = Buffer.byteLength(stat.path, 'utf8');
    l.linkLen = stat.linkname ? Buffer.byteLength(stat.linkname, 'utf8') : 0;
  }
  l.sizeHi = highHalf(stat.size);
  l.sizeLo = lowHalf(stat.size);
  l.mtimeHi = highHalf(stat.modTime);
  l.mtimeLo = lowHalf(stat.modTime);
  // uint32 fields: a mode built with `|` on 1 << 31 is negative as a JS number
  l.mode = stat.mode >>> 0;
  // proto3 skips zero values: mode 0 and size 0 are legal and then omitted.
  let inner = 1 + smallVarintSize(l.pathLen) + l.pathLen;
  if (l.mode) inner += 1 + smallVarintSize(l.mode);
  if (stat.uid) inner += 1 + smallVarintSize(stat.uid);
  if (stat.gid) inner += 1 + smallVarintSize(stat.gid);
  if (l.sizeHi || l.sizeLo) inner += 1 + varint64Size(l.sizeHi, l.sizeLo);
  if (l.mtimeHi || l.mtimeLo) inner += 1 + varint64Size(l.mtimeHi, l.mtimeLo);
  if (l.linkLen) inner += 1 + smallVarintSize(l.linkLen) + l.linkLen;
  if (stat.devmajor) inner += 1 + smallVarintSize(stat.devmajor);
  if (stat.devminor) inner += 1 + smallVarintSize(stat.devminor);
  l.inner = inner;
  l.total = 2 + 1 + smallVarintSize(inner) + inner;
  return l;
}

function writeStat(stat: WireStat, l: typeof layout, out: Out): void {
  // STAT is 0, proto3's default; written anyway (decoders accept an explicit default).
  out.byte(0x08);
  out.byte(PACKET_STAT);
  out.byte(0x12);
  out.varint(l.inner);
  out.byte(0x0a);
  out.varint(l.pathLen);
  if (l.rawPath) out.bytes(l.rawPath);
  else out.utf8(stat.path, l.pathLen);
  if (l.mode) (out.byte(0x10), out.varint(l.mode));
  if (stat.uid) (out.byte(0x18), out.varint(stat.uid));
  if (stat.gid) (out.byte(0x20), out.varint(stat.gid));
  if (l.sizeHi || l.sizeLo) (out.byte(0x28), out.varint64(l.sizeHi, l.sizeLo));
  if (l.mtimeHi || l.mtimeLo) (out.byte(0x30), out.varint64(l.mtimeHi, l.mtimeLo));
  if (l.linkLen) (out.byte(0x3a), out.varint(l.linkLen), l.rawLink ? out.bytes(l.rawLink) : out.utf8(stat.linkname, l.linkLen));
  if (stat.devmajor) (out.byte(0x40), out.varint(stat.devmajor));
  if (stat.devminor) (out.byte(0x48), out.varint(stat.devminor));
}

export function encodeStatPacket(stat: WireStat | undefined): Buffer {
  if (!stat) return Buffer.from([0x08, PACKET_STAT]); // the end-of-listing STAT: type only
  const l = layOut(stat);
  const out = new Out(Buffer.allocUnsafe(l.total));
  writeStat(stat, l, out);
  return out.buf;
}

/** The STAT packet written straight into a batch of framed messages (no buffer of its own). */
export function frameStatPacket(stat: WireStat, batch: FrameBatch): void {
  const l = layOut(stat);
  const [buf, pos] = batch.reserve(l.total);
  writeStat(stat, l, new Out(buf, pos));
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

/** REQ{ID} or FIN, the two packets a receiver sends (receive.ts, for results the engine sends back). */
export function encodeControlPacket(kind: 'req' | 'fin', id = 0): Buffer {
  const out = new Out(Buffer.allocUnsafe(2 + (id ? 1 + smallVarintSize(id) : 0)));
  out.byte(0x08);
  out.byte(kind === 'req' ? PACKET_REQ : PACKET_FIN);
  if (id) (out.byte(0x18), out.varint(id));
  return out.buf;
}
