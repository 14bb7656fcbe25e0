// fsutil.types.Packet decoded by hand, for the packets the engine sends us when it is the sender
// (FileSend, the local exporter). Hand-decoded because its int64 fields (nanosecond mtimes) need
// all 64 bits, and protobufjs gives them exactly only when the optional `long` package loads.
// Field numbers as in packetCodec.ts.
//
// Paths and link targets are Go strings read from the engine's disk, so need not be UTF-8: bytes
// that are not are kept escaped, as the context walk keeps them (rawNames.ts).
import { wireName } from './rawNames';
import type { WireStat } from './stat';

export type PacketKind = 'stat' | 'req' | 'data' | 'fin' | 'err';
const KINDS: PacketKind[] = ['stat', 'req', 'data', 'fin', 'err'];

export interface DecodedPacket {
  kind: PacketKind;
  /** STAT only; absent on the end-of-listing STAT */
  stat?: WireStat;
  id: number;
  /** a view into the message buffer (DATA's bytes, ERR's text) */
  data: Buffer;
}

export class PacketDecodeError extends Error {}

class In {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
    start = 0,
  ) {
    this.pos = start;
  }
  get more(): boolean {
    return this.pos < this.end;
  }
  varint(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new PacketDecodeError('truncated varint');
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    throw new PacketDecodeError('varint too long');
  }
  /** a varint that fits a uint32 (lengths, ids, enum values, modes) */
  small(): number {
    return Number(BigInt.asUintN(32, this.varint()));
  }
  bytes(): Buffer {
    const len = this.small();
    if (this.pos + len > this.end) throw new PacketDecodeError('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new PacketDecodeError(`unsupported wire type ${wireType}`);
  }
}

function decodeStat(buf: Buffer): WireStat {
  const stat: WireStat = { path: '', mode: 0, uid: 0, gid: 0, size: 0n, modTime: 0n, linkname: '', devmajor: 0, devminor: 0, xattrs: {} };
  const r = new In(buf);
  while (r.more) {
    const tag = r.small();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) stat.path = wireName(r.bytes());
    else if (field === 2) stat.mode = r.small();
    else if (field === 3) stat.uid = r.small();
    else if (field === 4) stat.gid = r.small();
    else if (field === 5) stat.size = BigInt.asIntN(64, r.varint());
    else if (field === 6) stat.modTime = BigInt.asIntN(64, r.varint());
    else if (field === 7 && (tag & 7) === 2) stat.linkname = wireName(r.bytes());
    else if (field === 8) stat.devmajor = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 9) stat.devminor = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 10 && (tag & 7) === 2) {
      const entry = new In(r.bytes());
      let key = '';
      let value: Buffer = Buffer.alloc(0);
      while (entry.more) {
        const t = entry.small();
        if (t >>> 3 === 1) key = entry.bytes().toString('utf8');
        else if (t >>> 3 === 2) value = entry.bytes();
        else entry.skip(t & 7);
      }
      stat.xattrs[key] = value;
    } else r.skip(tag & 7);
  }
  return stat;
}

export function decodePacket(buf: Buffer): DecodedPacket {
  const p: DecodedPacket = { kind: 'stat', id: 0, data: buf.subarray(0, 0) };
  const r = new In(buf);
  while (r.more) {
    const tag = r.small();
    const field = tag >>> 3;
    if (field === 1) {
      const k = KINDS[r.small()];
      if (!k) throw new PacketDecodeError('unknown packet type');
      p.kind = k;
    } else if (field === 2 && (tag & 7) === 2) p.stat = decodeStat(r.bytes());
    else if (field === 3) p.id = r.small();
    else if (field === 4 && (tag & 7) === 2) p.data = r.bytes();
    else r.skip(tag & 7);
  }
  return p;
}

/** BytesMessage{data}: the tarball exporters' chunks. */
export function decodeBytesMessage(buf: Buffer): Buffer {
  const r = new In(buf);
  let data = buf.subarray(0, 0);
  while (r.more) {
    const tag = r.small();
    if (tag >>> 3 === 1 && (tag & 7) === 2) data = r.bytes();
    else r.skip(tag & 7);
  }
  return data;
}
