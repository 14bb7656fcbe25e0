import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCommand, type BuildCommand } from '../../src/cli/args';
import { annotatedOutputs, parseAnnotation } from '../../src/buildkit/annotations';
import { solveRequest } from '../../src/buildkit/solveRequest';

test('--annotation keys as BuildKit\'s exporters read them (buildx ParseAnnotations)', () => {
  assert.deepEqual(parseAnnotation('org.opencontainers.image.title=x=y'), ['annotation.org.opencontainers.image.title', 'x=y']);
  assert.deepEqual(parseAnnotation('manifest:a=1'), ['annotation-manifest.a', '1']);
  assert.deepEqual(parseAnnotation('manifest[linux/x86_64]:a=1'), ['annotation-manifest[linux/amd64].a', '1']);
  assert.deepEqual(parseAnnotation('manifest-descriptor[linux/arm64]:a='), ['annotation-manifest-descriptor[linux/arm64].a', '']);
  // an index is not per platform
  assert.deepEqual(parseAnnotation('index[linux/arm64]:a=1'), ['annotation-index.a', '1']);
  assert.deepEqual(parseAnnotation('index-descriptor:a=1'), ['annotation-index-descriptor.a', '1']);
  assert.throws(() => parseAnnotation('novalue'), /invalid --annotation "novalue": expected KEY=VALUE/);
  assert.throws(() => parseAnnotation('layer:a=1'), /unknown type "layer"/);
  assert.throws(() => parseAnnotation('a b=1'), /invalid --annotation "a b=1"/);
  assert.throws(() => parseAnnotation('manifest[plan9]:a=1'), /invalid --annotation .*expected OS\/ARCH/);
});

test('annotations go on the image exporters only', () => {
  const cmd = (args: string[]) => (parseCommand(['build', '--annotation', 'a=1', '--annotation', 'manifest:b=2', ...args, '.'], {}, '/w') as BuildCommand).options;
  const store = solveRequest('r', 's', cmd([]), { containerdStore: true });
  assert.deepEqual(store.Exporters[0].Attrs, { 'prefer-image-digest': 'true', 'annotation.a': '1', 'annotation-manifest.b': '2' });
  assert.deepEqual(store.ExporterAttrsDeprecated, store.Exporters[0].Attrs);
  const oci = solveRequest('r', 's', cmd(['-o', 'type=oci,dest=/w/x.tar']), { containerdStore: true });
  assert.equal(oci.Exporters[0].Attrs['annotation.a'], '1');
  const local = solveRequest('r', 's', cmd(['-o', '/w/out']), { containerdStore: true });
  assert.deepEqual(local.Exporters[0].Attrs, {});
  assert.equal(annotatedOutputs(cmd([])), true);
  assert.equal(annotatedOutputs(cmd(['-o', '/w/out'])), false);
});
