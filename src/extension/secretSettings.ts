// The buildkitLens.build.secrets setting: buildx --secret entries ("id=tok,src=~/.tok", "id=T,env=VAR")
// turned into SecretSpecs. Only ids, file paths and variable names pass through here and into stored
// requests; the values are read by the build session when the engine asks for them.
import * as os from 'os';
import * as path from 'path';
import type { SecretSpec } from '../buildkit/types';
import { parseSecretSpec } from '../buildkit/options';

const SETTING = 'buildkitLens.build.secrets';

/** Throws one user-facing line naming the setting when an entry is invalid. */
export function secretsFromSetting(entries: readonly unknown[], baseDir: string, home = os.homedir()): SecretSpec[] {
  const specs: SecretSpec[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new Error(`Invalid ${SETTING}: every entry must be a string like "id=ID,src=FILE" or "id=ID,env=VAR"`);
    let spec: SecretSpec;
    try {
      spec = parseSecretSpec(entry.trim());
    } catch (e) {
      throw new Error(`Invalid ${SETTING}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (specs.some((s) => s.id === spec.id)) throw new Error(`Invalid ${SETTING}: secret id "${spec.id}" is given twice`);
    specs.push(spec.src === undefined ? spec : { ...spec, src: resolveSource(spec.src, baseDir, home) });
  }
  return specs;
}

function resolveSource(src: string, baseDir: string, home: string): string {
  if (src === '~' || src.startsWith('~/')) return path.join(home, src.slice(1));
  return path.resolve(baseDir, src);
}
