// For engines grpc-js cannot dial itself (ssh, Windows pipes; the others: src/buildkit/engineChannel.ts)
// the Control client talks to a private Unix socket; each connection accepted there becomes its own
// upgraded POST /grpc.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint';
import { EngineError } from './errors';
import { upgradeH2c } from './upgrade';
import { folderPrefix, removeFoldersOfEndedProcessesOnce } from '../staleFolders';

export interface GrpcBridge {
  /** grpc-js target, e.g. unix:///tmp/bkl-grpc-1234-xyz/grpc.sock */
  target: string;
  /** sockets currently piped (for leak checks) */
  readonly openConnections: number;
  /** why the last upgrade failed: grpc-js itself only sees a closed socket */
  lastError(): Error | undefined;
  close(): Promise<void>;
}

/**
 * Socket folders of bridges not closed yet. A process can end before a bridge's close() (a closing window
 * ends the extension host with its connections still open): they are removed at exit all the same.
 */
const openDirs = new Set<string>();
let exitHooked = false;

const SOCKET = 'grpc.sock';

function removeDir(dir: string): void {
  openDirs.delete(dir);
  // It holds the socket alone: two calls, where a recursive rmSync first compiles Node's rimraf
  // module (~1 ms of every CLI run). Anything else in it is left to the recursive remove.
  try {
    fs.unlinkSync(path.join(dir, SOCKET));
  } catch {
    // never bound, or already gone
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function removeOpenDirs(): void {
  for (const dir of openDirs) removeDir(dir);
}

/** bkl-grpc-<pid>-XXXXXX: the folder says which process it belongs to */
const PREFIX = 'bkl-grpc-';

export async function openGrpcBridge(ep: Endpoint): Promise<GrpcBridge> {
  // 0700 folder: nobody else on the machine may ride our engine connection.
  const tmp = os.tmpdir();
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', removeOpenDirs);
  }
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(tmp, folderPrefix(PREFIX)));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new EngineError(`cannot make the folder for the gRPC bridge to ${ep.host} in ${tmp} (${why}): set TMPDIR to a folder you can write`, 'ETMPDIR');
  }
  openDirs.add(dir);
  fs.chmodSync(dir, 0o700);
  const sockPath = path.join(dir, SOCKET);
  const live = new Set<net.Socket | Duplex>();

  const server = net.createServer((client) => {
    live.add(client);
    client.pause();
    let upstream: Duplex | undefined;
    const teardown = () => {
      live.delete(client);
      client.destroy();
      if (upstream) {
        live.delete(upstream);
        upstream.destroy();
      }
    };
    client.on('error', teardown);
    client.on('close', teardown);
    upgradeH2c(ep, '/grpc').then(
      (up) => {
        if (client.destroyed) {
          up.destroy();
          return;
        }
        upstream = up;
        live.add(up);
        up.on('error', teardown);
        up.on('close', teardown);
        client.pipe(up);
        up.pipe(client);
        client.resume();
      },
      (err: Error) => {
        // grpc-js only sees a closed socket; keep the reason for the caller's error message.
        lastError = err;
        teardown();
      },
    );
  });
  let lastError: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      removeDir(dir);
      reject(e);
    });
    server.listen(sockPath, () => resolve());
  });
  fs.chmodSync(sockPath, 0o600);
  let closed: Promise<void> | undefined;
  const bridge: GrpcBridge = {
    target: `unix://${sockPath}`,
    get openConnections() {
      return live.size;
    },
    lastError: () => lastError,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        live.clear();
        // at once, not in server.close()'s callback: the process may not live that long (an ending extension host)
        removeDir(dir);
        server.close(() => resolve());
        // when a bridge closes: a build's start does not wait for it
        removeFoldersOfEndedProcessesOnce(tmp, PREFIX);
      })),
  };
  return bridge;
}
