// The session's moby.upload.v1.Upload: the engine pulls a context archive by the id in its
// "http://buildkit-session/ID" URL (the "urlpath" metadata), in chunks as buildx sends them.
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { endWithStatus } from './callStatus';

const CHUNK = 3 << 20;

export function uploadService(uploads: ReadonlyMap<string, Buffer>) {
  return {
    Pull: (call: ServerDuplexStream<object, { data: Buffer }>) => {
      const urlPath = call.metadata.get('urlpath')[0];
      const id = typeof urlPath === 'string' ? urlPath.split('/').pop() ?? '' : '';
      const data = uploads.get(id);
      if (!data) return endWithStatus(call, status.NOT_FOUND, `no upload ${id} in this session`);
      let at = 0;
      const pump = () => {
        while (at < data.length && !call.cancelled) {
          const more = call.write({ data: data.subarray(at, at + CHUNK) });
          at += CHUNK;
          if (!more) return void call.once('drain', pump);
        }
        call.end();
      };
      pump();
    },
  };
}
