// What codecs.generated.ts holds, typed (the generated file itself is not type-checked).
import type { IConversionOptions, Reader, Writer } from 'protobufjs/minimal';

/**
 * One message type's codecs, with protobufjs' semantics (the functions are its own generators' output).
 * A direction the type never travels in throws (encode and fromObject, or decode and toObject).
 */
export interface MessageCodec {
  ctor: new (properties?: object) => object;
  encode(message: object, writer?: Writer): Writer;
  decode(reader: Reader | Uint8Array, length?: number): object;
  fromObject(object: object): object;
  toObject(message: object, options?: IConversionOptions): object;
}

/** A service's methods: request type, response type, request stream, response stream. */
export type MethodTable = Record<string, [request: string, response: string, requestStream: boolean, responseStream: boolean]>;
