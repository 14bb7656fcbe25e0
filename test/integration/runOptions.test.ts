// --shm-size, --ulimit and --provenance on each engine: what a RUN sees, what the image carries, and
// one line where the engine cannot do it.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tar from 'tar-stream';
import { closeEngines, writeTree } from '../support/build';
import { runCli } from '../support/cli';
import { testEngines } from '../support/engines';

after(closeEngines);

/** index.json of an OCI tarball. */
async function indexOf(tarball: Buffer): Promise<{ manifests: { annotations?: Record<string, string> }[] }> {
  return new Promise((resolve, reject) => {
    const ex = tar.extract();
    let index: string | undefined;
    ex.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (d: Buffer) => chunks.push(d));
      body.on('end', () => {
        if (h.name === 'index.json') index = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    ex.on('finish', () => (index ? resolve(JSON.parse(index)) : reject(new Error('no index.json'))));
    ex.on('error', reject);
    ex.end(tarball);
  });
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
        assert.match(refused.stderr, /^ERROR: attestations \(--provenance, --attest\) need the containerd image store/);
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
  });
}
