// The codecs scripts/gen-protos.mjs writes ahead (codecs.generated.ts) against protobufjs' reflection of the
// same .proto files, for every message type: the same bytes, the same objects back.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as protobuf from 'protobufjs';
import { messages, services } from '../../src/buildkit/proto/codecs.generated';
import { ControlClient } from '../../src/buildkit/proto';

const repo = path.join(__dirname, '..', '..', '..');
const protoDir = path.join(repo, 'src', 'buildkit', 'proto');

function reflection(): protobuf.Root {
  const root = new protobuf.Root();
  const fsutil = path.join(repo, 'src', 'buildkit', 'filesync', 'fsutil.proto');
  root.resolvePath = (origin, target) => (path.basename(target) === 'fsutil.proto' ? fsutil : path.resolve(origin ? path.dirname(origin) : protoDir, target));
  const files = ['auth.proto', 'control.proto', 'filesync.proto', 'health.proto', 'secrets.proto', 'sshforward.proto', 'content.proto', 'upload.proto'].map((f) => path.join(protoDir, f));
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

const scalars: Record<string, unknown> = {
  string: 'x<é',
  bool: true,
  bytes: Buffer.from([0, 1, 255]),
  int32: -7,
  uint32: 4_000_000_000,
  sint32: -9,
  fixed32: 5,
  int64: '-1234567890123456789',
  uint64: '18446744073709551615',
  sint64: '-42',
  fixed64: '77',
  double: 1.5,
  float: 0.25,
};

/** A value for every field (two of each repeated one, two map entries), nested messages three deep. */
function sample(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (depth > 3) return o;
  for (const f of type.fieldsArray) {
    const one = (): unknown =>
      f.resolvedType instanceof protobuf.Type ? sample(f.resolvedType, depth + 1) : f.resolvedType instanceof protobuf.Enum ? Object.keys(f.resolvedType.values)[1] : scalars[f.type];
    if (f instanceof protobuf.MapField) o[f.name] = { k1: one(), k2: one() };
    else o[f.name] = f.repeated ? [one(), one()] : one();
  }
  return o;
}

test('the committed codecs are what the .proto files give (node scripts/gen-protos.mjs --check)', () => {
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts', 'gen-protos.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

/** The directions the generator wrote for a type (one it never travels in throws, and says so). */
function directions(name: string): { sent: boolean; received: boolean } {
  const codec = messages[name];
  const works = (f: () => unknown, how: string) => {
    try {
      f();
      return true;
    } catch (e) {
      assert.match((e as Error).message, new RegExp(`^${name.replace(/\./g, '\\.')} is never ${how} by this client`));
      return false;
    }
  };
  return { sent: works(() => codec.encode(codec.fromObject({})), 'sent'), received: works(() => codec.toObject(codec.decode(Buffer.alloc(0))), 'received') };
}

test('every generated message codec writes the bytes and reads back the objects reflection does, in the directions it travels', () => {
  const root = reflection();
  const names = Object.keys(messages);
  assert.equal(names.length, 74);
  let sent = 0;
  let received = 0;
  for (const name of names) {
    const type = root.lookupType(name);
    const codec = messages[name];
    const input = sample(type);
    const bytes = Buffer.from(type.encode(type.fromObject(input)).finish());
    assert.ok(bytes.length > 0 || type.fieldsArray.length === 0, `${name} encodes its fields`);
    const d = directions(name);
    assert.ok(d.sent || d.received, `${name} travels one way at least`);
    if (d.sent) {
      sent++;
      assert.deepEqual(Buffer.from(codec.encode(codec.fromObject(input)).finish()), bytes, name);
    }
    if (d.received) {
      received++;
      for (const longs of [String, Number]) {
        const options = { enums: String, defaults: true, oneofs: true, longs };
        assert.deepEqual(codec.toObject(codec.decode(bytes), options), type.toObject(type.decode(bytes), options), `${name} (longs as ${longs.name})`);
        // an empty message: the defaults filled in
        assert.deepEqual(codec.toObject(codec.decode(Buffer.alloc(0)), options), type.toObject(type.decode(Buffer.alloc(0)), options), `${name}, empty`);
      }
    }
  }
  assert.ok(sent >= 15 && received >= 25 && sent + received < 2 * names.length, `${sent} types sent, ${received} received`);
});

test('the method tables match the services of the .proto files, each with the directions our side needs, and the Control client works through them', () => {
  const root = reflection();
  for (const [name, methods] of Object.entries(services)) {
    const service = root.lookupService(name);
    assert.deepEqual(
      Object.entries(methods).map(([m, t]) => [m, ...t]),
      service.methodsArray.map((m) => [m.name, m.resolvedRequestType!.fullName.slice(1), m.resolvedResponseType!.fullName.slice(1), !!m.requestStream, !!m.responseStream]),
    );
    // Control: we are its client; the session services: we serve them
    const client = name === 'moby.buildkit.v1.Control';
    for (const [method, [request, response]] of Object.entries(methods)) {
      assert.equal(directions(request)[client ? 'sent' : 'received'], true, `${name}/${method} request`);
      assert.equal(directions(response)[client ? 'received' : 'sent'], true, `${name}/${method} response`);
    }
  }
  const status = ControlClient.service.Status;
  const type = root.lookupType('moby.buildkit.v1.StatusRequest');
  assert.deepEqual(type.toObject(type.decode(status.requestSerialize({ Ref: 'r1' }))), { Ref: 'r1' });
  const response = root.lookupType('moby.buildkit.v1.StatusResponse');
  const bytes = Buffer.from(response.encode(response.fromObject({ vertexes: [{ digest: 'sha256:1', name: '[1/2] FROM busybox', cached: true }] })).finish());
  const back = status.responseDeserialize(bytes) as { vertexes: { name: string; cached: boolean; error: string }[] };
  assert.equal(back.vertexes[0].name, '[1/2] FROM busybox');
  assert.equal(back.vertexes[0].cached, true);
  assert.equal(back.vertexes[0].error, '', 'defaults filled in');
});
