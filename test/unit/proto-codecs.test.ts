// The extension compiles every message type's codecs ahead of its first build (prepareCodecs).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import descriptors from '../../src/buildkit/proto/descriptors.json';
import { ControlClient, prepareCodecs } from '../../src/buildkit/proto';

type Ns = { nested?: Record<string, Ns>; fields?: object };
const countTypes = (ns: Ns): number => Object.values(ns.nested ?? {}).reduce((n, c) => n + (c.fields ? 1 : 0) + countTypes(c), 0);

test('prepareCodecs compiles each message type once, skipping those a call already used, and codecs still work', async () => {
  const status = ControlClient.service.Status;
  // a call compiles its request type's codecs on first use
  const request = status.requestSerialize({ Ref: 'r1' });
  const total = countTypes(descriptors as Ns);
  assert.ok(total > 40, `${total} message types in the descriptor`);
  assert.equal(await prepareCodecs(), total - 1);
  assert.equal(await prepareCodecs(), 0);
  assert.deepEqual(status.requestDeserialize(request), { Ref: 'r1' });
  const response = { vertexes: [{ digest: 'sha256:1', inputs: [], name: '[1/2] FROM busybox', cached: true, error: '', progressGroup: null }], statuses: [], logs: [], warnings: [] };
  const back = status.responseDeserialize(status.responseSerialize(response)) as typeof response;
  assert.equal(back.vertexes[0].name, '[1/2] FROM busybox');
  assert.equal(back.vertexes[0].cached, true);
});
