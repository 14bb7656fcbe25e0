// The HTTP agent for engines reached without TLS (a Unix socket, a named pipe, plain TCP).
import * as http from 'node:http';
import { inspect } from 'node:util';

type AddRequest = (req: http.ClientRequest, options: http.RequestOptions & { servername?: string }) => void;

/**
 * Without TLS there is no server name to send, yet Node's agent works one out for every request
 * from the Host header and tests it with net.isIP, whose IPv6 regexp is compiled on first use:
 * 4-9 ms of a CLI run that otherwise takes ~120 ms of CPU. An empty servername skips it; Node
 * checks for exactly that (`servername !== ''`).
 */
export class PlainHttpAgent extends http.Agent {
  addRequest(req: http.ClientRequest, options: http.RequestOptions & { servername?: string }): void {
    options.servername ??= '';
    (http.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest.call(this, req, options);
  }
}

/**
 * docker-modem writes every request's options through util.inspect (showHidden, no depth limit) even
 * when its debug output is off; the agent with its sockets and their parsers is nearly all of that text:
 * 1-4 ms a request (/version and /info for every build), ~0.1 ms once the agent inspects as its name.
 */
export function inspectsAsName<T extends http.Agent>(agent: T): T {
  Object.defineProperty(agent, inspect.custom, { value: () => `[${agent.constructor.name}]` });
  return agent;
}
