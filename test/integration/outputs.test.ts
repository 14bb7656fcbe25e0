// `-o` outputs the engine sends back through the session (FileSend): a directory and tarballs,
// compared with what `docker buildx build` (0.13) writes from the same engine, plus the failures a
// user meets (no such exporter, a dest that cannot be made, a full disk).
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeEngines, engineFor, writeTree } from '../support/build';
import { buildx } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines, type TestEngine } from '../support/engines';
import { tempDir } from '../support/tmp';

after(closeEngines);

function context(eng: TestEngine): string {
  const fifo = eng.buildkit === '0.8' ? '' : ' && mkfifo /out/fifo "/out/$bad.fifo"'; // BuildKit 0.8 copies no FIFO
  const ctx = writeTree({
    Dockerfile: [
      'FROM busybox:latest AS made',
      // names are bytes: one that is not UTF-8 must come out as the same bytes
      `RUN bad=$(printf 'n\\377\\376') && mkdir -p "/out/d/$bad" && echo b > "/out/d/$bad/f" && ln -s "$bad" /out/d/to-bad && mkdir -p /out/d/empty && echo hi > /out/a && ln -s a /out/link && ln /out/a /out/hard && chmod 4755 /out/a && touch -t 202009131226.40 /out/a && echo ro > /out/ro && chmod 444 /out/ro${fifo}`,
      'FROM scratch',
      'COPY --from=made /out/ /',
      'COPY sub /sub',
      '',
    ].join('\n'),
    'sub/f': 'x\n',
    'sub/ünï name': 'u\n',
  });
  fs.writeFileSync(path.join(ctx, 'sub/big'), crypto.randomBytes(3 << 20));
  return ctx;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** a name's bytes as text, bytes that are not UTF-8 as \xNN */
function shown(name: Buffer): string {
  try {
    return strictUtf8.decode(name);
  } catch {
    return [...name].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join('');
  }
}

/** Every entry with what a user of the files sees: type and mode, bytes, link target, file mtimes to the µs, hardlinks. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const inodes = new Map<bigint, string>();
  // names as bytes: readdir's strings would show two different names alike
  const at = (rel: Buffer) => Buffer.concat([Buffer.from(root + '/'), rel]);
  const walk = (rel: Buffer) => {
    for (const name of fs.readdirSync(at(rel), { encoding: 'buffer' }).sort(Buffer.compare)) {
      const b = rel.length ? Buffer.concat([rel, Buffer.from('/'), name]) : name;
      const p = shown(b);
      const st = fs.lstatSync(at(b), { bigint: true });
      let d = `mode ${st.mode.toString(8)}`;
      if (st.isFile()) {
        d += ` sha ${crypto.createHash('sha256').update(fs.readFileSync(at(b))).digest('hex').slice(0, 12)}`;
        const first = inodes.get(st.ino);
        if (first) d += ` same as ${first}`;
        else inodes.set(st.ino, p);
      }
      if (st.isSymbolicLink()) d += ` -> ${shown(fs.readlinkSync(at(b), { encoding: 'buffer' }))}`;
      // fsutil leaves a directory's mtime to whatever its entries made it
      if (!st.isDirectory()) d += ` mtime ${st.mtimeNs / 1000n}`;
      out[p] = d;
      if (st.isDirectory()) walk(b);
    }
  };
  walk(Buffer.alloc(0));
  return out;
}

const hasBuildx = !!buildxPath();

for (const eng of testEngines()) {
  describe(`-o outputs on ${eng.name}`, { skip: !hasBuildx && 'buildx not installed (scripts/engines/install.sh)', timeout: 300_000 }, () => {
    const base = ['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet'];
    const ctx = context(eng);
    const work = tempDir('bkl-outputs-');

    test('a local directory: the same files, modes, links and times as buildx writes; dest merged into', async () => {
      const ours = path.join(work, 'ours');
      fs.mkdirSync(ours);
      fs.writeFileSync(path.join(ours, 'mine.txt'), 'stays');
      fs.writeFileSync(path.join(ours, 'a'), 'replaced');
      const r = await runCli([...base, '-o', ours, ctx]);
      assert.equal(r.code, 0, r.stderr);
      const theirs = path.join(work, 'buildx');
      const b = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '-o', `type=local,dest=${theirs}`, ctx]);
      assert.equal(b.code, 0, b.stderr);
      const got = tree(ours);
      assert.equal(got['mine.txt'] !== undefined, true, 'what was in dest stays');
      delete got['mine.txt'];
      assert.deepEqual(got, tree(theirs));
      assert.match(got['a'], /^mode 104755 /);
      assert.match(got['hard'], /same as a/);
      assert.equal(got['link'].includes('-> a'), true);
      assert.match(got['ro'], /^mode 100444 /);
      assert.match(got['d/empty'], /^mode 40755/);
      if (eng.buildkit !== '0.8') assert.match(got['fifo'], /^mode 10644 /);
      assert.match(got['d/n\\xff\\xfe/f'], /^mode 100644 /);
      assert.equal(got['d/to-bad'].includes('-> n\\xff\\xfe'), true);
      if (eng.buildkit !== '0.8') assert.match(got['n\\xff\\xfe.fifo'], /^mode 10644 /);
    });

    test('a tarball, to a file and to standard output: the bytes buildx writes', async () => {
      const ours = path.join(work, 'ours.tar');
      const r = await runCli([...base, '-o', `type=tar,dest=${ours}`, ctx]);
      assert.equal(r.code, 0, r.stderr);
      const theirs = path.join(work, 'buildx.tar');
      const b = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '-o', `type=tar,dest=${theirs}`, ctx]);
      assert.equal(b.code, 0, b.stderr);
      assert.ok(fs.statSync(ours).size > 3 << 20);
      assert.equal(fs.readFileSync(ours).equals(fs.readFileSync(theirs)), true, 'same bytes as buildx');
      // -q prints no image id after a tarball on stdout
      const piped = await runCli([...base, '-q', '-o', '-', ctx]);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdoutBytes.equals(fs.readFileSync(ours)), true, 'stdout holds the same tarball, and only it');
      // type=tar with no dest: standard output too, as buildx
      const noDest = await runCli([...base, '-o', 'type=tar', ctx]);
      assert.equal(noDest.code, 0, noDest.stderr);
      assert.equal(noDest.stdoutBytes.equals(fs.readFileSync(ours)), true, 'type=tar without dest writes to stdout');
    });

    test('several outputs at once (BuildKit 0.13): each written as buildx writes it, --load beside them; Docker 20.10 says it needs one', async () => {
      const out = tempDir('bkl-multi-');
      const tag = `bkl-multi:${eng.name}-${Date.now()}`;
      const r = await runCli([...base, '-o', `type=tar,dest=${out}/ours.tar`, '-o', `type=local,dest=${out}/dir`, '--load', '-t', tag, ctx]);
      if (eng.buildkit === '0.8') {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^ERROR: several outputs need BuildKit 0\.13 or later \(Docker 26\.0 or later\); this engine is Docker 20\.10/);
        assert.equal(fs.existsSync(path.join(out, 'ours.tar')), false);
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      const b = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '-o', `type=tar,dest=${out}/buildx.tar`, ctx]);
      assert.equal(b.code, 0, b.stderr);
      assert.ok(fs.readFileSync(path.join(out, 'ours.tar')).equals(fs.readFileSync(path.join(out, 'buildx.tar'))), 'the tarball buildx writes');
      assert.equal(fs.readFileSync(path.join(out, 'dir/sub/f'), 'utf8'), 'x\n');
      assert.ok((await (await engineFor(eng.host)).docker.getImage(tag).inspect()).Id, '--load put it in the engine');
    });

    test('type=docker with no dest, and type=image, put the image where docker sees it, as buildx does on a Docker engine', async () => {
      for (const type of ['docker', 'image']) {
        // a short name: Docker's store names it docker.io/library/NAME, and `docker` finds it so
        const tag = `bkl-loaded-${type}:${eng.name}-${Date.now()}`;
        const r = await runCli([...base, '-o', `type=${type},name=${tag}`, ctx]);
        assert.equal(r.code, 0, r.stderr);
        // --progress quiet: the image id, as buildx prints it
        assert.match(r.stdout, /^sha256:[a-f0-9]{64}\n$/);
        const img = await (await engineFor(eng.host)).docker.getImage(tag).inspect();
        assert.ok(img.Id, `${tag} is in the engine's store`);
      }
    });

    test('oci: an OCI layout on the containerd store; the classic store says why not, before building', async () => {
      const dest = path.join(work, 'oci.tar');
      const r = await runCli([...base, '-o', `type=oci,dest=${dest}`, ctx]);
      if (eng.containerdStore) {
        assert.equal(r.code, 0, r.stderr);
        const names = execFileSync('tar', ['tf', dest], { encoding: 'utf8' }).split('\n');
        assert.ok(names.includes('oci-layout') && names.includes('index.json'), names.join(' '));
      } else {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^ERROR: output type=oci needs the containerd image store, and this engine uses the classic store/m);
        assert.equal(fs.existsSync(dest), false);
      }
    });

    test('two platforms into a directory: one folder per platform, as buildx writes them', { skip: !eng.containerdStore && 'multi-platform needs the containerd store' }, async () => {
      const mp = writeTree({ Dockerfile: 'FROM scratch\nCOPY f /f\n', f: 'hi\n' });
      const ours = path.join(work, 'mp-ours');
      const theirs = path.join(work, 'mp-buildx');
      const r = await runCli([...base, '--platform', 'linux/amd64,linux/arm64', '-o', ours, mp]);
      assert.equal(r.code, 0, r.stderr);
      const b = await buildx(eng, ['--progress', 'quiet', '--platform', 'linux/amd64,linux/arm64', '-o', theirs, mp]);
      assert.equal(b.code, 0, b.stderr);
      assert.deepEqual(Object.keys(tree(ours)).sort(), ['linux_amd64', 'linux_amd64/f', 'linux_arm64', 'linux_arm64/f']);
      assert.deepEqual(tree(ours), tree(theirs));
    });

    test('a dest that cannot be made, or a full disk, fails the build with one clear line and leaves no partial tarball', async () => {
      // Node's recursive mkdir spins forever on this one: the build must end, and say why
      const proc = await runCli([...base, '-o', '/proc/bkl-out', ctx], { timeoutMs: 60_000 });
      assert.equal(proc.code, 1, proc.stderr);
      assert.match(proc.stderr, /^ERROR: (failed to solve: )?cannot create \/proc\/bkl-out: no such file or directory$/m);
      const full = await runCli([...base, '-o', 'type=tar,dest=/dev/full', ctx], { timeoutMs: 60_000 });
      assert.equal(full.code, 1, full.stderr);
      assert.match(full.stderr, /cannot write \/dev\/full: no space left on device/);
      assert.equal(fs.statSync('/dev/full').isCharacterDevice(), true, 'a device named as dest is never removed');
      const file = await runCli([...base, '-o', `type=tar,dest=${path.join(work, 'sub', 'x.tar')}`, ctx]);
      assert.equal(file.code, 1);
      assert.match(file.stderr, /^ERROR: output type=tar: the folder of .*x\.tar does not exist$/m);
      // a tarball of an earlier build does not stay to pass for a failed one's: emptied first, as buildx does
      const stale = path.join(work, 'stale.tar');
      fs.writeFileSync(stale, 'an earlier build');
      const failed = await runCli([...base, '--target', 'nope', '-o', `type=tar,dest=${stale}`, ctx]);
      assert.equal(failed.code, 1);
      assert.equal(fs.readFileSync(stale, 'utf8'), '');
    });
  });
}
