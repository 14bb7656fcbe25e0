// Hostile and bad input through the CLI bundle and the library (cases cli.test.ts does not cover):
// each ends with a clear message (naming the file, with the Dockerfile line where there is one),
// a non-zero exit and no stack trace; odd files never hang a build; secrets and files outside the
// context are never sent anywhere visible.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, closeEngines, options, writeTree } from '../support/build';
import { buildx, compareImages } from '../support/buildx';
import { CLI, runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';
import { tempDir } from '../support/tmp';

after(closeEngines);

const eng = testEngines().find((e) => e.name === 'd26');

function noStack(text: string): void {
  assert.ok(!/\n\s+at .+:\d+:\d+\)?\n/.test(text), `stack trace in:\n${text}`);
}

/** Runs the CLI as nobody (group of the engine socket), for permission cases root would bypass. */
function runAsNobody(args: string[]): { status: number | null; stderr: string } {
  const gid = fs.statSync(eng!.host.replace(/^unix:\/\//, '')).gid;
  const home = tempDir('bkl-nobody-');
  fs.chmodSync(home, 0o777);
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${gid}`, process.execPath, CLI, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home }, timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

/** A context everyone may read (mkdtemp makes 0700 dirs). */
function openTree(files: Record<string, string | null>): string {
  const dir = writeTree(files);
  for (const p of [dir, ...fs.readdirSync(dir, { recursive: true }).map((r) => path.join(dir, String(r)))]) {
    fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
  }
  return dir;
}

describe('hostile input', { skip: !eng && 'needs the d26 engine', timeout: 300_000 }, () => {
  const H = () => ['-H', eng!.host, '--network', 'none'];

  // [name, args after `build -H … --network none`, message, Dockerfile line the excerpt must mark]
  const cliCases: [string, () => string[], RegExp, number?][] = [
    ['missing COPY source, with its line', () => [writeTree({ Dockerfile: 'FROM busybox\nRUN true\nCOPY nope.txt /x\n' })], /"\/nope\.txt": not found/, 3],
    ['empty Dockerfile', () => [writeTree({ Dockerfile: '' })], /Dockerfile cannot be empty|file with no instructions/],
    ['control characters in a Dockerfile', () => [writeTree({ Dockerfile: 'FROM busybox\n\u0000\u0001\u00ff\u0007 junk\n' })], /unknown instruction/i, 2],
    // the engine resets the stream (its error would not be valid UTF-8); buildx shows only the reset
    ['invalid UTF-8 in a Dockerfile', () => {
      const c = writeTree({});
      fs.writeFileSync(path.join(c, 'Dockerfile'), Buffer.concat([Buffer.from('FROM busybox\n'), Buffer.from([0xff, 0xfe]), Buffer.from(' junk\n')]));
      return [c];
    }, /Dockerfile:2 is not valid UTF-8/],
    ['-f names a directory', () => { const c = writeTree({ 'd/x': '' }); return ['-f', path.join(c, 'd'), c]; }, /Dockerfile ".*\/d" is not a file/],
    ['secret src is a directory', () => ['--secret', `id=s,src=${os.tmpdir()}`, writeTree({ Dockerfile: 'FROM busybox\n' })], /secret s: cannot read .*: (EISDIR|is a directory)/i],
    ['uppercase tag', () => ['-t', 'Bad/Name:latest', writeTree({ Dockerfile: 'FROM scratch\n' })], /invalid (reference format|tag).*lowercase|must be lowercase/i],
    ['FROM an image that is not there (offline engine)', () => [writeTree({ Dockerfile: 'FROM bkl-no-such-image-anywhere:1\n' })], /bkl-no-such-image-anywhere/, 1],
  ];
  for (const [name, args, re, line] of cliCases) {
    test(`CLI: ${name} → exit 1, clear message${line ? `, line ${line}` : ''}`, async () => {
      const r = await runCli(['build', ...H(), '--progress', 'plain', ...args()], { timeoutMs: 60_000 });
      assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, re);
      if (line) assert.match(r.stderr, new RegExp(`^\\s*${line} \\| >>> `, 'm'), r.stderr);
      noStack(r.stderr);
    });
  }

  test('CLI as a non-root user: an unreadable file in the context is named', async () => {
    const c = openTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n', 'ok.txt': 'ok', 'private/key.pem': 'k' });
    fs.chmodSync(path.join(c, 'private/key.pem'), 0o000);
    const r = runAsNobody(['build', ...H(), '--progress', 'plain', c]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot read private\/key\.pem: permission denied/);
    noStack(r.stderr);
  });

  test('CLI as a non-root user: an unreadable directory is named; excluded, it is fine', async () => {
    const c = openTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n', 'locked/x': 'x' });
    fs.chmodSync(path.join(c, 'locked'), 0o000);
    const r = runAsNobody(['build', ...H(), '--progress', 'plain', c]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot read directory locked: permission denied/);
    fs.writeFileSync(path.join(c, '.dockerignore'), 'locked\n');
    fs.chmodSync(path.join(c, '.dockerignore'), 0o644);
    const ok = runAsNobody(['build', ...H(), '--progress', 'quiet', c]);
    assert.equal(ok.status, 0, ok.stderr);
  });

  test('a FIFO and a unix socket in the context do not hang the build', async () => {
    const c = writeTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n' });
    spawnSync('mkfifo', [path.join(c, 'pipe')]);
    const net = await import('node:net');
    const server = net.createServer().listen(path.join(c, 'sock'));
    try {
      const r = await runCli(['build', ...H(), '--progress', 'quiet', c], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
    } finally {
      server.close();
    }
  });

  test('secrets never appear in CLI plain or rawjson output, even when the build fails', async () => {
    const value = `hostile-secret-${process.pid}-${Date.now()}`;
    const file = path.join(tempDir('bkl-sec-'), 's');
    fs.writeFileSync(file, value);
    const ctx = writeTree({
      Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=f --mount=type=secret,id=e test -s /run/secrets/f && test -s /run/secrets/e && echo used\nRUN --mount=type=secret,id=f false\n',
    });
    const env = { BKL_HOSTILE_SECRET: `${value}-env` };
    for (const progress of ['plain', 'rawjson']) {
      const r = await runCli(['build', ...H(), '--no-cache', '--progress', progress, '--secret', `id=f,src=${file}`, '--secret', 'id=e,env=BKL_HOSTILE_SECRET', ctx], { env });
      assert.equal(r.code, 1, r.stderr);
      const all = r.stdout + r.stderr;
      const decoded = progress === 'rawjson' ? all + [...all.matchAll(/"data":"([^"]*)"/g)].map((m) => Buffer.from(m[1], 'base64').toString()).join('') : all;
      assert.match(decoded, /used/);
      assert.ok(!decoded.includes(value), `the secret appears in ${progress} output`);
    }
  });

  test('library: a context path that is a file, a Dockerfile that is a dir, a missing context', async () => {
    const c = writeTree({ Dockerfile: 'FROM scratch\n' });
    const cases: [Parameters<typeof options>[1] & object, string, RegExp][] = [
      [{}, path.join(c, 'Dockerfile'), /build context ".*Dockerfile" is not a directory/],
      [{ dockerfile: c }, c, /Dockerfile ".*" is not a file/],
      [{}, path.join(c, 'nope'), /build context ".*nope" does not exist/],
    ];
    for (const [over, ctx, re] of cases) {
      const b = await build(eng!.host, options(ctx, over));
      assert.equal(b.result.ok, false);
      assert.match(b.result.error!.message, re);
      assert.equal(b.statuses.length, 0, 'nothing reached the engine');
    }
  });

  test('CLI: names that are not UTF-8 in the context reach the image as their bytes, as buildx sends them', { skip: !buildxPath() && 'no buildx' }, async () => {
    const c = writeTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n', 'ok.txt': 'ok' });
    const at = (...parts: (string | number[])[]) => Buffer.concat([Buffer.from(c + '/'), ...parts.map((p) => Buffer.from(p as string))]);
    fs.mkdirSync(at('dir-', [0xff]));
    fs.writeFileSync(at('dir-', [0xff], '/in.txt'), 'in');
    fs.writeFileSync(at('bad-', [0xfe, 0x80], '.txt'), 'x');
    fs.linkSync(at('bad-', [0xfe, 0x80], '.txt'), at('hard.txt'));
    fs.symlinkSync(Buffer.concat([Buffer.from('target-'), Buffer.from([0xfd])]), at('link'));
    const out = tempDir('bkl-hostile-raw-');
    const r = await runCli(['build', ...H(), '--progress', 'quiet', '-o', `type=tar,dest=${out}/ours.tar`, c], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const x = await buildx(eng!, ['--progress', 'quiet', '-o', `type=tar,dest=${out}/buildx.tar`, c]);
    assert.equal(x.code, 0, x.stderr);
    const ours = fs.readFileSync(path.join(out, 'ours.tar'));
    assert.ok(ours.includes(Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xfe, 0x80])), 'the name\'s bytes are in the image');
    assert.ok(ours.equals(fs.readFileSync(path.join(out, 'buildx.tar'))), 'the same tarball as buildx writes');
  });

  test('library: a Dockerfile outside the context builds the same image as buildx', { skip: !buildxPath() && 'no buildx' }, async () => {
    const df = path.join(writeTree({ 'outside.Dockerfile': 'FROM scratch\nCOPY . /ctx/\n' }), 'outside.Dockerfile');
    const ctx = writeTree({ 'a.txt': 'a', 'sub/b.txt': 'b' });
    const tag = (w: string) => `bkl-hostile-outside-${w}:latest`;
    const [b, x] = await Promise.all([
      build(eng!.host, options(ctx, { dockerfile: df, tags: [tag('ours')], noCache: true })),
      buildx(eng!, ['--no-cache', '--progress', 'quiet', '-f', df, '-t', tag('buildx'), ctx]),
    ]);
    assert.equal(b.result.ok, true, b.result.error?.message);
    assert.equal(x.code, 0, x.stderr);
    const cmp = await compareImages(eng!, tag('ours'), tag('buildx'));
    assert.deepEqual(cmp.diff, []);
    assert.ok(!cmp.ours.has('ctx/outside.Dockerfile'), 'the Dockerfile is not part of the context');
  });
});
