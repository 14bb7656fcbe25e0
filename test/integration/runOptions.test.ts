// --shm-size, --ulimit and --provenance on each engine: what a RUN sees, what the image carries, and
// one line where the engine cannot do it.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { closeEngines, writeTree } from '../support/build';
import { runCli } from '../support/cli';
import { testEngines } from '../support/engines';
import { readTar } from '../support/tarFiles';
import { buildx } from '../support/buildx';
import { buildxPath } from '../support/engines';

after(closeEngines);

type Index = { manifests: { digest: string; annotations?: Record<string, string> }[] };

/** index.json of an OCI tarball. */
async function indexOf(tarball: Buffer): Promise<Index> {
  const index = (await readTar(tarball)).get('index.json');
  if (!index) throw new Error('no index.json');
  return JSON.parse(index.toString('utf8')) as Index;
}

/** The single image manifest of an OCI tarball: its digest and annotations. */
async function manifestOf(tarball: Buffer): Promise<{ digest: string; annotations?: Record<string, string> }> {
  const files = await readTar(tarball);
  const { manifests } = JSON.parse(files.get('index.json')!.toString('utf8')) as Index;
  assert.equal(manifests.length, 1);
  const blob = files.get(`blobs/sha256/${manifests[0].digest.slice(7)}`);
  assert.ok(blob, 'the manifest is in the tarball');
  return { digest: manifests[0].digest, annotations: (JSON.parse(blob.toString('utf8')) as { annotations?: Record<string, string> }).annotations };
}

for (const eng of testEngines()) {
  describe(`RUN limits and attestations on ${eng.name}`, { timeout: 120_000 }, () => {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nRUN df -k /dev/shm | tail -1; ulimit -Sn; ulimit -Hn\n' });
    const base = ['build', '-H', eng.host, '--network', 'none', '--no-cache'];

    test('--shm-size and --ulimit reach the RUN, or an old engine says it would ignore them', async () => {
      const r = await runCli([...base, '--progress', 'plain', '--shm-size', '96m', '--ulimit', 'nofile=1000:2000', ctx]);
      if (eng.buildkit === '0.8') {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /ERROR: .*--shm-size and --ulimit need BuildKit 0\.10 or later \(Docker 23\.0 or later\); this engine is Docker 20\.10/);
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n').map((l) => /^#\d+ [\d.]+ (.*)$/.exec(l)?.[1]).filter(Boolean);
      assert.match(lines[0]!, /^tmpfs\s+98304\s/, '96 MiB of /dev/shm');
      assert.deepEqual(lines.slice(1), ['1000', '2000']);
    });

    test('--provenance mode=max adds an attestation manifest; the classic store refuses it before the build', async () => {
      if (!eng.containerdStore) {
        const refused = await runCli([...base, '--progress', 'quiet', '--provenance', 'mode=max', ctx]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /^ERROR: attestations \(provenance, SBOM\) need the containerd image store/);
        return;
      }
      const r = await runCli([...base, '--progress', 'quiet', '--provenance', 'mode=max', '-o', 'type=oci,dest=-', ctx]);
      assert.equal(r.code, 0, r.stderr);
      const index = await indexOf(r.stdoutBytes);
      // one index whose manifests are the image and its attestation; the tarball's index names the index
      assert.equal(index.manifests.length, 1);
      const without = await runCli([...base, '--progress', 'quiet', '-o', 'type=oci,dest=-', ctx]);
      assert.equal(without.code, 0, without.stderr);
      const sizeWith = r.stdoutBytes.length;
      assert.ok(sizeWith > without.stdoutBytes.length + 500, `the attestation is in the tarball (${sizeWith} vs ${without.stdoutBytes.length} bytes)`);
      assert.match(r.stdoutBytes.toString('latin1'), /https:\/\/slsa\.dev\/provenance/);
      assert.doesNotMatch(without.stdoutBytes.toString('latin1'), /https:\/\/slsa\.dev\/provenance/);
    });

    test('--cgroup-parent places every RUN, or Docker 20.10 says its frontend would ignore it', async () => {
      const cg = writeTree({ Dockerfile: 'FROM busybox\nRUN cat /proc/self/cgroup\n' });
      const r = await runCli([...base, '--progress', 'plain', '--cgroup-parent', 'lens-test.slice', cg]);
      if (eng.buildkit === '0.8') {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /ERROR: .*--cgroup-parent needs BuildKit 0\.10 or later \(Docker 23\.0 or later\); this engine is Docker 20\.10\S*, whose Dockerfile frontend would ignore it/);
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^#\d+ [\d.]+ \S*:\/lens-test\.slice\/buildkit\//m);
    });

    test('provenance as buildx adds it by default: on the containerd store unless turned off, never on the classic store', async () => {
      const cached = writeTree({ Dockerfile: 'FROM busybox\nRUN echo provenance > /p\n' });
      const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
        const r = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'plain', ...args, cached], { env: { BUILDX_NO_DEFAULT_ATTESTATIONS: undefined, ...env } });
        assert.equal(r.code, 0, r.stderr);
        return /exporting attestation manifest/.test(r.stderr);
      };
      assert.equal(await run([]), eng.containerdStore, 'by default');
      assert.equal(await run(['--provenance', 'false']), false, '--provenance false');
      assert.equal(await run([], { BUILDX_NO_DEFAULT_ATTESTATIONS: '1' }), false, 'BUILDX_NO_DEFAULT_ATTESTATIONS=1');
      // a local output carries no attestation (inline-only), as with buildx
      assert.equal(await run(['-o', `${cached}/out`]), false, 'to a folder');
      if (eng.containerdStore && buildxPath()) {
        const bx = await buildx(eng, ['--network', 'none', '--progress', 'plain', cached]);
        assert.equal(bx.code, 0, bx.stderr);
        assert.match(bx.stderr, /exporting attestation manifest/, 'buildx adds one too');
      }
    });

    test('--annotation on the image manifest as buildx writes it; the classic store refuses it before the build', async () => {
      const ann = writeTree({ Dockerfile: 'FROM busybox\nRUN echo annotated > /a\n' });
      const flags = ['--annotation', 'org.opencontainers.image.title=lens', '--annotation', 'manifest:com.example.k=v=w'];
      if (!eng.containerdStore) {
        const refused = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', ...flags, ann]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /^ERROR: annotations \(--annotation\) need the containerd image store/);
        // a folder has no manifest to annotate: nothing to refuse
        const local = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', ...flags, '-o', `${ann}/out`, ann]);
        assert.equal(local.code, 0, local.stderr);
        return;
      }
      const r = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', ...flags, '-o', 'type=oci,dest=-', ann]);
      assert.equal(r.code, 0, r.stderr);
      const ours = await manifestOf(r.stdoutBytes);
      assert.deepEqual(ours.annotations, { 'org.opencontainers.image.title': 'lens', 'com.example.k': 'v=w' });
      const stored = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', ...flags, '-t', 'bkl-annotated:1', ann]);
      assert.equal(stored.code, 0, stored.stderr);
      if (buildxPath()) {
        const out = `${ann}/bx.tar`;
        const bx = await buildx(eng, ['--network', 'none', '--progress', 'quiet', ...flags, '-o', `type=oci,dest=${out}`, ann]);
        assert.equal(bx.code, 0, bx.stderr);
        // the RUN is cached, so the manifests are byte for byte the same
        assert.deepEqual(await manifestOf(fs.readFileSync(out)), ours);
      }
    });

    test('a context in a Git work tree: its commit and remote in the provenance, the same as buildx records', async () => {
      const root = fs.realpathSync(writeTree({ 'app/Dockerfile': 'FROM busybox\nRUN echo vcs > /v\n' }));
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' }).trim();
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'one');
      git('remote', 'add', 'origin', 'https://git.example.com/team/app.git');
      const sha = git('rev-parse', 'HEAD');
      const app = `${root}/app`;
      if (!eng.containerdStore) {
        // nothing to record it in, and nothing fails
        const r = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', app]);
        assert.equal(r.code, 0, r.stderr);
        return;
      }
      const vcsOf = (tarball: Buffer) => /"vcs":\{[^}]*\}/.exec(tarball.toString('latin1'))?.[0];
      const r = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'quiet', '--provenance', 'mode=max', '-o', 'type=oci,dest=-', app]);
      assert.equal(r.code, 0, r.stderr);
      const ours = vcsOf(r.stdoutBytes);
      assert.ok(ours?.includes(`"revision":"${sha}"`) && ours.includes('"source":"https://git.example.com/team/app.git"') && ours.includes('"localdir:context":"app"'), ours);
      if (buildxPath()) {
        const out = `${root}/bx.tar`;
        const bx = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '--provenance', 'mode=max', '-o', `type=oci,dest=${out}`, app]);
        assert.equal(bx.code, 0, bx.stderr);
        assert.equal(ours, vcsOf(fs.readFileSync(out)));
      }
    });
  });
}
