// A throwaway certificate authority made with openssl: a server certificate for 127.0.0.1 /
// localhost and a client certificate, laid out the way dockerd and the Docker CLI read them.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './tmp';

export interface TestCerts {
  dir: string;
  /** ca.pem, server-cert.pem, server-key.pem, cert.pem, key.pem inside dir */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** One CA, a server cert valid for 127.0.0.1 and localhost, a client cert (EC P-256: fast to make). */
export function makeCerts(): TestCerts {
  const dir = tempDir('bkl-certs-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bkl-test-ca');
  const issue = (name: string, cn: string, ext: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, 'req', ...ec, '-keyout', `${name === 'client' ? '' : 'server-'}key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
      '-out', name === 'client' ? 'cert.pem' : 'server-cert.pem', '-days', '2', '-extfile', `${name}.ext`);
  };
  issue('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', 'bkl-test-client', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => path.join(dir, f);
  return { dir, ca: p('ca.pem'), serverCert: p('server-cert.pem'), serverKey: p('server-key.pem'), clientCert: p('cert.pem'), clientKey: p('key.pem') };
}

/** Copies the client side (ca.pem, cert.pem, key.pem) into dir, as DOCKER_CERT_PATH and contexts expect. */
export function installClientCerts(certs: TestCerts, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(certs.ca, path.join(dir, 'ca.pem'));
  fs.copyFileSync(certs.clientCert, path.join(dir, 'cert.pem'));
  fs.copyFileSync(certs.clientKey, path.join(dir, 'key.pem'));
}

/** The folder name the Docker CLI stores a context under: the SHA-256 of its name. */
const contextId = (name: string) => crypto.createHash('sha256').update(name).digest('hex');

/** Writes a Docker context the way `docker context create` stores it (its TLS files under contexts/tls). */
export function writeContext(configDir: string, name: string, host: string, certs?: TestCerts): void {
  const id = contextId(name);
  const meta = path.join(configDir, 'contexts', 'meta', id);
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(
    path.join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (certs) installClientCerts(certs, path.join(configDir, 'contexts', 'tls', id, 'docker'));
}

/** Removes what writeContext wrote. */
export function removeContext(configDir: string, name: string): void {
  const id = contextId(name);
  for (const kind of ['meta', 'tls']) fs.rmSync(path.join(configDir, 'contexts', kind, id), { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1 (closed again before returning; fine for a test's own daemon). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
