// The context walk: order the receiver accepts, fsutil's Stat fields, and FilterFS filtering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ContextWalk, WalkEntry, WalkOptions, WireStat } from '../../src/buildkit/filesync/walk';
import { goFileMode, canRequestData } from '../../src/buildkit/filesync/stat';
import { compareNames } from '../../src/buildkit/filesync/followpaths';
import { encodeStatPacket } from '../../src/buildkit/filesync/packetCodec';
import { decodePacket } from '../../src/buildkit/filesync/packetDecode';
import { escapeName, fsPath, nameBytes } from '../../src/buildkit/filesync/rawNames';
import { validateStats, comparePath } from '../fixtures/filesync/receiver';
import { tempDir } from '../support/tmp';

/** A walked Stat with its int64 fields as decimal strings, as the receiver fixture reads them. */
type StatText = Omit<WireStat, 'size' | 'modTime'> & { size: string; modTime: string };

/** Every entry of the walk, taken as the sender takes them (in slices). */
async function walkContext(root: string, opts: WalkOptions = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const slice of new ContextWalk(root, opts).slices()) out.push(...slice);
  return out;
}

async function walk(root: string, opts: WalkOptions = {}): Promise<StatText[]> {
  const out: StatText[] = [];
  for (const e of await walkContext(root, opts)) out.push({ ...e.stat, size: String(e.stat.size), modTime: String(e.stat.modTime) });
  validateStats(out);
  return out;
}
const paths = async (root: string, opts: WalkOptions = {}) => (await walk(root, opts)).map((s) => s.path);

/** Creates files (content = path) and dirs (trailing '/') under a fresh temp dir. */
function tree(entries: string[]): string {
  const root = tempDir('fs-walk-');
  for (const e of entries) {
    const p = path.join(root, e);
    if (e.endsWith('/')) fs.mkdirSync(p, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, e);
    }
  }
  return root;
}

test('goFileMode converts st_mode to Go os.FileMode bits', () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 0x80000000 + 0o755);
  assert.equal(goFileMode(0o120777), (1 << 27) + 0o777);
  assert.equal(goFileMode(0o060660), (1 << 26) + 0o660);
  assert.equal(goFileMode(0o020620), (1 << 26) + (1 << 21) + 0o620);
  assert.equal(goFileMode(0o010644), (1 << 25) + 0o644);
  assert.equal(goFileMode(0o140755), (1 << 24) + 0o755);
  assert.equal(goFileMode(0o104755), (1 << 23) + 0o755);
  assert.equal(goFileMode(0o102755), (1 << 22) + 0o755);
  assert.equal(goFileMode(0o041777), 0x80000000 + (1 << 20) + 0o777);
  assert.equal(canRequestData(0o644 | (1 << 23)), true, 'setuid file still carries data');
  assert.equal(canRequestData(0x80000000 + 0o755), false);
  assert.equal(canRequestData((1 << 27) + 0o777), false);
});

test('names sort by UTF-8 bytes, not UTF-16 units', () => {
  const names = ['a\uE000', 'a😀', 'a', 'a b', 'a-b', 'a.b', 'aé', 'B', 'a_'];
  const sorted = [...names].sort(compareNames);
  assert.deepEqual(sorted, [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  assert.deepEqual(sorted.slice(-2), ['a\uE000', 'a😀']);
});

test('unfiltered walk: DFS pre-order with "/" lowest, every kind of entry', async () => {
  const root = tree(['a/b/f', 'a b/h é', 'a-b/x', 'a.b/g', 'empty/', 'zz/😀/deep/file', 'ab']);
  fs.symlinkSync('a/b/f', path.join(root, 'link'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'abslink'));
  fs.symlinkSync('../../outside', path.join(root, 'up'));
  fs.symlinkSync('nowhere', path.join(root, 'dangling'));
  fs.linkSync(path.join(root, 'a/b/f'), path.join(root, 'hard'));
  fs.linkSync(path.join(root, 'a/b/f'), path.join(root, 'zz/hard2'));
  fs.chmodSync(path.join(root, 'a.b/g'), 0o4755);
  fs.chmodSync(path.join(root, 'empty'), 0o1777);
  const stats = await walk(root);
  assert.deepEqual(
    stats.map((s) => s.path),
    ['a', 'a/b', 'a/b/f', 'a b', 'a b/h é', 'a-b', 'a-b/x', 'a.b', 'a.b/g', 'ab', 'abslink', 'dangling', 'empty', 'hard', 'link', 'up', 'zz', 'zz/hard2', 'zz/😀', 'zz/😀/deep', 'zz/😀/deep/file'],
  );
  const by = new Map(stats.map((s) => [s.path, s]));
  const f = fs.lstatSync(path.join(root, 'a/b/f'), { bigint: true });
  assert.deepEqual(by.get('a/b/f'), {
    path: 'a/b/f', mode: 0o644, uid: 0, gid: 0, size: '5', modTime: f.mtimeNs.toString(),
    linkname: '', devmajor: 0, devminor: 0, xattrs: {},
  });
  assert.equal(by.get('a')!.mode, 0x80000000 + 0o755);
  assert.equal(by.get('a')!.size, '0');
  assert.equal(by.get('a.b/g')!.mode, (1 << 23) + 0o755);
  assert.equal(by.get('empty')!.mode, 0x80000000 + (1 << 20) + 0o777);
  for (const [name, target] of [['link', 'a/b/f'], ['abslink', '/etc/passwd'], ['up', '../../outside'], ['dangling', 'nowhere']]) {
    const s = by.get(name)!;
    assert.equal(s.mode & ~0o777, 1 << 27, `${name} is sent as a symlink`);
    assert.equal(s.linkname, target);
    assert.equal(s.size, String(Buffer.byteLength(target)));
  }
  // the first path of an inode travels as a file, later ones name it (full size kept, as fsutil)
  assert.equal(by.get('a/b/f')!.linkname, '');
  assert.equal(by.get('hard')!.linkname, 'a/b/f');
  assert.equal(by.get('zz/hard2')!.linkname, 'a/b/f');
  assert.equal(by.get('hard')!.size, '5');
});

test('modTime keeps nanosecond precision as a decimal string', async () => {
  const root = tree(['f']);
  const { execFileSync } = await import('node:child_process');
  execFileSync('touch', ['-m', '-d', '@1700000000.123456789', path.join(root, 'f')]);
  const [s] = await walk(root);
  assert.equal(s.modTime, '1700000000123456789');
});

test('fifos and devices are typed; sockets travel as plain files like fsutil', async () => {
  const root = tree(['x']);
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  execFileSync('mknod', [path.join(root, 'null'), 'c', '1', '3']);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(path.join(root, 'sock'), r));
  try {
    const by = new Map((await walk(root)).map((s) => [s.path, s]));
    assert.equal(by.get('fifo')!.mode & ~0o777, 1 << 25);
    const dev = by.get('null')!;
    assert.equal(dev.mode & ~0o777, (1 << 26) + (1 << 21));
    assert.deepEqual([dev.devmajor, dev.devminor], [1, 3]);
    assert.equal(by.get('sock')!.mode & ~0o777, 0, 'socket bit cleared');
  } finally {
    server.close();
  }
});

test('excluded dir with a re-included child: parent emitted lazily, siblings stay out', async () => {
  const root = tree(['node_modules/a/x.js', 'node_modules/keep/k.js', 'node_modules/z.js', 'src/i.ts', 'README.md']);
  assert.deepEqual(await paths(root, { excludePatterns: ['node_modules', '!node_modules/keep'] }), [
    'README.md', 'node_modules', 'node_modules/keep', 'node_modules/keep/k.js', 'src', 'src/i.ts',
  ]);
  assert.deepEqual(await paths(root, { excludePatterns: ['node_modules'] }), ['README.md', 'src', 'src/i.ts']);
  // a glob exception forces descending into every excluded dir
  assert.deepEqual(await paths(root, { excludePatterns: ['node_modules', '!**/k.js'] }), [
    'README.md', 'node_modules', 'node_modules/keep', 'node_modules/keep/k.js', 'src', 'src/i.ts',
  ]);
  // an excluded parent with nothing re-included under it is not sent at all
  assert.deepEqual(await paths(root, { excludePatterns: ['*', '!src/i.ts'] }), ['src', 'src/i.ts']);
  assert.deepEqual(await paths(root, { excludePatterns: ['**/*.js', 'node_modules/keep/k.js', '!node_modules/keep'] }), [
    'README.md', 'node_modules', 'node_modules/a', 'node_modules/keep', 'src', 'src/i.ts',
  ]);
});

test('include patterns: prefix includes prune, glob includes walk everything lazily', async () => {
  const root = tree(['a/b/c.txt', 'a/b/d.md', 'a/e.txt', 'b/f.txt', 'c.txt']);
  assert.deepEqual(await paths(root, { includePatterns: ['a/b'] }), ['a', 'a/b', 'a/b/c.txt', 'a/b/d.md']);
  assert.deepEqual(await paths(root, { includePatterns: ['*/*.txt'] }), ['a', 'a/e.txt', 'b', 'b/f.txt']);
  assert.deepEqual(await paths(root, { includePatterns: ['**/*.txt'] }), ['a', 'a/b', 'a/b/c.txt', 'a/e.txt', 'b', 'b/f.txt', 'c.txt']);
  assert.deepEqual(await paths(root, { includePatterns: ['a'], excludePatterns: ['**/*.md'] }), ['a', 'a/b', 'a/b/c.txt', 'a/e.txt']);
});

test('followpaths add symlink targets to the includes, resolved inside the context', async () => {
  const root = tree(['build/Dockerfile.real', 'build/other', 'abs/target', 'unrelated', 'x.dockerignore']);
  fs.symlinkSync('build/Dockerfile.real', path.join(root, 'Dockerfile'));
  fs.symlinkSync('/abs/target', path.join(root, 'viaabs'));
  assert.deepEqual(await paths(root, { followPaths: ['Dockerfile', 'Dockerfile.dockerignore'] }), [
    'Dockerfile', 'build', 'build/Dockerfile.real',
  ]);
  assert.deepEqual(await paths(root, { followPaths: ['viaabs'] }), ['abs', 'abs/target', 'viaabs']);
  assert.deepEqual(await paths(root, { followPaths: ['*.dockerignore'] }), ['x.dockerignore']);
  assert.deepEqual(await paths(root, { followPaths: ['.'] }), await paths(root), '"." means everything');
});

test('walk rejects missing roots and non-directories with one-line messages', async () => {
  await assert.rejects(paths('/nonexistent/ctx'), { message: 'cannot resolve /nonexistent/ctx: no such file or directory' });
  const root = tree(['f']);
  await assert.rejects(paths(path.join(root, 'f')), /is not a directory/);
  await assert.rejects(paths(root, { excludePatterns: ['['] }), /invalid pattern "\["/);
});

test('names that are not valid UTF-8 are sent as their bytes, in byte order, as fsutil sends them', async () => {
  const root = tree(['ok', 'a\u00e9']);
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const at = (...parts: (string | number[])[]) => bytes(root + '/', ...parts);
  fs.mkdirSync(at('d', [0xff]));
  fs.writeFileSync(at('d', [0xff], '/f'), 'in a raw folder');
  fs.writeFileSync(at('a', [0x80]), 'raw name');
  fs.linkSync(at('a', [0x80]), at('z-hard'));
  fs.symlinkSync(bytes('t', [0xfe]), at('l'));
  const entries = await walkContext(root);
  // what goes on the wire: each packet decoded as receive.ts decodes it, then back to its bytes
  const wire = entries.map((e) => decodePacket(encodeStatPacket(e.stat)).stat!).map((s) => [nameBytes(s.path), nameBytes(s.linkname)]);
  assert.deepEqual(
    wire.map(([p]) => p),
    // Go compares bytes: 0x80 sorts before the UTF-8 of "é" (c3 a9), and 0xff after everything
    [bytes('a', [0x80]), bytes('a\u00e9'), bytes('d', [0xff]), bytes('d', [0xff], '/f'), bytes('l'), bytes('ok'), bytes('z-hard')],
  );
  assert.deepEqual(wire[4][1], bytes('t', [0xfe]), 'a symlink target as its bytes');
  assert.deepEqual(wire[6][1], bytes('a', [0x80]), 'a hardlink names the first path as its bytes');
  assert.deepEqual(wire[1][1], Buffer.alloc(0));
  // and the sender finds the files again by those names
  const inRaw = entries[3];
  assert.equal(inRaw.raw, true);
  assert.equal(fs.readFileSync(fsPath(inRaw.absPath, inRaw.raw), 'utf8'), 'in a raw folder');
  assert.equal(entries[1].raw, undefined, 'a valid name beside them takes the usual path');
});

test('escaped names turn back into the same bytes, whatever the bytes', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let n = 0; n < 2000; n++) {
    const b = Buffer.from(Array.from({ length: 1 + (n % 12) }, rand));
    assert.deepEqual(nameBytes(escapeName(b)), b, b.toString('hex'));
  }
  for (const text of ['plain', 'ünï cödé', '日本', '😀x', '\uFFFD']) assert.equal(escapeName(Buffer.from(text)), text);
  // Go's utf8 rejects encoded surrogates and overlong forms: each such byte is escaped on its own
  assert.equal(escapeName(Buffer.from([0xed, 0xa0, 0x80])), '\udced\udca0\udc80');
  assert.equal(escapeName(Buffer.from([0xc0, 0xaf])), '\udcc0\udcaf');
});

test('comparePath puts "/" below every byte, as fsutil does', () => {
  assert.ok(comparePath('a/b', 'a.b') < 0);
  assert.ok(comparePath('a/b', 'a b') < 0);
  assert.ok(comparePath('a', 'a/b') < 0);
  assert.throws(() => validateStats([{ path: 'a.b', mode: 0 } as any, { path: 'a', mode: 0x80000000 } as any]), /out of order/);
  assert.throws(() => validateStats([{ path: 'a/b', mode: 0 } as any]), /out of order/);
  assert.throws(() => validateStats([{ path: 'x', mode: 0, linkname: 'y' } as any]), /unknown path/);
});

test('walk speed: 20,000 files', async () => {
  const root = tempDir('fs-speed-');
  for (let d = 0; d < 200; d++) {
    const dir = path.join(root, `dir${d}`, 'sub');
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `file${f}.txt`), 'x');
  }
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const start = process.hrtime.bigint();
  const n = (await walkContext(root, { excludePatterns: ['**/*.log', '!keep.log'] })).filter((e) => e.stat.path.length > 0).length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(timer);
  console.log(`# walk of ${n} entries (20,000 files) took ${ms.toFixed(0)} ms`);
  assert.equal(n, 20_000 + 400);
  assert.ok(ticks > 0, 'timers keep running during the walk');
  assert.ok(ms < 10_000, `walk took ${ms} ms`);
});

test('a large filtered-out tree does not hold the event loop: next() gives null to yield on', async () => {
  // 'big' is excluded but an exception reaches into it, so it is walked without being sent
  // (the exception's own folder: other folders under 'big' are skipped whole, as fsutil does)
  const files = Array.from({ length: 600 }, (_, i) => `big/d3/f${i}`);
  const root = tree([...files, 'big/d3/keep', 'big/d3/zz', 'top']);
  const opts = { excludePatterns: ['big', '!big/d3/keep'] };
  const walk = new ContextWalk(root, opts);
  let nulls = 0;
  const seen: string[] = [];
  for (let e = walk.next(); e !== undefined; e = walk.next()) {
    if (e === null) nulls++;
    else seen.push(e.stat.path);
  }
  assert.ok(nulls >= 2, `next() returned null ${nulls} times over 600 hidden entries`);
  assert.deepEqual(seen, await paths(root, opts));
  assert.deepEqual(seen, ['big', 'big/d3', 'big/d3/keep', 'top']);
});
