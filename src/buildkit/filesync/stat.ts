// One directory entry as fsutil's mkstat describes it on the wire (types.Stat).
import type { BigIntStats } from 'node:fs';

/** The Stat message fsutil sends (packetCodec.ts encodes it; int64 fields as bigint). */
export interface WireStat {
  path: string;
  /** Go os.FileMode bits, not POSIX st_mode */
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  /** Unix nanoseconds */
  modTime: bigint;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, Buffer>;
  /** path or linkname holds bytes that are not UTF-8, escaped (rawNames.ts) */
  raw?: true;
}

// Go os.FileMode type and special bits (io/fs).
export const MODE_DIR = 0x80000000;
export const MODE_SYMLINK = 1 << 27;
export const MODE_DEVICE = 1 << 26;
export const MODE_NAMED_PIPE = 1 << 25;
export const MODE_SOCKET = 1 << 24;
export const MODE_SETUID = 1 << 23;
export const MODE_SETGID = 1 << 22;
export const MODE_CHAR_DEVICE = 1 << 21;
export const MODE_STICKY = 1 << 20;
const MODE_TYPE = MODE_DIR | MODE_SYMLINK | MODE_NAMED_PIPE | MODE_SOCKET | MODE_DEVICE | MODE_CHAR_DEVICE | (1 << 19);

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

/** Converts POSIX st_mode to Go's os.FileMode, as os.Lstat does on Linux. */
export function goFileMode(stMode: number): number {
  let mode = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case S_IFBLK:
      mode |= MODE_DEVICE;
      break;
    case S_IFCHR:
      mode |= MODE_DEVICE | MODE_CHAR_DEVICE;
      break;
    case S_IFDIR:
      mode |= MODE_DIR;
      break;
    case S_IFIFO:
      mode |= MODE_NAMED_PIPE;
      break;
    case S_IFLNK:
      mode |= MODE_SYMLINK;
      break;
    case S_IFSOCK:
      mode |= MODE_SOCKET;
      break;
  }
  if (stMode & 0o4000) mode |= MODE_SETUID;
  if (stMode & 0o2000) mode |= MODE_SETGID;
  if (stMode & 0o1000) mode |= MODE_STICKY;
  return mode >>> 0;
}

/** Only regular files carry data (fsutil's fileCanRequestData). */
export function canRequestData(goMode: number): boolean {
  return (goMode & MODE_TYPE) === 0;
}

/**
 * fsutil's mkstat for an lstat result. uid/gid are zeroed as buildkit's client does; the
 * socket bit is cleared as fsutil does (so a socket travels as an empty regular file).
 */
export function makeStat(relPath: string, st: BigIntStats, linkname: string): WireStat {
  const stMode = Number(st.mode);
  const isDir = (stMode & S_IFMT) === S_IFDIR;
  let devmajor = 0;
  let devminor = 0;
  // fsutil tests st_mode & (S_IFBLK|S_IFCHR) bitwise; rdev is 0 for all but devices anyway
  if (!isDir && (stMode & (S_IFBLK | S_IFCHR)) !== 0) {
    const rdev = st.rdev;
    devmajor = Number((rdev >> 8n) & 0xfffn);
    devminor = Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n));
  }
  return {
    path: relPath,
    mode: (goFileMode(stMode) & ~MODE_SOCKET) >>> 0,
    uid: 0,
    gid: 0,
    size: isDir ? 0n : st.size,
    modTime: st.mtimeNs,
    linkname,
    devmajor,
    devminor,
    xattrs: {},
  };
}
