import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { inspect } from 'node:util';
import Modem from 'docker-modem';
import { inspectsAsName, PlainHttpAgent } from '../../src/engine/plainAgent';
import { tempDir } from '../support/tmp';

test('the plain HTTP agent asks for no TLS server name, and requests over a Unix socket still work', async () => {
  const dir = tempDir('bkl-agent-');
  const socketPath = path.join(dir, 'engine.sock');
  const server = http.createServer((req, res) => res.end(`${req.method} ${req.url} ${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const seen: (string | undefined)[] = [];
  class Watched extends PlainHttpAgent {
    override createConnection(options: http.ClientRequestArgs & { servername?: string }): net.Socket {
      seen.push(options.servername);
      return net.createConnection(options as net.NetConnectOpts);
    }
  }
  const agent = new Watched({ keepAlive: false });
  try {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ socketPath, path: '/_ping', agent }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.equal(body, 'GET /_ping localhost');
    // Node's agent would have worked out "localhost" (testing it with net.isIP) without the override
    assert.deepEqual(seen, ['']);
  } finally {
    agent.destroy();
    server.close();
  }
});

test('an agent holding a keep-alive socket inspects as its name, so docker-modem does not format its sockets per request', async () => {
  const dir = tempDir('bkl-agent-');
  const socketPath = path.join(dir, 'engine.sock');
  const server = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"ApiVersion":"1.45"}'));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const agent = inspectsAsName(new PlainHttpAgent({ keepAlive: true }));
  try {
    const modem = new Modem({ socketPath, agent });
    const version = await new Promise((resolve, reject) =>
      modem.dial({ path: '/version', method: 'GET', statusCodes: { 200: true } }, (err, data) => (err ? reject(err) : resolve(data))),
    );
    assert.deepEqual(version, { ApiVersion: '1.45' });
    assert.equal(Object.keys(agent.freeSockets).length, 1, 'the socket is kept for the next request');
    assert.equal(inspect({ agent }, { showHidden: true, depth: null }), '{ agent: [PlainHttpAgent] }');
  } finally {
    agent.destroy();
    server.close();
  }
});
