// Typed access to the gRPC services, built from the committed descriptor (scripts/gen-protos.mjs).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import descriptorJson from './descriptors.json';

// The JSON module's inferred type is too literal for protobufjs' INamespace; it has that shape by construction.
const descriptors = descriptorJson as unknown as Parameters<typeof protoLoader.fromJSON>[0];

const base = { keepCase: true, enums: String, defaults: true, oneofs: true } as const;

// Control traffic fits in JS numbers (timestamps in seconds, byte counters); fsutil's
// nanosecond mtimes do not, so the session side keeps int64 as decimal strings.
const controlDef = protoLoader.fromJSON(descriptors, { ...base, longs: Number });
const sessionDef = protoLoader.fromJSON(descriptors, { ...base, longs: String });

const control = grpc.loadPackageDefinition(controlDef) as any;
const session = grpc.loadPackageDefinition(sessionDef) as any;

export const ControlClient: grpc.ServiceClientConstructor = control.moby.buildkit.v1.Control;

/** DiffCopy's hot packets are encoded by filesync/packetCodec.ts and arrive here as Buffers. */
function passEncodedBuffers(def: grpc.ServiceDefinition, method: string): grpc.ServiceDefinition {
  const m = def[method];
  const serialize = m.responseSerialize;
  return { ...def, [method]: { ...m, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serialize(v)) } };
}

export const sessionServices = {
  health: session.grpc.health.v1.Health.service as grpc.ServiceDefinition,
  fileSync: passEncodedBuffers(session.moby.filesync.v1.FileSync.service, 'DiffCopy'),
  auth: session.moby.filesync.v1.Auth.service as grpc.ServiceDefinition,
  secrets: session.moby.buildkit.secrets.v1.Secrets.service as grpc.ServiceDefinition,
};

/** "/pkg.Service/Method" for every method of the given services, as the session header wants them. */
export function methodPaths(services: grpc.ServiceDefinition[]): string[] {
  return services.flatMap((s) => Object.values(s).map((m) => m.path));
}
