// An http.Agent whose one connection is `docker system dial-stdio` run over ssh, as the Docker CLI
// does for ssh:// hosts. Unlike docker-modem's, it ends the ssh connection whenever the stream
// ends or is destroyed: an upgraded /grpc or /session stream is destroyed by us, not by the agent.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint';
import { EngineError } from './errors';
import { checkHostKey } from './knownHosts';

export function sshDialAgent(ep: Endpoint): http.Agent {
  const agent = new http.Agent();
  (agent as unknown as { createConnection: unknown }).createConnection = (_opts: unknown, cb: (err: Error | null, s?: Duplex) => void) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('ssh2') as typeof import('ssh2');
    const conn = new Client();
    let done = false;
    const fail = (err: Error) => {
      conn.end();
      if (!done) {
        done = true;
        cb(err);
      }
    };
    // set when the server's key is not the one known_hosts has for it (ssh2 itself would take any key)
    let refused: string | undefined;
    conn.once('error', (err) => fail(refused ? new EngineError(refused, 'HOSTKEY') : err));
    conn.once('ready', () => {
      conn.exec('docker system dial-stdio', (err, stream) => {
        if (err) return fail(err);
        done = true;
        const end = () => conn.end();
        stream.once('close', end);
        stream.once('error', end);
        const destroy = (stream as Duplex).destroy.bind(stream);
        (stream as Duplex).destroy = (e?: Error) => {
          conn.end();
          return destroy(e);
        };
        cb(null, stream);
      });
    });
    conn.connect({
      host: ep.hostname,
      port: ep.port,
      username: ep.username,
      agent: process.env.SSH_AUTH_SOCK,
      hostVerifier: (key: Buffer) => !(refused = checkHostKey(ep.hostname!, ep.port, key)),
    });
  };
  return agent;
}
