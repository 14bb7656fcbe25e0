// What VS Code loads at activation (dist/extension.js) stays free of the engine side: gRPC,
// protobuf, dockerode load 3 s later or at the first build (dist/engineCore.js). One import of a
// value from the wrong module pulls them all in (a 74 KiB bundle became 487 KiB once).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const bundle = path.resolve(__dirname, '..', '..', '..', 'dist', 'extension.js');

test('the activation bundle holds no engine-side library', { skip: !fs.existsSync(bundle) && 'dist/extension.js not built (node scripts/build.mjs)' }, () => {
  const text = fs.readFileSync(bundle, 'utf8');
  // strings each library holds (the bundle is minified: no paths, no names)
  for (const [lib, mark] of [['@grpc/grpc-js', 'grpc-accept-encoding'], ['protobufjs', 'protobuf'], ['long', 'Long'], ['docker-modem', 'X-Registry-Auth']]) {
    assert.ok(!text.includes(mark), `${lib} is in dist/extension.js ("${mark}")`);
  }
  assert.ok(text.length < 150 * 1024, `dist/extension.js is ${(text.length / 1024).toFixed(0)} KiB`);
});
