// Multi-platform builds on the containerd image store: one build for linux/amd64 and linux/arm64
// stores an index with both images (read back through the engine's own image export, as a registry
// is out of reach), each holding what its platform built; progress groups steps by platform.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { build, closeEngines, engineFor, options, writeTree } from '../support/build';
import { testEngines } from '../support/engines';
import { readTar } from '../support/tarFiles';

const d26c = testEngines().find((e) => e.name === 'd26c');

interface Descriptor {
  mediaType: string;
  digest: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

describe('multi-platform', { skip: !d26c && 'needs the d26c engine (containerd image store)', timeout: 120_000 }, () => {
  after(() => closeEngines());

  test('linux/amd64,linux/arm64 on the containerd store: an index with each platform, steps grouped per platform', async () => {
    // the gen stage runs on the build platform for each target (no emulation here), so each
    // platform's image holds its own /arch; the final stage is FROM scratch + COPY
    const ctx = writeTree({
      Dockerfile: 'FROM --platform=$BUILDPLATFORM busybox AS gen\nARG TARGETARCH\nRUN echo $TARGETARCH > /arch\n' +
        'FROM scratch\nCOPY --from=gen /arch /arch\nCOPY a /a\n',
      a: 'same everywhere',
    });
    const tag = 'bkl-platform:multi';
    const b = await build(d26c!.host, options(ctx, { platforms: ['linux/amd64', 'linux/arm64'], tags: [tag], noCache: true }));
    assert.equal(b.result.ok, true, b.result.error?.message);

    // what the exporter says it stored: a manifest list / index, tagged
    const exported = JSON.parse(Buffer.from(b.result.exporterResponse['containerimage.descriptor'], 'base64').toString()) as Descriptor;
    assert.match(exported.mediaType, /manifest\.list|image\.index/);
    assert.equal(exported.digest, b.result.exporterResponse['containerimage.digest']);
    const engine = await engineFor(d26c!.host);
    assert.equal((await engine.docker.getImage(tag).inspect()).Id, exported.digest);

    // the engine's export of the tag: the index lists both platforms, each image holds its own /arch
    const files = await readTar((await engine.docker.getImage(tag).get()) as NodeJS.ReadableStream);
    const blob = (d: string) => files.get(`blobs/sha256/${d.slice('sha256:'.length)}`)!;
    const index = JSON.parse(blob(exported.digest).toString()) as { manifests: Descriptor[] };
    // as with buildx, each image has its default provenance beside it (platform unknown/unknown)
    const isAttestation = (m: Descriptor) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
    const images = index.manifests.filter((m) => !isAttestation(m));
    const byArch = new Map(images.map((m) => [m.platform?.architecture, m]));
    assert.deepEqual([...byArch.keys()].sort(), ['amd64', 'arm64']);
    const attested = index.manifests.filter(isAttestation).map((m) => m.annotations!['vnd.docker.reference.digest']);
    assert.deepEqual(attested.sort(), images.map((m) => m.digest).sort());
    for (const [arch, desc] of byArch) {
      const manifest = JSON.parse(blob(desc.digest).toString()) as { config: Descriptor; layers: Descriptor[] };
      assert.equal(JSON.parse(blob(manifest.config.digest).toString()).architecture, arch);
      const first = await readTar(zlib.createGunzip().end(blob(manifest.layers[0].digest)) as unknown as NodeJS.ReadableStream);
      assert.equal(first.get('arch')?.toString().trim(), arch, `${arch} image's /arch`);
    }

    // progress: "[linux/arm64 stage-1 1/2] …" → stage.platform; the cross stage keeps its arrow
    const steps = b.model.steps();
    const forPlatform = (p: string) => steps.filter((s) => s.stage?.platform === p && s.stage.name === 'stage-1').map((s) => s.stage!.index).sort();
    assert.deepEqual(forPlatform('linux/amd64'), [1, 2]);
    assert.deepEqual(forPlatform('linux/arm64'), [1, 2]);
    const cross = steps.find((s) => s.name.includes('RUN echo arm64'));
    assert.deepEqual(cross?.stage, { name: 'gen', platform: 'linux/amd64->arm64', index: 2, total: 2 });
  });
});
