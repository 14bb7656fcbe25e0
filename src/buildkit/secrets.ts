// Values for RUN --mount=type=secret, read only when the engine asks and never logged.
import * as fs from 'node:fs';
import { fsReason } from './fsReason';
import type { SecretSpec } from './types';

export class SecretNotFound extends Error {}

export function readSecret(specs: SecretSpec[], id: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new SecretNotFound(`secret ${id}: not found`);
  if (spec.env !== undefined) {
    const v = env[spec.env];
    if (v === undefined) throw new SecretNotFound(`secret ${id}: environment variable ${spec.env} is not set`);
    return Buffer.from(v, 'utf8');
  }
  try {
    return fs.readFileSync(spec.src!);
  } catch (e) {
    throw new SecretNotFound(`secret ${id}: cannot read ${spec.src}: ${fsReason(e)}`);
  }
}

/** Checks every secret can be read before the build starts, so a typo fails fast and clearly. */
export function checkSecrets(specs: SecretSpec[], env: NodeJS.ProcessEnv = process.env): void {
  for (const s of specs) readSecret(specs, s.id, env);
}
