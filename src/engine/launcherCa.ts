// The CA file the CLI's command (src/cli/buildkit-lens.sh) took out of NODE_EXTRA_CA_CERTS so that Node
// would not load it at start-up. Node adds that file to its default roots; so do we, for the TLS
// connections that use the default roots (no ca.pem), and only when one is made.
import * as fs from 'node:fs';
import type { TlsMaterial } from './endpoint';

export const HANDED_OVER_CA = 'BUILDKIT_LENS_EXTRA_CA_CERTS';

const loaded = new Map<string, Buffer | null>();

function defaultRootsWithHandedOver(file: string): Buffer | null {
  let roots = loaded.get(file);
  if (roots !== undefined) return roots;
  try {
    // node:tls is loaded here, not at the top: dist/cli.js (src/cli/launch.ts) imports this module too
    const { rootCertificates } = require('node:tls') as typeof import('node:tls');
    roots = Buffer.concat([Buffer.from(rootCertificates.join('\n') + '\n'), fs.readFileSync(file)]);
  } catch (e) {
    // what Node does with a file it cannot read: a warning, then its roots alone
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
    roots = null;
  }
  loaded.set(file, roots);
  return roots;
}

/** TLS settings with the handed-over CA file among the roots when they name no CA of their own. */
export function withHandedOverCa(t: TlsMaterial, env: NodeJS.ProcessEnv = process.env): TlsMaterial {
  const file = env[HANDED_OVER_CA];
  if (t.ca || !file) return t;
  const ca = defaultRootsWithHandedOver(file);
  return ca ? { ...t, ca } : t;
}

/** Programs the CLI starts (credential helpers, git) see NODE_EXTRA_CA_CERTS as it was given. */
export function restoreForChildren(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[HANDED_OVER_CA];
  if (file && !env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = file;
}
