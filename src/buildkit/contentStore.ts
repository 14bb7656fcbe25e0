// containerd's content service over OCI layout folders, served in the session for --cache-to and
// --cache-from type=local (BuildKit's session/content): the engine names the folder by the
// "buildkit-attachable-store-id" metadata ("local:" + the folder), reads blobs for an import and
// writes them for an export. Blobs live in blobs/sha256/<hex>, writes in progress in ingest/.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { status, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { endWithStatus } from './callStatus';

const STORE_ID_KEY = 'buildkit-attachable-store-id';
const READ_CHUNK = 1 << 20;

type Ts = { seconds: number; nanos: number };
const ts = (ms: number): Ts => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });

class StoreError extends Error {
  constructor(readonly code: status, message: string) {
    super(message);
  }
}

interface Ingest {
  ref: string;
  file: string;
  fd: number;
  offset: number;
  total: number;
  expected: string;
  hash: crypto.Hash;
  started: number;
  updated: number;
}

function blobPath(dir: string, digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest ?? '');
  if (!m) throw new StoreError(status.INVALID_ARGUMENT, `invalid digest "${digest}"`);
  return path.join(dir, 'blobs', 'sha256', m[1]);
}

function info(dir: string, digest: string) {
  let st: fs.Stats;
  try {
    st = fs.statSync(blobPath(dir, digest));
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(status.NOT_FOUND, `content digest ${digest}: not found`);
  }
  return { digest, size: st.size, created_at: ts(st.ctimeMs), updated_at: ts(st.mtimeMs), labels: {} };
}

/** Sends a StoreError (or any error) as the call's status. */
function fail(call: { emit(e: 'error', v: object): boolean; destroyed?: boolean }, e: unknown): void {
  const err = e instanceof StoreError ? e : new StoreError(status.UNKNOWN, (e as Error).message);
  endWithStatus(call, err.code, err.message);
}

/** The session's containerd.services.content.v1.Content for the given stores (id → folder). */
export function contentService(stores: ReadonlyMap<string, string>) {
  const ingests = new Map<string, Ingest>();
  const dirOf = (call: { metadata: { get(k: string): unknown[] } }): string => {
    const id = call.metadata.get(STORE_ID_KEY)[0];
    if (typeof id !== 'string') throw new StoreError(status.INVALID_ARGUMENT, `request lacks metadata "${STORE_ID_KEY}"`);
    const dir = stores.get(id);
    if (dir === undefined) throw new StoreError(status.NOT_FOUND, `unknown store ${id}`);
    return dir;
  };
  const unary = <Req>(fn: (dir: string, req: Req) => object) => (call: ServerUnaryCall<Req, object>, cb: sendUnaryData<object>) => {
    try {
      cb(null, fn(dirOf(call), call.request));
    } catch (e) {
      const err = e instanceof StoreError ? e : new StoreError(status.UNKNOWN, (e as Error).message);
      cb({ code: err.code, details: err.message });
    }
  };
  const statusOf = (w: Ingest) => ({ ref: w.ref, offset: w.offset, total: w.total, expected: w.expected, started_at: ts(w.started), updated_at: ts(w.updated) });

  return {
    Info: unary((dir, req: { digest: string }) => ({ info: info(dir, req.digest) })),
    // an OCI layout keeps no labels (containerd's local store without a label store says the same)
    Update: unary(() => {
      throw new StoreError(status.FAILED_PRECONDITION, 'update not supported on immutable content store');
    }),
    Delete: unary((dir, req: { digest: string }) => {
      const file = blobPath(dir, req.digest);
      if (!fs.existsSync(file)) throw new StoreError(status.NOT_FOUND, `content digest ${req.digest}: not found`);
      fs.unlinkSync(file);
      return {};
    }),
    Status: unary((_dir, req: { ref: string }) => {
      const w = ingests.get(req.ref);
      if (!w) throw new StoreError(status.NOT_FOUND, `ref ${req.ref}: not found`);
      return { status: statusOf(w) };
    }),
    ListStatuses: unary(() => ({ statuses: [...ingests.values()].map(statusOf) })),
    Abort: unary((_dir, req: { ref: string }) => {
      const w = ingests.get(req.ref);
      if (!w) throw new StoreError(status.NOT_FOUND, `ref ${req.ref}: not found`);
      closeIngest(w, ingests);
      return {};
    }),
    List: (call: ServerWritableStream<object, object>) => {
      try {
        const root = dirOf(call);
        const blobs = path.join(root, 'blobs', 'sha256');
        const names = fs.existsSync(blobs) ? fs.readdirSync(blobs).filter((n) => /^[a-f0-9]{64}$/.test(n)) : [];
        if (names.length) call.write({ info: names.map((n) => info(root, `sha256:${n}`)) });
        call.end();
      } catch (e) {
        fail(call, e);
      }
    },
    Read: (call: ServerWritableStream<{ digest: string; offset: string; size: string }, object>) => {
      let fd: number | undefined;
      try {
        fd = fs.openSync(blobPath(dirOf(call), call.request.digest), 'r');
      } catch (e) {
        return fail(call, e instanceof StoreError ? e : new StoreError(status.NOT_FOUND, `content digest ${call.request.digest}: not found`));
      }
      const size = fs.fstatSync(fd).size;
      let offset = Number(call.request.offset) || 0;
      const end = Number(call.request.size) > 0 ? Math.min(size, offset + Number(call.request.size)) : size;
      const close = () => {
        if (fd !== undefined) fs.closeSync(fd);
        fd = undefined;
      };
      const pump = () => {
        try {
          while (offset < end && !call.cancelled) {
            const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - offset));
            const n = fs.readSync(fd!, buf, 0, buf.length, offset);
            if (n === 0) break;
            const more = call.write({ offset, data: buf.subarray(0, n) });
            offset += n;
            if (!more) return void call.once('drain', pump);
          }
          close();
          call.end();
        } catch (e) {
          close();
          fail(call, e);
        }
      };
      // a call the engine drops while we wait for 'drain' must not keep the file open
      call.once('cancelled', close);
      pump();
    },
    Write: (call: ServerDuplexStream<WriteRequest, object>) => serveWrite(call, dirOf, ingests),
  };
}

interface WriteRequest {
  action: 'STAT' | 'WRITE' | 'COMMIT';
  ref: string;
  total: string;
  expected: string;
  offset: string;
  data: Buffer;
}

function closeIngest(w: Ingest, ingests: Map<string, Ingest>): void {
  ingests.delete(w.ref);
  // once closed, the number may already name another open file
  if (w.fd >= 0) fs.closeSync(w.fd);
  w.fd = -1;
  fs.rmSync(path.dirname(w.file), { recursive: true, force: true });
}

/** One writer: STAT, WRITE and COMMIT requests, each answered in turn (containerd's contentserver protocol). */
function serveWrite(call: ServerDuplexStream<WriteRequest, object>, dirOf: (c: ServerDuplexStream<WriteRequest, object>) => string, ingests: Map<string, Ingest>): void {
  let w: Ingest | undefined;
  let dir = '';
  let done = false;
  const finish = (e?: unknown) => {
    if (done) return;
    done = true;
    if (w) closeIngest(w, ingests);
    if (e) fail(call, e);
    else if (!call.destroyed) call.end();
  };
  const open = (req: WriteRequest): Ingest => {
    dir = dirOf(call);
    if (!req.ref) throw new StoreError(status.INVALID_ARGUMENT, 'first message must have a reference');
    if (ingests.has(req.ref)) throw new StoreError(status.UNAVAILABLE, `ref ${req.ref} locked`);
    if (req.expected && fs.existsSync(blobPath(dir, req.expected))) throw new StoreError(status.ALREADY_EXISTS, `content ${req.expected}: already exists`);
    const ingestDir = path.join(dir, 'ingest', crypto.createHash('sha256').update(req.ref).digest('hex'));
    fs.mkdirSync(ingestDir, { recursive: true });
    const file = path.join(ingestDir, 'data');
    const now = Date.now();
    const ingest: Ingest = { ref: req.ref, file, fd: fs.openSync(file, 'w'), offset: 0, total: Number(req.total) || 0, expected: req.expected ?? '', hash: crypto.createHash('sha256'), started: now, updated: now };
    ingests.set(req.ref, ingest);
    return ingest;
  };
  call.on('data', (req: WriteRequest) => {
    if (done) return;
    try {
      w ??= open(req);
      if (Number(req.total) > 0) w.total = Number(req.total);
      if (req.expected) w.expected = req.expected;
      const base = { started_at: ts(w.started), updated_at: ts(w.updated), total: w.total };
      if (req.action === 'STAT') return void call.write({ ...base, action: 'STAT', offset: w.offset });
      if (req.data?.length) {
        if (Number(req.offset) !== w.offset) throw new StoreError(status.INVALID_ARGUMENT, `write at offset ${req.offset}, expected ${w.offset}`);
        fs.writeSync(w.fd, req.data);
        w.hash.update(req.data);
        w.offset += req.data.length;
        w.updated = Date.now();
      }
      if (req.action === 'WRITE') return void call.write({ ...base, action: 'WRITE', offset: w.offset });
      // COMMIT
      if (w.total > 0 && w.total !== w.offset) throw new StoreError(status.FAILED_PRECONDITION, `unexpected commit size ${w.offset}, expected ${w.total}`);
      const digest = `sha256:${w.hash.digest('hex')}`;
      if (w.expected && w.expected !== digest) throw new StoreError(status.FAILED_PRECONDITION, `unexpected commit digest ${digest}, expected ${w.expected}`);
      fs.closeSync(w.fd);
      w.fd = -1;
      const target = blobPath(dir, digest);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(w.file, target);
      call.write({ ...base, action: 'COMMIT', offset: w.offset, total: w.offset, digest });
      finish();
    } catch (e) {
      finish(e);
    }
  });
  call.on('end', () => finish());
  call.on('error', () => finish());
  call.on('cancelled', () => finish());
}
