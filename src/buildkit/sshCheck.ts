// The --ssh sockets checked before a build, apart from the forwarding itself (sshForward.ts loads
// gRPC, and preflight is loaded at activation, through the extension's platform check).
import * as fs from 'node:fs';
import { fsReason } from './fsReason';
import type { SshSpec } from './types';

export class SshSpecError extends Error {}

/** Every agent socket is there and is a socket, before anything reaches the engine. */
export function checkSshSpecs(specs: readonly SshSpec[]): void {
  for (const s of specs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(s.socket);
    } catch (e) {
      throw new SshSpecError(`ssh ${s.id}: cannot use the agent socket ${s.socket}: ${fsReason(e)}`);
    }
    if (st.isFile()) {
      throw new SshSpecError(`ssh ${s.id}: ${s.socket} is a file, not an agent socket: load the key into an agent (ssh-add ${s.socket}) and forward the agent (--ssh ${s.id}, which reads SSH_AUTH_SOCK)`);
    }
    if (!st.isSocket()) throw new SshSpecError(`ssh ${s.id}: ${s.socket} is not an agent socket`);
  }
}
