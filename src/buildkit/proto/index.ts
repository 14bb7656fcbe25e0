// Typed access to the gRPC services, built from the committed descriptor (scripts/gen-protos.mjs).
// grpc-js only needs a path, the stream flags and (de)serializers per method, so the service
// definitions come straight from protobufjs' light build: @grpc/proto-loader would also build
// google.protobuf descriptor messages for every type, a third of a short CLI run's start-up.
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs/light';
import descriptorJson from './descriptors.json';

const root = protobuf.Root.fromJSON(descriptorJson as protobuf.INamespace);

/** What proto-loader's options meant here: field names as in the .proto, enums as names, defaults and oneofs filled in. */
const base: protobuf.IConversionOptions = { enums: String, defaults: true, oneofs: true };
// Control traffic fits in JS numbers (timestamps in seconds, byte counters); fsutil's
// nanosecond mtimes do not, so the session side keeps int64 as decimal strings.
const controlOptions: protobuf.IConversionOptions = { ...base, longs: Number };
const sessionOptions: protobuf.IConversionOptions = { ...base, longs: String };

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

function serviceDefinition(name: string, options: protobuf.IConversionOptions): grpc.ServiceDefinition {
  const service = root.lookupService(name);
  const def: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    const serialize = (t: protobuf.Type) => (v: object): Buffer => Buffer.from(t.encode(t.fromObject(v)).finish());
    const deserialize = (t: protobuf.Type) => (b: Buffer): object => t.toObject(t.decode(b), options);
    def[m.name] = {
      path: `/${name}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: serialize(req),
      requestDeserialize: deserialize(req),
      responseSerialize: serialize(res),
      responseDeserialize: deserialize(res),
      originalName: lowerFirst(m.name),
    };
  }
  return def;
}

export const ControlClient: grpc.ServiceClientConstructor = grpc.makeGenericClientConstructor(
  serviceDefinition('moby.buildkit.v1.Control', controlOptions),
  'moby.buildkit.v1.Control',
);

/** DiffCopy's hot packets are encoded by filesync/packetCodec.ts and arrive here as Buffers. */
function passEncodedBuffers(def: grpc.ServiceDefinition, method: string): grpc.ServiceDefinition {
  const m = def[method];
  const serialize = m.responseSerialize;
  return { ...def, [method]: { ...m, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serialize(v)) } };
}

export const sessionServices = {
  health: serviceDefinition('grpc.health.v1.Health', sessionOptions),
  fileSync: passEncodedBuffers(serviceDefinition('moby.filesync.v1.FileSync', sessionOptions), 'DiffCopy'),
  auth: serviceDefinition('moby.filesync.v1.Auth', sessionOptions),
  secrets: serviceDefinition('moby.buildkit.secrets.v1.Secrets', sessionOptions),
};

/** "/pkg.Service/Method" for every method of the given services, as the session header wants them. */
export function methodPaths(services: grpc.ServiceDefinition[]): string[] {
  return services.flatMap((s) => Object.values(s).map((m) => m.path));
}

function messageTypes(ns: protobuf.NamespaceBase, into: protobuf.Type[] = []): protobuf.Type[] {
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Type) into.push(n);
    if (n instanceof protobuf.Namespace) messageTypes(n, into);
  }
  return into;
}

/**
 * Compiles every message type's codecs now; returns how many it compiled. protobufjs compiles them
 * (with `Function`) the first time a type is used: ~18 ms for the 48 types here, which the
 * extension's first build would spend while its panel opens. A few types per turn of the event
 * loop, so the host stays responsive; a type a call already used is skipped (setup() replaced its methods).
 */
export async function prepareCodecs(): Promise<number> {
  const types = messageTypes(root);
  let compiled = 0;
  for (let i = 0; i < types.length; i++) {
    if (i % 4 === 0) await new Promise((r) => setImmediate(r));
    if (Object.hasOwn(types[i], 'decode')) continue;
    types[i].setup();
    compiled++;
  }
  return compiled;
}
