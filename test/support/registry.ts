// A private image registry for tests: Debian's docker-registry binary (distribution 2.8) on
// 127.0.0.1, TLS with the test CA's server certificate, htpasswd basic auth. No system service.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { freePort, type TestCerts } from './certs';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** host:port, as image references and credential lookups name it */
  host: string;
  user: string;
  password: string;
  stop(): void;
}

export function registryAvailable(): boolean {
  return fs.existsSync(REGISTRY_BIN) && fs.existsSync('/usr/bin/htpasswd');
}

/** Answers the HTTP status of GET /v2/ (401 once the registry is up and asks for credentials). */
function probe(host: string, ca: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(`https://${host}/v2/`, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

export async function startRegistry(certs: TestCerts, dir: string): Promise<TestRegistry> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const user = 'bkl';
  const password = `pw-${port}`;
  // the registry accepts bcrypt entries only
  const htpasswd = execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  fs.writeFileSync(path.join(dir, 'htpasswd'), htpasswd);
  const config = [
    'version: 0.1',
    'log: {level: warn}',
    `storage: {filesystem: {rootdirectory: ${path.join(dir, 'data')}}}`,
    `http: {addr: "${host}", tls: {certificate: ${certs.serverCert}, key: ${certs.serverKey}}}`,
    `auth: {htpasswd: {realm: bkl-test, path: ${path.join(dir, 'htpasswd')}}}`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'config.yml'), config + '\n');
  const log = fs.openSync(path.join(dir, 'registry.log'), 'w');
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', log, log] });
  const ca = fs.readFileSync(certs.ca);
  const deadline = Date.now() + 15_000;
  while ((await probe(host, ca)) !== 401) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not start: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8').slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, user, password, stop: () => child.kill() };
}
