// grpc-js makes its HTTP/2 servers in Server#createHttp2Server, which is not public API. Wrapping
// it on one Server object is the one way to reach them (their settings, their raw 'stream' events)
// without patching grpc-js for the whole process: an extension host is shared with other extensions.
import type { Server } from '@grpc/grpc-js';
import type * as http2 from 'node:http2';

/** Calls `configure` on every HTTP/2 server this grpc-js Server makes (a no-op if grpc-js changed). */
export function onHttp2Server(server: Server, configure: (h2: http2.Http2Server) => void): void {
  const s = server as unknown as { createHttp2Server?: (creds: unknown) => http2.Http2Server };
  const make = s.createHttp2Server;
  if (typeof make !== 'function') return;
  s.createHttp2Server = (creds) => {
    const h2 = make.call(server, creds);
    configure(h2);
    return h2;
  };
}
