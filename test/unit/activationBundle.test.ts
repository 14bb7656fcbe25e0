// What VS Code loads at activation (dist/extension.js and the extension it loads, dist/extensionMain.js)
// stays free of the engine side: gRPC, protobuf, dockerode load 3 s later or at the first build
// (dist/engineCore.js). One import of a value from the wrong module pulls them all in (a 74 KiB bundle
// became 487 KiB once).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '..', '..', '..', 'dist');
const bundles = ['extension.js', 'extensionMain.js'];

test('the activation bundles hold no engine-side library', { skip: !fs.existsSync(path.join(dist, 'extension.js')) && 'dist/ not built (node scripts/build.mjs)' }, () => {
  let size = 0;
  for (const b of bundles) {
    const text = fs.readFileSync(path.join(dist, b), 'utf8');
    size += text.length;
    // strings each library holds (the bundle is minified: no paths, no names)
    for (const [lib, mark] of [['@grpc/grpc-js', 'grpc-accept-encoding'], ['protobufjs', 'protobuf'], ['long', 'Long'], ['docker-modem', 'X-Registry-Auth']]) {
      assert.ok(!text.includes(mark), `${lib} is in dist/${b} ("${mark}")`);
    }
  }
  assert.ok(size < 150 * 1024, `activation loads ${(size / 1024).toFixed(0)} KiB`);
});

test('dist/extension.js is only the loader: the extension itself is in dist/extensionMain.js', { skip: !fs.existsSync(path.join(dist, 'extension.js')) && 'dist/ not built' }, () => {
  const loader = fs.readFileSync(path.join(dist, 'extension.js'), 'utf8');
  assert.ok(loader.includes('extensionMain.js'), 'the loader names dist/extensionMain.js');
  assert.ok(loader.length < 8 * 1024, `dist/extension.js is ${(loader.length / 1024).toFixed(1)} KiB`);
  assert.ok(!loader.includes('registerCommand'), 'the loader registers nothing itself');
});
