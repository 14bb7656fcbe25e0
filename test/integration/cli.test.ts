// The CLI bundle as users run it: exit codes, one-line messages, output formats.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { differentialContext } from '../fixtures/differential/context';
import { buildxPath, testEngines } from '../support/engines';
import { closeEngines, engineFor, writeTree } from '../support/build';
import { buildx, compareImages } from '../support/buildx';
import { runCli } from '../support/cli';
import { tempDir } from '../support/tmp';

after(closeEngines);

const eng = testEngines().find((e) => e.name === 'd26') ?? testEngines()[0];

function noStack(stderr: string): void {
  assert.ok(!/\n\s+at .+\(.*:\d+:\d+\)/.test(stderr), `stack trace in:\n${stderr}`);
}

/** An HTTP server on a unix socket standing in for engines we cannot install here (too old, no /grpc). */
function fakeEngine(apiVersion: string, grpc404: boolean): Promise<{ host: string; close(): void }> {
  const sock = path.join(tempDir('bkl-fake-'), 'd.sock');
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/version')) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ Version: apiVersion === '1.38' ? '18.06.3' : '19.03.0', ApiVersion: apiVersion, Os: 'linux', Arch: 'amd64' }));
    } else if (req.url?.endsWith('/info')) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ Driver: 'overlay2', DriverStatus: [] }));
    } else {
      res.statusCode = grpc404 ? 404 : 500;
      res.end('page not found');
    }
  });
  return new Promise((resolve) => server.listen(sock, () => resolve({ host: `unix://${sock}`, close: () => server.close() })));
}

describe('CLI bad input: clear one-line message, right exit code, no stack trace', { timeout: 300_000 }, () => {
  const ok = writeTree({ Dockerfile: 'FROM busybox\nRUN echo ok\n' });
  const H = eng ? ['-H', eng.host] : [];
  let old: { host: string; close(): void };
  let nogrpc: { host: string; close(): void };
  before(async () => {
    old = await fakeEngine('1.38', false);
    nogrpc = await fakeEngine('1.40', true);
  });
  after(() => {
    old.close();
    nogrpc.close();
  });

  const usage: [string, string[], RegExp][] = [
    ['malformed --build-arg', ['build', '--build-arg', '=x', ok], /invalid --build-arg "=x"/],
    ['malformed --label', ['build', '--label', 'a b=c', ok], /invalid --label/],
    ['malformed --platform', ['build', '--platform', 'linux', ok], /invalid platform "linux"/],
    ['malformed --secret', ['build', '--secret', 'nonsense', ok], /invalid --secret/],
    ['unknown flag', ['build', '--frobnicate', ok], /Unknown option '--frobnicate'/],
    ['no context', ['build'], /requires exactly 1 argument/],
    ['bad --network', ['build', '--network', 'bridge2', ok], /invalid --network/],
  ];
  for (const [name, args, re] of usage) {
    test(`usage: ${name} → exit 2`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  test('unreachable socket → exit 1', async () => {
    const r = await runCli(['build', '-H', 'unix:///nonexistent/docker.sock', ok]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such socket \(is dockerd running\?\)/);
    noStack(r.stderr);
  });

  test('an engine socket that accepts and never answers → one line after 10 s, and the CLI exits', async () => {
    const sock = path.join(tempDir('bkl-silent-'), 'docker.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((c) => void held.push(c)).listen(sock);
    try {
      const r = await runCli(['build', '-H', `unix://${sock}`, ok], { timeoutMs: 30_000 });
      // killed by runCli's timer (no exit code) when something kept the process alive
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^ERROR: the Docker engine at unix:\/\/\S+ did not answer GET \/version within 10 s\n$/);
    } finally {
      for (const c of held) c.destroy();
      server.close();
    }
  });

  test('an HTTP server that is not a Docker engine → one line saying so', async () => {
    const sock = path.join(tempDir('bkl-web-'), 'web.sock');
    let answer: [number, string] = [200, '{"name":"some other service"}'];
    const server = http.createServer((req, res) => {
      const [code, body] = answer;
      res.writeHead(code, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const json = await runCli(['build', '-H', `unix://${sock}`, ok], { timeoutMs: 30_000 });
      assert.equal(json.code, 1, json.stderr);
      assert.match(json.stderr, /^ERROR: unix:\/\/\S+ does not answer as a Docker engine \(its GET \/version names no API version\): is something else listening there\?\n$/);
      answer = [404, '<html><body>Not Found</body></html>'];
      const html = await runCli(['build', '-H', `unix://${sock}`, ok], { timeoutMs: 30_000 });
      assert.equal(html.code, 1, html.stderr);
      assert.match(html.stderr, /^ERROR: unix:\/\/\S+ does not answer as a Docker engine \(GET \/version answered HTTP 404\): is something else listening there\?\n$/);
    } finally {
      server.close();
    }
  });

  test('refused tcp host → exit 1', async () => {
    const r = await runCli(['info', '-H', 'tcp://127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /connection refused/);
  });

  test('engine too old for /grpc → names the minimum', async () => {
    const r = await runCli(['build', '-H', old.host, ok]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /API 1\.38\): BuildKit over gRPC needs API 1\.40 \(Docker 19\.03\) or newer/);
  });

  test('engine without /grpc → clear message', async () => {
    const r = await runCli(['info', '-H', nogrpc.host]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no \/grpc endpoint/);
    noStack(r.stderr);
  });

  test('permission denied on the socket (as an unprivileged user)', { skip: !eng && 'no engine' }, async () => {
    const sockDir = tempDir('bkl-perm-');
    fs.chmodSync(sockDir, 0o755);
    const sock = path.join(sockDir, 'd.sock');
    const server = http.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(sock, () => r()));
    fs.chmodSync(sock, 0o600);
    const { spawnSync } = await import('node:child_process');
    const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'info', '-H', `unix://${sock}`], { encoding: 'utf8' });
    server.close();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /permission denied on unix:\/\/.*d\.sock: add your user to the "docker" group/);
  });

  describe('against a real engine', { skip: !eng && 'no engine' }, () => {
    const cases: [string, () => string[], RegExp][] = [
      ['missing context', () => ['build', '/nonexistent/ctx'], /build context "\/nonexistent\/ctx" does not exist/],
      ['context is a file', () => ['build', path.join(ok, 'Dockerfile')], /is not a directory/],
      ['missing Dockerfile', () => ['build', '-f', path.join(ok, 'Nope'), ok], /Dockerfile ".*Nope" does not exist/],
      ['unknown --target', () => ['build', '--target', 'nope', ok], /target stage "?nope"? could not be found/],
      ['missing secret file', () => ['build', '--secret', 'id=x,src=/nonexistent/secret', ok], /secret x: cannot read \/nonexistent\/secret: no such file or directory/],
      ['bad .dockerignore pattern', () => {
        const c = writeTree({ Dockerfile: 'FROM busybox\n', '.dockerignore': 'ok.txt\n[unterminated\n' });
        return ['build', c];
      }, /\.dockerignore:2: .*\[unterminated/],
      // Go's regexp has no \y: patternmatcher fails on it only once the walk evaluates the pattern
      ['.dockerignore pattern with an invalid regexp, reached by the walk', () => {
        const c = writeTree({ Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', '.dockerignore': 'x\n*\n!a\\yb\n' });
        return ['build', c];
      }, /\.dockerignore:3: invalid pattern "a\\\\yb": invalid escape sequence/],
      ['multi-platform on the classic store', () => ['build', '--platform', 'linux/amd64,linux/arm64', ok], /multi-platform builds need the containerd image store/],
      ['registry cache export on the classic store', () => ['build', '--cache-to', 'type=registry,ref=127.0.0.1:1/c', ok], /--cache-to type=registry needs the containerd image store.*--cache-to type=inline/],
    ];
    for (const [name, args, re] of cases) {
      test(`${name} → exit 1`, async () => {
        const r = await runCli([...args(), ...H, '--network', 'none']);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, re);
        noStack(r.stderr);
      });
    }

    test('a cache to import that cannot be reached is skipped, as with buildx; inline cache export works on any store', async () => {
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'plain', '--cache-from', '127.0.0.1:1/none', '--cache-to', 'type=inline', ok]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /importing cache manifest from 127\.0\.0\.1:1\/none\n#\d+ ERROR: .*connection refused/);
    });

    test('--progress quiet prints the image id as -q does; -q beside another progress mode is refused, as with buildx', { skip: !buildxPath() && 'no buildx' }, async () => {
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'quiet', ok]);
      const b = await buildx(eng!, ['--network', 'none', '--progress', 'quiet', ok]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[a-f0-9]{64}\n$/);
      assert.equal(r.stdout, b.stdout);
      const both = await runCli(['build', ...H, '-q', '--progress', 'plain', ok]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /^ERROR: progress=plain and quiet cannot be used together$/m);
    });

    test('-o type=cacheonly builds and exports nothing, as buildx does (the image is not stored, -q prints an empty line)', async () => {
      const tag = `bkl-cacheonly-${Date.now()}`;
      const r = await runCli(['build', ...H, '--network', 'none', '-q', '-t', tag, '-o', 'type=cacheonly', ok]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '\n');
      const inspect = await runCli(['build', ...H, '--network', 'none', '--progress', 'plain', '-o', 'type=cacheonly', ok]);
      assert.doesNotMatch(inspect.stderr, /exporting to image|naming to/);
      await assert.rejects((await engineFor(eng!.host)).docker.getImage(tag).inspect(), /no such image/i, 'no image stored under the tag');
    });

    test('--add-host: comma lists and [IPv6] reach /etc/hosts as with buildx; host-gateway on an engine with no bridge is said plainly', async () => {
      const c = writeTree({ Dockerfile: `FROM busybox\nRUN echo ${Date.now()} && grep -E "\\s(one|two|six)$" /etc/hosts\n` });
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'plain', '--add-host', 'one:10.0.0.1,two=10.0.0.2', '--add-host', 'six:[::1]', c]);
      assert.equal(r.code, 0, r.stderr);
      for (const line of ['10.0.0.1\tone', '10.0.0.2\ttwo', '::1\tsix']) assert.ok(r.stderr.includes(line), `${line} in:\n${r.stderr}`);
      const gw = await runCli(['build', ...H, '--network', 'none', '--add-host', 'gw:host-gateway', c]);
      assert.equal(gw.code, 1, gw.stderr);
      assert.match(gw.stderr, /^ERROR: --add-host NAME:host-gateway: this engine gives (an address it cannot use|no address for it).*give the IP instead$/m);
      noStack(gw.stderr);
    });

    test('standard input: a Dockerfile with no context, a context tarball (plain and gzip), -f -: the images buildx makes', { skip: !buildxPath() && 'no buildx' }, async () => {
      const dir = writeTree({ 'ctx/Dockerfile': 'FROM busybox\nCOPY . /ctx/\n', 'ctx/a.txt': `a ${Date.now()}\n`, Dfile: 'FROM busybox\nRUN echo from-stdin > /s\n' });
      const ctxDir = path.join(dir, 'ctx');
      const dockerfile = fs.readFileSync(path.join(dir, 'Dfile'));
      const tarball = execFileSync('tar', ['-C', ctxDir, '-c', '.']);
      const cases: [string, string[], Buffer][] = [
        ['Dockerfile, no context', ['-'], dockerfile],
        ['context tarball', ['-'], tarball],
        ['gzipped context tarball', ['-'], zlib.gzipSync(tarball)],
        ['-f -', ['-f', '-', ctxDir], dockerfile],
      ];
      const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('buildkit-lens-'));
      for (const [name, args, input] of cases) {
        const r = await runCli(['build', ...H, '--network', 'none', '-q', ...args], { input });
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        const b = await buildx(eng!, ['--network', 'none', '-q', ...args], input);
        assert.equal(b.code, 0, `${name}: ${b.stderr}`);
        assert.match(r.stdout, /^sha256:[a-f0-9]{64}\n$/, `${name}: an image id`);
        assert.equal(r.stdout.trim(), b.stdout.trim(), `${name}: the same image`);
      }
      assert.deepEqual(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('buildkit-lens-')), before, 'no folder left behind');
      const both = await runCli(['build', ...H, '-f', '-', '-'], { input: dockerfile });
      assert.equal(both.code, 2);
      assert.match(both.stderr, /standard input cannot be both the context \("-"\) and the Dockerfile \("-f -"\)/);
      const empty = await runCli(['build', ...H, '-'], { input: '' });
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /the context \("-"\): standard input is empty/);
    });

    test('a .dockerignore pattern the walk never evaluates does not fail the build, as with buildx', async () => {
      // a re-include while nothing is excluded is skipped, so its invalid regexp is never compiled;
      // "a*[" passes the syntax check, which stops at its first chunk ("a" cannot match ".")
      const c = writeTree({ Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', '.dockerignore': '!a\\yb\n!a*[\n', 'a.txt': 'kept\n' });
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'quiet', c]);
      assert.equal(r.code, 0, r.stderr);
    });

    test('a parse error shows the Dockerfile line', async () => {
      const c = writeTree({ Dockerfile: 'FROM busybox\nRUN echo fine\nFOO bar\n' });
      const r = await runCli(['build', ...H, '--progress', 'plain', c]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /unknown instruction: FOO/i);
      assert.match(r.stderr, /3 \| >>> FOO bar/);
    });

    test('a failing RUN: exit 1, excerpt with the line, log kept', async () => {
      const c = writeTree({ Dockerfile: 'FROM busybox\nRUN echo visible-output && exit 7\n' });
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'plain', c]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /visible-output/);
      assert.match(r.stderr, /exit code: 7/);
      assert.match(r.stderr, /2 \| >>> RUN echo visible-output/);
      noStack(r.stderr);
    });

    test('success: -q prints the image id, --metadata-file has the exporter response', async () => {
      const meta = path.join(tempDir('bkl-meta-'), 'm.json');
      const r = await runCli(['build', ...H, '--network', 'none', '-q', '-t', 'bkl-cli-ok:latest', '--metadata-file', meta, ok]);
      assert.equal(r.code, 0, r.stderr);
      const id = r.stdout.trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      const m = JSON.parse(fs.readFileSync(meta, 'utf8'));
      assert.equal(m['containerimage.digest'], id);
      if (eng!.name !== 'd20') assert.equal(m['image.name'], 'docker.io/library/bkl-cli-ok:latest');
    });

    test('--iidfile: the image id docker shows for the tag; gone after a failed build; a bad path is one line', async () => {
      const dir = tempDir('bkl-iid-');
      const iid = path.join(dir, 'iid');
      const meta = path.join(dir, 'meta.json');
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'quiet', '-t', 'bkl-cli-iid:latest', '--iidfile', iid, '--metadata-file', meta, ok]);
      assert.equal(r.code, 0, r.stderr);
      const written = fs.readFileSync(iid, 'utf8');
      // the config digest, as buildx writes it (Docker 20.10 names only the image digest), without a newline
      const m = JSON.parse(fs.readFileSync(meta, 'utf8'));
      assert.equal(written, m['containerimage.config.digest'] ?? m['containerimage.digest']);
      assert.match(written, /^sha256:[0-9a-f]{64}$/);
      // which is the image id on the classic store (the containerd store shows the manifest's)
      const docker = (await engineFor(eng!.host)).docker;
      if (!eng!.containerdStore) assert.equal(written, (await docker.getImage('bkl-cli-iid:latest').inspect()).Id);
      const bad = writeTree({ Dockerfile: 'FROM busybox\nRUN exit 3\n' });
      const f = await runCli(['build', ...H, '--network', 'none', '--progress', 'quiet', '--iidfile', iid, bad]);
      assert.equal(f.code, 1);
      assert.equal(fs.existsSync(iid), false, 'an earlier build\'s id is not left behind');
      // with no progress shown, the failure still shows its Dockerfile line, in buildx's words
      const fx = await buildx(eng!, ['--network', 'none', '--progress', 'quiet', bad]);
      assert.match(f.stderr, /^Dockerfile:2\n[^]*   2 \| >>> RUN exit 3\n[^]*\nERROR: failed to solve: process .* exit code: 3\n$/);
      assert.equal(f.stderr, fx.stderr);
      const d = await runCli(['build', ...H, '--network', 'none', '--progress', 'quiet', '--iidfile', dir, ok]);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /^ERROR: --iidfile .*bkl-iid-\w+: is a directory\n$/);
      noStack(d.stderr);
    });

    test('--no-cache-filter builds the named stage again and only it', async () => {
      const c = writeTree({ Dockerfile: `FROM busybox AS a\nRUN echo stage-a-${Date.now()} > /a\nFROM a AS b\nRUN echo stage-b > /b\n` });
      const cached = async (args: string[]) => {
        const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'rawjson', ...args, c]);
        assert.equal(r.code, 0, r.stderr);
        const vs = r.stderr.trim().split('\n').flatMap((l) => JSON.parse(l).vertexes ?? []) as { name: string; cached?: boolean }[];
        const of = (what: string) => vs.filter((v) => v.name.includes(what)).some((v) => v.cached);
        return [of('RUN echo stage-a'), of('RUN echo stage-b')];
      };
      await cached([]);
      assert.deepEqual(await cached([]), [true, true]);
      assert.deepEqual(await cached(['--no-cache-filter', 'b']), [true, false]);
    });

    test('rawjson: one JSON object per line with buildx field names', async () => {
      const r = await runCli(['build', ...H, '--network', 'none', '--progress', 'rawjson', ok]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(lines.length > 2);
      const vertexes = lines.flatMap((l) => l.vertexes ?? []);
      assert.ok(vertexes.some((v: { name: string }) => v.name === '[internal] load build definition from Dockerfile'));
      assert.ok(vertexes.every((v: { digest: string }) => /^sha256:/.test(v.digest)));
    });

    // The CLI's launcher starts walking the context in a worker before the CLI has loaded, from the
    // command line alone (filesync/walkWorker.ts); the library path is covered by differential.test.ts.
    test('a context walked ahead by the launcher arrives as buildx sends it (differential fixtures)', { skip: !buildxPath() && 'no buildx' }, async (t) => {
      const ctx = differentialContext({ many: false });
      t.after(() => {
        for (const d of [ctx.dir, path.dirname(ctx.outsideFile)]) fs.rmSync(d, { recursive: true, force: true });
      });
      const ours = 'bkl-cli-ahead-ours:latest';
      const theirs = 'bkl-cli-ahead-buildx:latest';
      const r = await runCli(['build', ...H, '--network', 'none', '--no-cache', '--progress', 'quiet', '-t', ours, ctx.dir]);
      assert.equal(r.code, 0, r.stderr);
      const x = await buildx(eng!, ['--network', 'none', '--no-cache', '--progress', 'quiet', '-t', theirs, ctx.dir]);
      assert.equal(x.code, 0, x.stderr);
      const { ours: img, diff } = await compareImages(eng!, ours, theirs);
      assert.deepEqual(diff, [], 'image filesystems differ from buildx');
      assert.ok(img.size > 100, `${img.size} entries`);
    });

    // BUILDKIT_LENS_NATIVE_GRPC=0 forces the /grpc upgrade, as engines before API 1.53 use (the bridge's
    // temp folder, for ssh engines, is checked in engines-ssh.test.ts)
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      test(`${signal} during a RUN cancels the build and leaves no temp files`, async () => {
        const c = writeTree({ Dockerfile: `FROM busybox\nRUN echo started-${Date.now()} && sleep 30\n` });
        const tmp = tempDir('bkl-cli-tmp-');
        let seen = '';
        let sent = false;
        const run = runCli(['build', ...H, '--network', 'none', '--progress', 'plain', c], {
          env: { TMPDIR: tmp, BUILDKIT_LENS_NATIVE_GRPC: '0' },
          // once, when the RUN's own output shows (a second signal would be a user's "quit now")
          onStderr: (chunk) => {
            seen += chunk;
            if (sent || !/\d \d+\.\d+ started-/.test(seen)) return;
            sent = true;
            run.child.kill(signal);
          },
        });
        const r = await run;
        assert.equal(r.code, 130, r.stderr);
        assert.match(r.stderr, /canceled/);
        assert.ok(r.ms < 20_000, `ended after ${r.ms} ms`);
        assert.deepEqual(fs.readdirSync(tmp), []);
        noStack(r.stderr);
      });
    }

    test('a Dockerfile outside the context works, like buildx', async () => {
      const df = writeTree({ 'elsewhere.Dockerfile': 'FROM busybox\nCOPY x.txt /x.txt\n' });
      const c = writeTree({ 'x.txt': 'x' });
      const r = await runCli(['build', ...H, '-f', path.join(df, 'elsewhere.Dockerfile'), c]);
      assert.equal(r.code, 0, r.stderr);
    });
  });
});
