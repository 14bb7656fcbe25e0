import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeCacheDirs, recordCacheExports, resolveCacheImports } from '../../src/buildkit/cacheOptions';
import { ociLayoutStores, ociStoreName, withOciDigests } from '../../src/buildkit/ociLayout';
import type { BuildOptions } from '../../src/buildkit/types';
import { tempDir } from '../support/tmp';

const options = (): BuildOptions => ({ contextDir: '/c', dockerfile: '/c/Dockerfile', tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'default', secrets: [], addHosts: [] });

const digest = (c: string) => `sha256:${c.repeat(64)}`;

test('a local cache folder\'s index.json: written under its tag as buildx 0.13 writes it, read back by tag', () => {
  const dir = tempDir('bkl-cacheidx-');
  const manifest = (d: string) => ({ 'cache.manifest': JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: d, size: 895 }) });
  recordCacheExports([{ type: 'local', attrs: { dest: dir } }], manifest(digest('a')));
  recordCacheExports([{ type: 'local', attrs: { dest: dir, tag: 'main' } }], manifest(digest('b')));
  recordCacheExports([{ type: 'local', attrs: { dest: dir } }], manifest(digest('c')));
  assert.equal(fs.readFileSync(path.join(dir, 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
  assert.equal(
    fs.readFileSync(path.join(dir, 'index.json'), 'utf8'),
    `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"${digest('b')}","size":895,"annotations":{"org.opencontainers.image.ref.name":"main"}},` +
      `{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"${digest('c')}","size":895,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}`,
  );
  assert.deepEqual(resolveCacheImports([{ type: 'local', attrs: { src: dir } }, { type: 'local', attrs: { src: dir, tag: 'main' } }]), [
    { type: 'local', attrs: { src: dir, digest: digest('c') } },
    { type: 'local', attrs: { src: dir, tag: 'main', digest: digest('b') } },
  ]);
  // no such tag, no folder: left out, the build goes on without them; other types untouched
  const reg = { type: 'registry', attrs: { ref: 'r/x' } };
  assert.deepEqual(resolveCacheImports([{ type: 'local', attrs: { src: dir, tag: 'nope' } }, { type: 'local', attrs: { src: path.join(dir, 'none') } }, reg]), [reg]);
  // a build with no cache export leaves the folder alone
  recordCacheExports([{ type: 'local', attrs: { dest: path.join(dir, 'untouched') } }], {});
  assert.equal(fs.existsSync(path.join(dir, 'untouched')), false);
});

test('oci-layout:// contexts: the tag found as buildx finds it (image name, ref name, the only manifest); a digest stays', () => {
  const dir = tempDir('bkl-ocilayout-');
  const write = (manifests: object[]) => fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  const resolve = (tag?: string, d?: string) => {
    const o = withOciDigests({ ...options(), namedContexts: { base: { ociLayout: { dir, ...(tag ? { tag } : {}), ...(d ? { digest: d } : {}) } }, other: { ref: 'docker-image://x' } } });
    const c = o.namedContexts!.base;
    return 'ociLayout' in c ? c.ociLayout.digest : undefined;
  };
  write([
    { digest: digest('a'), size: 1, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
    { digest: digest('b'), size: 1, annotations: { 'io.containerd.image.name': 'v1' } },
  ]);
  assert.equal(resolve('v1'), digest('b'), 'the image name first');
  assert.throws(() => resolve('v2'), /^Error: oci-layout .*: no image tagged "v2" in its index.json$/);
  assert.equal(resolve(undefined, digest('e')), digest('e'));
  write([{ digest: digest('c'), size: 1 }]);
  assert.equal(resolve('latest'), digest('c'), 'the only manifest');
  fs.rmSync(path.join(dir, 'index.json'));
  assert.throws(() => resolve('latest'), /no readable index\.json/);
  assert.equal(ociLayoutStores({ ...options(), namedContexts: { base: { ociLayout: { dir } } } }).get(`oci:${ociStoreName(dir)}`), dir);
});

test('a local cache folder that cannot be made is one line, not a hang (Node\'s recursive mkdir spins under /proc)', () => {
  const dir = tempDir('bkl-cachedirs-');
  makeCacheDirs([{ type: 'local', attrs: { dest: path.join(dir, 'a', 'b') } }, { type: 'registry', attrs: { ref: 'r/x' } }]);
  assert.equal(fs.statSync(path.join(dir, 'a', 'b')).mode & 0o777, 0o755 & ~process.umask());
  assert.throws(() => makeCacheDirs([{ type: 'local', attrs: { dest: '/proc/bkl-nope/cache' } }]), /^Error: --cache-to type=local: cannot create \/proc\/bkl-nope\/cache: no such file or directory$/);
});
