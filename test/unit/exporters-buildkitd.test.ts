// Request building for a standalone buildkitd: its address forms, the outputs (image / oci / docker)
// and what a SolveRequest carries for each, and grpc-js connection details made one line.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { oneLine } from '../../src/buildkit/control';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { exporterEntries, outputTargets, parseOutput, unsupportedOutput } from '../../src/buildkit/exporters';
import { solveRequest } from '../../src/buildkit/solveRequest';
import type { ExportSpec } from '../../src/buildkit/types';
import { isBuildkitHost, parseBuildkitHost } from '../../src/engine/buildkitd';
import { options } from '../support/build';
import { tempDir } from '../support/tmp';

test('buildkit+unix:// and buildkit+tcp:// hosts: grpc-js targets, TLS material kept, bad forms refused', () => {
  assert.equal(isBuildkitHost('buildkit+unix:///run/buildkit/buildkitd.sock'), true);
  assert.equal(isBuildkitHost('unix:///var/run/docker.sock'), false);
  const u = parseBuildkitHost('buildkit+unix:///run/buildkit/buildkitd.sock', '--host');
  assert.deepEqual(u.address, { target: 'unix:/run/buildkit/buildkitd.sock' });
  assert.equal(u.endpoint.host, 'buildkit+unix:///run/buildkit/buildkitd.sock');
  assert.equal(parseBuildkitHost('buildkit+unix://bk.sock', '--host').address.target, 'unix:bk.sock');
  const tls = { ca: Buffer.from('ca'), cert: Buffer.from('c'), key: Buffer.from('k'), verify: true };
  const t = parseBuildkitHost('buildkit+tcp://10.0.0.5:1234', '--host', tls);
  assert.deepEqual(t.address, { target: '10.0.0.5:1234', tls });
  assert.equal(parseBuildkitHost('buildkit+tcp://[::1]:1234', 'x').address.target, '[::1]:1234');
  assert.throws(() => parseBuildkitHost('buildkit+tcp://box', 'x'), /needs a port/);
  assert.throws(() => parseBuildkitHost('buildkit+ssh://box', 'x'), /expected buildkit\+unix/);
});

test('outputs: buildx -o syntax; a bare path is a directory, "-" a tarball on stdout; dests checked before the build', () => {
  assert.deepEqual(parseOutput('type=image,name=reg:5000/app:1,push=true'), { type: 'image', attrs: { name: 'reg:5000/app:1', push: 'true' } });
  assert.deepEqual(parseOutput('type=oci,dest=out.tar'), { type: 'oci', attrs: { dest: 'out.tar' } });
  assert.deepEqual(parseOutput('out'), { type: 'local', attrs: { dest: 'out' } });
  assert.deepEqual(parseOutput('-'), { type: 'tar', attrs: { dest: '-' } });
  // as buildx: no dest loads a docker image into the engine, and sends other tarballs to standard output
  assert.deepEqual(parseOutput('type=docker,name=app:1'), { type: 'moby', attrs: { name: 'app:1' } });
  assert.deepEqual(parseOutput('type=docker,dest=app.tar'), { type: 'docker', attrs: { dest: 'app.tar' } });
  assert.deepEqual(parseOutput('type=oci'), { type: 'oci', attrs: { dest: '-' } });
  assert.deepEqual(parseOutput('type=tar'), { type: 'tar', attrs: { dest: '-' } });
  assert.throws(() => parseOutput('name=x'), /type= is missing/);
  assert.throws(() => parseOutput('type=zip'), /unknown type "zip"/);
  assert.throws(() => parseOutput('type=tar,out.tar'), /key=value/);
  assert.equal(unsupportedOutput({ type: 'image', attrs: {} }), undefined);
  const dir = tempDir('bkl-out-');
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, '');
  assert.equal(unsupportedOutput({ type: 'local', attrs: { dest: path.join(dir, 'new/deeper') } }), undefined);
  assert.match(unsupportedOutput({ type: 'local', attrs: {} })!, /needs dest=DIRECTORY/);
  assert.match(unsupportedOutput({ type: 'local', attrs: { dest: path.join(file, 'x') } })!, /f exists and is not a directory/);
  assert.equal(unsupportedOutput({ type: 'tar', attrs: { dest: path.join(dir, 'o.tar') } }), undefined);
  assert.equal(unsupportedOutput({ type: 'tar', attrs: { dest: '-' } }, false), undefined);
  for (const type of ['tar', 'oci', 'docker']) {
    assert.match(unsupportedOutput({ type, attrs: { dest: '-' } }, true)!, /refusing to write it to a terminal/);
    assert.match(unsupportedOutput({ type, attrs: {} }, false)!, /give dest=FILE/);
  }
  assert.match(unsupportedOutput({ type: 'tar', attrs: { dest: dir } })!, /is a directory/);
  assert.match(unsupportedOutput({ type: 'tar', attrs: { dest: path.join(dir, 'no/o.tar') } })!, /folder of .* does not exist/);
  // each client-side output is found by its index among the exporters
  const out = new PassThrough();
  const targets = outputTargets([{ type: 'image', attrs: {} }, { type: 'local', attrs: { dest: 'rel' } }, { type: 'tar', attrs: { dest: '-' } }], out);
  assert.deepEqual([...targets.keys()], [1, 2]);
  assert.deepEqual(targets.get(1), { kind: 'dir', dest: path.resolve('rel') });
  assert.equal((targets.get(2) as { stream: unknown }).stream, out);
  // cacheonly is no exporter: the outputs after it keep the exporters' indices
  const outs: ExportSpec[] = [{ type: 'cacheonly', attrs: {} }, { type: 'tar', attrs: { dest: 'o.tar' } }];
  assert.deepEqual([...outputTargets(outs, out).keys()], [0]);
  assert.deepEqual(exporterEntries(outs, [], { containerdStore: false }).map((e) => e.Type), ['tar']);
});

test('exporters: moby by default on an engine, none on buildkitd; tags name image/oci/docker outputs', () => {
  const engine = { containerdStore: true };
  const standalone = { containerdStore: true, standalone: true };
  assert.deepEqual(exporterEntries(undefined, ['a:1', 'b:2'], engine), [{ Type: 'moby', Attrs: { name: 'a:1,b:2', 'prefer-image-digest': 'true' } }]);
  assert.deepEqual(exporterEntries(undefined, ['a:1'], { containerdStore: false }), [{ Type: 'moby', Attrs: { name: 'a:1' } }]);
  assert.deepEqual(exporterEntries(undefined, ['a:1'], standalone), []);
  // -o type=cacheonly: no exporter at all, not even the default image (buildx's way to warm a cache)
  assert.deepEqual(exporterEntries([{ type: 'cacheonly', attrs: {} }], ['a:1'], engine), []);
  const outs: ExportSpec[] = [
    { type: 'image', attrs: { push: 'true', 'registry.insecure': 'true' } },
    { type: 'oci', attrs: { dest: 'o.tar', name: 'own' } },
    { type: 'docker', attrs: { dest: 'd.tar' } },
    { type: 'local', attrs: { dest: 'dir' } },
  ];
  assert.deepEqual(exporterEntries(outs, ['reg/app:1'], standalone), [
    { Type: 'image', Attrs: { push: 'true', 'registry.insecure': 'true', name: 'reg/app:1' } },
    // dest is where the client writes: the engine is not told
    { Type: 'oci', Attrs: { name: 'own' } },
    { Type: 'docker', Attrs: { name: 'reg/app:1' } },
    { Type: 'local', Attrs: {} },
  ]);
});

test('solveRequest: the legacy exporter pair follows the first output; no output leaves it empty', () => {
  const opts = options('/ctx', { tags: ['reg/app:1'], outputs: [{ type: 'image', attrs: { push: 'true' } }] });
  const req = solveRequest('ref1', 'sess1', opts, { containerdStore: true, standalone: true });
  assert.equal(req.ExporterDeprecated, 'image');
  assert.deepEqual(req.ExporterAttrsDeprecated, { push: 'true', name: 'reg/app:1' });
  assert.deepEqual(req.Exporters, [{ Type: 'image', Attrs: { push: 'true', name: 'reg/app:1' } }]);
  const bare = solveRequest('ref2', 'sess1', options('/ctx'), { containerdStore: true, standalone: true });
  assert.equal(bare.ExporterDeprecated, '');
  assert.deepEqual(bare.Exporters, []);
});

test('oneLine: grpc-js connection details without timestamps, resolver notes or OpenSSL noise', () => {
  const raw =
    'No connection established. Last error: 80FCC723F67F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n (2026-11-27T19:44:26.258Z). Resolution note: ';
  assert.equal(oneLine(raw), 'No connection established. Last error: TLS: tlsv13 alert certificate required');
  assert.equal(oneLine('connect ECONNREFUSED 127.0.0.1:1'), 'connect ECONNREFUSED 127.0.0.1:1');
});
