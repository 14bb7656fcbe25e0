// Ending a session service call with a gRPC status: grpc-js sends the status of the call's 'error'
// event, once; a call the engine has already dropped is left alone.
import type { status } from '@grpc/grpc-js';

export function endWithStatus(call: { destroyed?: boolean; emit(event: 'error', value: object): boolean }, code: status, message: string): void {
  if (!call.destroyed) call.emit('error', { code, details: message });
}
