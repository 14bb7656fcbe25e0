// RUN --mount=type=ssh: the engine's ForwardAgent stream carried to the user's SSH agent socket.
// Like buildx, the build gets a read-only agent: it may list keys and ask for signatures, never add,
// remove or lock them. Agent requests are framed (uint32 length, then a type byte) and answered one
// at a time, so each request is checked whole and the replies keep their order.
import * as net from 'node:net';
import { status, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { SshSpec } from './types';
import { endWithStatus } from './callStatus';

/** The metadata key the engine names the socket id with (sshforward.KeySSHID). */
const SSH_ID_KEY = 'buildkit.ssh.id';
export const DEFAULT_SSH_ID = 'default';

const REQUEST_IDENTITIES = 11;
const SIGN_REQUEST = 13;
const FAILURE = Buffer.from([0, 0, 0, 1, 5]);
/** x/crypto/ssh/agent's own ceiling for a message */
const MAX_FRAME = 16 << 20;

/** Cuts a byte stream into whole agent messages (length prefix included). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len === 0 || len > MAX_FRAME) throw new Error(`SSH agent message of ${len} bytes`);
      if (this.buf.length < 4 + len) break;
      out.push(this.buf.subarray(0, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }
}

/** Whether a request may reach the user's agent: listing keys and signing, nothing that changes it. */
export function readOnlyRequest(frame: Buffer): boolean {
  const type = frame[4];
  return type === REQUEST_IDENTITIES || type === SIGN_REQUEST;
}

type ForwardCall = ServerDuplexStream<{ data: Buffer }, { data: Buffer }>;

function idOf(call: ForwardCall): string {
  const v = call.metadata.get(SSH_ID_KEY)[0];
  return typeof v === 'string' && v ? v : DEFAULT_SSH_ID;
}

function unset(id: string): string {
  return `no SSH agent with id "${id}" is forwarded to this build`;
}

/** One ForwardAgent call: a connection to the agent, requests filtered and answered in order. */
function forward(call: ForwardCall, socket: string): void {
  const agent = net.createConnection(socket);
  const fromBuild = new FrameReader();
  const fromAgent = new FrameReader();
  const pending: Buffer[] = [];
  let waiting = false; // a request is at the agent, its answer not yet back
  let ended = false;
  const end = (err?: Error) => {
    if (ended) return;
    ended = true;
    agent.destroy();
    if (err) endWithStatus(call, status.UNAVAILABLE, err.message);
    else if (!call.destroyed) call.end();
  };
  const next = () => {
    while (!waiting && pending.length) {
      const req = pending.shift()!;
      if (readOnlyRequest(req)) {
        waiting = true;
        agent.write(req);
      } else {
        call.write({ data: FAILURE });
      }
    }
  };
  call.on('data', (m: { data?: Buffer }) => {
    try {
      pending.push(...fromBuild.push(Buffer.from(m.data ?? [])));
    } catch (e) {
      return end(e as Error);
    }
    next();
  });
  agent.on('data', (chunk: Buffer) => {
    let replies: Buffer[];
    try {
      replies = fromAgent.push(chunk);
    } catch (e) {
      return end(e as Error);
    }
    for (const r of replies) {
      call.write({ data: r });
      waiting = false;
    }
    next();
  });
  call.on('end', () => end());
  call.on('error', () => end());
  call.on('cancelled', () => end());
  agent.on('error', (e: NodeJS.ErrnoException) => end(new Error(`cannot reach the SSH agent at ${socket}: ${e.code ?? e.message}`)));
  agent.on('close', () => end());
}

/** The session's moby.sshforward.v1.SSH service for the given agents. */
export function sshService(specs: readonly SshSpec[]) {
  const byId = new Map(specs.map((s) => [s.id, s.socket]));
  return {
    CheckAgent: (call: ServerUnaryCall<{ ID: string }, object>, cb: sendUnaryData<object>) => {
      const id = call.request.ID || DEFAULT_SSH_ID;
      if (byId.has(id)) cb(null, {});
      else cb({ code: status.NOT_FOUND, details: unset(id) });
    },
    ForwardAgent: (call: ForwardCall) => {
      const socket = byId.get(idOf(call));
      if (socket === undefined) return endWithStatus(call, status.NOT_FOUND, unset(idOf(call)));
      forward(call, socket);
    },
  };
}
