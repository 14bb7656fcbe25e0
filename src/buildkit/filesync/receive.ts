// The receiving side of fsutil's DiffCopy, for the local exporter (`-o type=local,dest=DIR`), where
// the engine is the sender. As fsutil.Receive with Merge (what buildx asks for): each STAT becomes
// an entry under dest, replacing what is there under that name and removing nothing else; each
// regular file's bytes are asked for with REQ{id}; FIN once every file is written; the sender's FIN
// ends the transfer. Owners are not set: the files belong to whoever runs the build, as buildx makes
// them. Extended attributes are not written (Node has no setxattr).
//
// A name that is not UTF-8 comes with its stray bytes escaped (packetDecode.ts, rawNames.ts): fs gets
// it back as bytes, so it lands on disk as the image holds it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeControlPacket } from './packetCodec';
import { decodePacket, type DecodedPacket } from './packetDecode';
import { canRequestData, MODE_CHAR_DEVICE, MODE_DEVICE, MODE_DIR, MODE_NAMED_PIPE, MODE_SETGID, MODE_SETUID, MODE_STICKY, MODE_SYMLINK, type WireStat } from './stat';
import { fsReason } from '../fsReason';
import { fsPath, hasEscapes, nameBytes } from './rawNames';

export class ReceiveError extends Error {
  override name = 'ReceiveError';
}

/** Go os.FileMode → the bits chmod takes. */
export function posixMode(goMode: number): number {
  let m = goMode & 0o777;
  if (goMode & MODE_SETUID) m |= 0o4000;
  if (goMode & MODE_SETGID) m |= 0o2000;
  if (goMode & MODE_STICKY) m |= 0o1000;
  return m;
}

/**
 * Unix nanoseconds → the seconds utimes takes. A double holds today's times to about 0.24 µs, and
 * libuv truncates: aiming at the middle of the microsecond keeps that microsecond exact.
 */
function seconds(ns: bigint): number {
  return (Number(ns / 1000n) + 0.5) / 1e6;
}

const code = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

/** a path as fs takes it: as it is, or its bytes when it holds escaped ones */
const bytes = (p: string): string | Buffer => fsPath(p, hasEscapes(p));
/** a path as a message shows it */
const shown = (p: string): string => (hasEscapes(p) ? nameBytes(p).toString('utf8') : p);

let umask: number | undefined;
/** Which mode bits open(2) drops from a new file; read (and set back at once) when first needed. */
function processUmask(): number {
  if (umask === undefined) {
    umask = process.umask(0o022);
    process.umask(umask);
  }
  return umask;
}

interface IncomingFile {
  rel: string;
  abs: string;
  /** chmod bits */
  mode: number;
  modTime: bigint;
  /** made on disk already (to replace an entry, or as a hardlink's target); else made by its first DATA */
  made: boolean;
  fd?: number;
  /** the mode to put back after writing into a file its own mode made read-only */
  restoreMode?: number;
}

export class DirReceiver {
  private nextId = 0;
  /** regular files asked for and not complete yet, by id */
  private readonly wanted = new Map<number, IncomingFile>();
  /** the same files by relative path, until they exist on disk (a hardlink may name one first) */
  private readonly unmade = new Map<string, IncomingFile>();
  /** dest was empty: nothing in it can be in the way, so no entry needs a look first */
  private readonly fresh: boolean;
  /** directories (relative) known to be real directories under dest */
  private readonly dirs = new Set<string>(['.']);
  private listed = false;
  private finSent = false;
  private tmpSeq = 0;
  /** file bytes written so far */
  written = 0;

  constructor(
    private readonly dest: string,
    private readonly send: (packet: Buffer) => void,
  ) {
    this.fresh = fs.readdirSync(dest).length === 0;
  }

  /** One packet from the engine; true when its FIN ends the transfer. Throws ReceiveError. */
  handle(message: Buffer): boolean {
    let p: DecodedPacket;
    try {
      p = decodePacket(message);
    } catch (e) {
      throw new ReceiveError(`malformed packet from the engine: ${(e as Error).message}`);
    }
    switch (p.kind) {
      case 'stat':
        if (p.stat) this.entry(p.stat, this.nextId++);
        else {
          this.listed = true;
          this.finishWhenDone();
        }
        return false;
      case 'data':
        this.data(p.id, p.data);
        return false;
      case 'fin':
        return true;
      case 'err':
        throw new ReceiveError(`error from sender: ${p.data.toString()}`);
      default:
        throw new ReceiveError('the engine sent a file request to the receiving side');
    }
  }

  /** Closes whatever is still open (the transfer failed or was canceled). */
  abort(): void {
    for (const f of this.wanted.values()) if (f.fd !== undefined) fs.closeSync(f.fd);
    this.wanted.clear();
    this.unmade.clear();
  }

  private fail(what: string, rel: string, err: unknown): ReceiveError {
    return new ReceiveError(`cannot ${what} ${this.where(rel)}: ${fsReason(err)}`);
  }

  private where(rel: string): string {
    return shown(path.join(this.dest, rel));
  }

  /** A relative, clean path whose parent is a real directory under dest (never through a symlink). */
  private checked(p: string): string {
    const rel = path.posix.normalize(p);
    if (!p || path.posix.isAbsolute(p) || rel === '.' || rel === '..' || rel.startsWith('../')) {
      throw new ReceiveError(`the engine sent an unsafe path ${JSON.stringify(shown(p))}`);
    }
    const parent = path.posix.dirname(rel);
    if (!this.dirs.has(parent)) {
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(bytes(path.join(this.dest, parent)));
      } catch {
        st = undefined;
      }
      if (!st?.isDirectory()) throw new ReceiveError(`cannot write ${this.where(rel)}: ${shown(parent)} is not a directory`);
      this.dirs.add(parent);
    }
    return rel;
  }

  private entry(stat: WireStat, id: number): void {
    const rel = this.checked(stat.path);
    const abs = path.join(this.dest, rel);
    const isDir = (stat.mode & MODE_DIR) !== 0;
    let old: fs.Stats | undefined;
    try {
      if (!this.fresh) old = fs.lstatSync(bytes(abs));
    } catch (err) {
      if (code(err) !== 'ENOENT') throw this.fail('stat', rel, err);
    }
    if (isDir) this.dirs.add(rel);
    if (old?.isDirectory() && isDir) return this.metadata(abs, stat, rel);
    const wantsData = canRequestData(stat.mode) && !stat.linkname;
    // A new regular file is made by its first DATA, in one open (and a small one in one go):
    // creating it here and opening it again there was half the cost of a result of small files.
    if (wantsData && !old) return this.ask(id, { rel, abs, mode: posixMode(stat.mode), modTime: stat.modTime, made: false });
    // what is there is replaced at once: the new entry is made aside, then renamed over it
    const made = old ? path.join(path.dirname(abs), `.tmp.${process.pid}.${this.tmpSeq++}`) : abs;
    try {
      this.create(made, stat, rel);
      this.metadata(made, stat, rel);
      if (old) {
        if (old.isDirectory() !== isDir) fs.rmSync(bytes(abs), { recursive: true, force: true });
        fs.renameSync(bytes(made), bytes(abs));
      }
    } catch (err) {
      if (made !== abs) fs.rmSync(bytes(made), { recursive: true, force: true });
      throw err instanceof ReceiveError ? err : this.fail('write', rel, err);
    }
    if (wantsData) this.ask(id, { rel, abs, mode: posixMode(stat.mode), modTime: stat.modTime, made: true });
  }

  private ask(id: number, f: IncomingFile): void {
    this.wanted.set(id, f);
    if (!f.made) this.unmade.set(f.rel, f);
    this.send(encodeControlPacket('req', id));
  }

  /** A hardlink names a file whose bytes have not come yet: make it now, empty, to link to. */
  private makeEarly(f: IncomingFile): void {
    fs.closeSync(fs.openSync(bytes(f.abs), 'wx', f.mode & 0o777));
    fs.chmodSync(bytes(f.abs), f.mode);
    f.made = true;
    this.unmade.delete(f.rel);
  }

  private create(at: string, stat: WireStat, rel: string): void {
    const m = stat.mode;
    if (m & MODE_DIR) fs.mkdirSync(bytes(at), { mode: 0o700 });
    else if (m & MODE_SYMLINK) fs.symlinkSync(bytes(stat.linkname), bytes(at));
    else if (m & (MODE_DEVICE | MODE_NAMED_PIPE)) this.special(at, stat, rel);
    else if (stat.linkname) {
      const target = this.checked(stat.linkname);
      const early = this.unmade.get(target);
      if (early) this.makeEarly(early);
      fs.linkSync(bytes(path.join(this.dest, target)), bytes(at));
    }
    // a socket arrives as an empty regular file, as fsutil writes it
    else fs.closeSync(fs.openSync(bytes(at), 'wx', 0o600));
  }

  /**
   * Device nodes and FIFOs: Node cannot make them, mknod(1) and mkfifo(1) can. An argument must be
   * text, so a name that is not UTF-8 is made under an ASCII one in dest, then renamed.
   */
  private special(at: string, stat: WireStat, rel: string): void {
    const aside = hasEscapes(at) ? path.join(this.dest, `.tmp.${process.pid}.${this.tmpSeq++}`) : undefined;
    const name = aside ?? at;
    const mode = (posixMode(stat.mode) & 0o7777).toString(8);
    const args = stat.mode & MODE_DEVICE
      ? ['mknod', '-m', mode, name, stat.mode & MODE_CHAR_DEVICE ? 'c' : 'b', String(stat.devmajor), String(stat.devminor)]
      : ['mkfifo', '-m', mode, name];
    const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : r.stderr.trim().split('\n').pop();
      throw new ReceiveError(`cannot create ${this.where(rel)}: ${why}`);
    }
    if (aside) fs.renameSync(aside, bytes(at));
  }

  private metadata(at: string, stat: WireStat, rel: string): void {
    try {
      if (!(stat.mode & MODE_SYMLINK)) fs.chmodSync(bytes(at), posixMode(stat.mode));
      const t = seconds(stat.modTime);
      fs.lutimesSync(bytes(at), t, t);
    } catch (err) {
      throw this.fail('set the mode and time of', rel, err);
    }
  }

  private data(id: number, chunk: Buffer): void {
    const f = this.wanted.get(id);
    if (!f) throw new ReceiveError(`the engine sent data for a file it was not asked for (id ${id})`);
    try {
      if (chunk.length === 0) {
        const fd = f.fd ?? this.openForWrite(f);
        f.fd = undefined;
        const t = seconds(f.modTime);
        try {
          // open(2) gave it the mode less the umask; setuid and the like a write may have cleared
          if (f.restoreMode === undefined && f.mode !== (f.mode & 0o777 & ~processUmask())) fs.fchmodSync(fd, f.mode);
          fs.futimesSync(fd, t, t);
        } finally {
          fs.closeSync(fd);
        }
        if (f.restoreMode !== undefined) fs.chmodSync(bytes(f.abs), f.restoreMode);
        this.wanted.delete(id);
        this.finishWhenDone();
        return;
      }
      f.fd ??= this.openForWrite(f);
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(f.fd, chunk, off);
      this.written += chunk.length;
    } catch (err) {
      throw err instanceof ReceiveError ? err : this.fail('write', f.rel, err);
    }
  }

  /** As fsutil's lazyFileWriter: a file whose mode forbids writing is opened after chmod u+w. */
  private openForWrite(f: IncomingFile): number {
    if (!f.made) {
      // created with its mode: a read-only one is still open for writing, as O_CREAT allows
      const fd = fs.openSync(bytes(f.abs), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, f.mode & 0o777);
      f.made = true;
      this.unmade.delete(f.rel);
      return fd;
    }
    try {
      return fs.openSync(bytes(f.abs), fs.constants.O_WRONLY);
    } catch (err) {
      if (code(err) !== 'EACCES') throw err;
      const mode = fs.statSync(bytes(f.abs)).mode & 0o7777;
      fs.chmodSync(bytes(f.abs), mode | 0o200);
      f.restoreMode = mode;
      return fs.openSync(bytes(f.abs), fs.constants.O_WRONLY);
    }
  }

  private finishWhenDone(): void {
    if (this.listed && this.wanted.size === 0 && !this.finSent) {
      this.finSent = true;
      this.send(encodeControlPacket('fin'));
    }
  }
}
