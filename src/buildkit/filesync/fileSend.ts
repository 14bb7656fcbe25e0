// FileSend.DiffCopy: where the engine sends a build's result back to the client. The local exporter
// streams a directory (fsutil packets, receive.ts); tar, oci and docker stream a tarball as
// BytesMessages. Each call names its exporter by index in "buildkit-attachable-exporter-id"
// (BuildKit 0.13); older engines, with one exporter, send none.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeBytesMessage } from './packetDecode';
import { makeDirs } from '../makeDirs';
import { endWithStatus } from '../callStatus';
import { DirReceiver, ReceiveError } from './receive';
import { fsReason } from '../fsReason';

/** Where one exporter's result goes: a directory, a file, or a stream (stdout for "-"). */
export type OutputTarget = { kind: 'dir'; dest: string } | { kind: 'file'; dest: string } | { kind: 'stream'; dest: '-'; stream: NodeJS.WritableStream };

export interface FileSendOptions {
  /** the local reason a transfer failed, before the engine words it its own way */
  onError?(message: string): void;
}

const EXPORTER_ID = 'buildkit-attachable-exporter-id';

type Call = ServerDuplexStream<Buffer, Buffer>;

function failCall(call: Call, message: string, opts: FileSendOptions): void {
  opts.onError?.(message);
  endWithStatus(call, status.UNKNOWN, message);
}

export function serveFileSend(call: Call, targets: ReadonlyMap<number, OutputTarget>, opts: FileSendOptions = {}): void {
  const id = Number(call.metadata.get(EXPORTER_ID)[0] ?? 0);
  const target = targets.get(Number.isInteger(id) ? id : 0);
  if (!target) {
    const message = `exporter ${id} not found`;
    opts.onError?.(message);
    endWithStatus(call, status.NOT_FOUND, message);
    return;
  }
  if (target.kind === 'dir') receiveDir(call, target.dest, opts);
  else receiveFile(call, target, opts);
}

function receiveDir(call: Call, dest: string, opts: FileSendOptions): void {
  let done = false;
  const stop = (message?: string) => {
    if (done) return;
    done = true;
    receiver.abort();
    if (message) failCall(call, message, opts);
  };
  try {
    makeDirs(dest);
  } catch (err) {
    done = true;
    return failCall(call, `cannot create ${dest}: ${fsReason(err)}`, opts);
  }
  const receiver = new DirReceiver(dest, (packet) => call.write(packet));
  call.on('data', (message: Buffer) => {
    if (done) return;
    try {
      if (receiver.handle(message)) {
        done = true;
        call.end();
      }
    } catch (err) {
      stop(err instanceof ReceiveError ? err.message : `cannot write into ${dest}: ${(err as Error).message}`);
    }
  });
  call.on('end', () => stop('the engine ended the transfer before it was complete'));
  call.on('cancelled', () => stop());
  call.on('error', () => stop());
}

function receiveFile(call: Call, target: Exclude<OutputTarget, { kind: 'dir' }>, opts: FileSendOptions): void {
  let file: fs.WriteStream | undefined;
  /** a regular file we made: a device or FIFO named as dest (/dev/stdout) is never removed */
  let ours = false;
  let failed = false;
  let ended = false;
  // a tarball cut short is no tarball: one we made that failed or was canceled does not stay behind
  const discard = () => {
    file?.destroy();
    if (ours) fs.rmSync(target.dest, { force: true });
  };
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    discard();
    failCall(call, message, opts);
  };
  if (target.kind === 'file') {
    try {
      // made only once the engine sends the result, as buildx does
      const before = fs.statSync(target.dest, { throwIfNoEntry: false });
      file = fs.createWriteStream(target.dest, { fd: fs.openSync(target.dest, 'w', 0o666) });
      ours = !before || before.isFile();
    } catch (err) {
      return fail(`cannot create ${target.dest}: ${fsReason(err)}`);
    }
  }
  const out: NodeJS.WritableStream = file ?? (target as { stream: NodeJS.WritableStream }).stream;
  const onError = (err: Error) => fail(`cannot write ${file ? target.dest : 'standard output'}: ${fsReason(err)}`);
  out.on('error', onError);
  const finish = () => {
    out.off('error', onError);
    if (!failed && !call.destroyed) call.end();
  };
  call.on('data', (message: Buffer) => {
    if (failed) return;
    // the engine's pace follows the disk's (or the pipe's): stop reading while the writer is full
    if (!out.write(decodeBytesMessage(message))) {
      call.pause();
      out.once('drain', () => call.resume());
    }
  });
  call.on('end', () => {
    ended = true;
    if (file) file.end(finish);
    else finish();
  });
  const abandon = () => !ended && discard();
  call.on('cancelled', abandon);
  call.on('error', abandon);
}
