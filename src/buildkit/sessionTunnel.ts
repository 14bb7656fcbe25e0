// The session carried inside Control.Session instead of POST /session: what a standalone buildkitd
// needs, and what BuildKit's own client does when it has no session dialer. The gRPC metadata
// plays the part of the HTTP headers; the raw HTTP/2 bytes travel in BytesMessage.data.
import * as grpc from '@grpc/grpc-js';
import { Duplex } from 'node:stream';
import type { Control } from './control';
import type { Session } from './session';

export function tunnelMetadata(headers: Record<string, string | string[]>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) {
    for (const value of Array.isArray(v) ? v : [v]) md.add(k.toLowerCase(), value);
  }
  return md;
}

class TunnelDuplex extends Duplex {
  constructor(
    private readonly call: grpc.ClientDuplexStream<{ data: Buffer }, { data: Buffer }>,
    explain: (e: grpc.ServiceError) => Error,
  ) {
    super();
    call.on('data', (m: { data: Buffer }) => {
      if (!this.push(m.data)) call.pause();
    });
    call.on('end', () => this.push(null));
    call.on('error', (e: grpc.ServiceError) => {
      if (e.code === grpc.status.CANCELLED) this.push(null);
      else this.destroy(explain(e));
    });
  }

  override _read(): void {
    this.call.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.call.write({ data: chunk })) cb();
    else this.call.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.call.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.call.cancel();
    cb(err);
  }
}

/** Serves the session over Control.Session on the given control connection. */
export function attachOverControl(session: Session, control: Control): void {
  const call = control.session(tunnelMetadata(session.headers()));
  session.serveOn(new TunnelDuplex(call, (e) => control.explain(e)));
}
