// Typed access to the gRPC services, from the codecs scripts/gen-protos.mjs writes ahead (codecs.generated.ts).
// grpc-js only needs a path, the stream flags and (de)serializers per method, so no proto loader runs:
// @grpc/proto-loader would build google.protobuf descriptor messages for every type, and protobufjs'
// reflection would parse a descriptor and compile each type's codecs with `Function` at first use.
import * as grpc from '@grpc/grpc-js';
import type { IConversionOptions } from 'protobufjs/minimal';
import type { MessageCodec } from './codecTypes';
import { messages, services } from './codecs.generated';

/** What proto-loader's options meant here: field names as in the .proto, enums as names, defaults and oneofs filled in. */
const base: IConversionOptions = { enums: String, defaults: true, oneofs: true };
// Control traffic fits in JS numbers (timestamps in seconds, byte counters); fsutil's
// nanosecond mtimes do not, so the session side keeps int64 as decimal strings.
const controlOptions: IConversionOptions = { ...base, longs: Number };
const sessionOptions: IConversionOptions = { ...base, longs: String };

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

function serviceDefinition(name: string, options: IConversionOptions): grpc.ServiceDefinition {
  const serialize = (t: MessageCodec) => (v: object): Buffer => Buffer.from(t.encode(t.fromObject(v)).finish());
  const deserialize = (t: MessageCodec) => (b: Buffer): object => t.toObject(t.decode(b), options);
  const def: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [method, [request, response, requestStream, responseStream]] of Object.entries(services[name])) {
    def[method] = {
      path: `/${name}/${method}`,
      requestStream,
      responseStream,
      requestSerialize: serialize(messages[request]),
      requestDeserialize: deserialize(messages[request]),
      responseSerialize: serialize(messages[response]),
      responseDeserialize: deserialize(messages[response]),
      originalName: lowerFirst(method),
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

/**
 * FileSend's messages travel as they are: a call carries fsutil Packets (the local exporter) or
 * BytesMessages (a tarball), which only the call's target tells apart (filesync/fileSend.ts
 * decodes them with filesync/packetDecode.ts).
 */
function rawMessages(def: grpc.ServiceDefinition, method: string): grpc.ServiceDefinition {
  const same = (b: Buffer) => b;
  return { ...def, [method]: { ...def[method], requestDeserialize: same, responseSerialize: same } };
}

export const sessionServices = {
  health: serviceDefinition('grpc.health.v1.Health', sessionOptions),
  fileSync: passEncodedBuffers(serviceDefinition('moby.filesync.v1.FileSync', sessionOptions), 'DiffCopy'),
  auth: serviceDefinition('moby.filesync.v1.Auth', sessionOptions),
  secrets: serviceDefinition('moby.buildkit.secrets.v1.Secrets', sessionOptions),
  fileSend: rawMessages(serviceDefinition('moby.filesync.v1.FileSend', sessionOptions), 'DiffCopy'),
  ssh: serviceDefinition('moby.sshforward.v1.SSH', sessionOptions),
  content: serviceDefinition('containerd.services.content.v1.Content', sessionOptions),
  upload: serviceDefinition('moby.upload.v1.Upload', sessionOptions),
};

/** "/pkg.Service/Method" for every method of the given services, as the session header wants them. */
export function methodPaths(services: grpc.ServiceDefinition[]): string[] {
  return services.flatMap((s) => Object.values(s).map((m) => m.path));
}
