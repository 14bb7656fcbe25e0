// The RUN environment flags of buildx that are plain frontend attributes or entitlements:
// --shm-size, --ulimit, --cgroup-parent, --allow, and the attestations (--provenance, --sbom, --attest).
import { UsageError } from './options';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "64m", "2g", "1048576" → bytes, as Docker's RAMInBytes reads them (binary units). */
export function parseShmSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new UsageError(`invalid --shm-size "${s}": expected a size like 64m or 2g`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (bytes <= 0) throw new UsageError(`invalid --shm-size "${s}": must be more than 0`);
  return bytes;
}

const ULIMITS = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** "nofile=1024:2048" (soft:hard, or one value for both) → "nofile=1024:2048". */
export function parseUlimit(s: string): string {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid --ulimit "${s}": expected TYPE=SOFT[:HARD], e.g. nofile=1024:2048`);
  const [, name, soft, hard = soft] = m;
  if (!ULIMITS.has(name)) throw new UsageError(`invalid --ulimit "${s}": unknown limit "${name}" (${[...ULIMITS].join(', ')})`);
  if (Number(hard) >= 0 && Number(soft) > Number(hard)) throw new UsageError(`invalid --ulimit "${s}": the soft limit is above the hard one`);
  return `${name}=${soft}:${hard}`;
}

const ENTITLEMENTS = new Set(['network.host', 'security.insecure']);

export function parseAllow(s: string): string[] {
  return s.split(',').map((e) => e.trim()).filter(Boolean).map((e) => {
    if (!ENTITLEMENTS.has(e)) throw new UsageError(`invalid --allow "${e}": expected network.host or security.insecure`);
    return e;
  });
}

/**
 * --provenance / --sbom VALUE, shorthands for --attest as buildx reads them: a boolean turns the
 * attestation on or off, anything else is its options ("mode=max,builder-id=…", "generator=IMAGE");
 * "" says nothing.
 */
export function attestShorthand(type: 'provenance' | 'sbom', v: string): string | undefined {
  if (v === '') return undefined;
  const on = parseGoBool(v);
  return on !== undefined ? `type=${type},disabled=${!on}` : `type=${type},${v}`;
}

/** --attest type=provenance,mode=max | type=sbom,… → [attribute key, value]; value undefined for disabled=true. */
export function parseAttest(s: string): [string, string | undefined] {
  const fields = s.split(',').map((f) => f.trim()).filter(Boolean);
  const bare = fields.find((f) => !f.includes('='));
  if (bare !== undefined) throw new UsageError(`invalid attestation "${s}": "${bare}" is not KEY=VALUE`);
  const type = fields.find((f) => f.startsWith('type='))?.slice(5);
  if (type !== 'provenance' && type !== 'sbom') throw new UsageError(`invalid --attest "${s}": expected type=provenance or type=sbom, then options`);
  const disabled = fields.find((f) => f.toLowerCase().startsWith('disabled='))?.slice(9);
  if (disabled !== undefined && goBool(disabled, `--attest "${s}": disabled`)) return [`attest:${type}`, undefined];
  return [`attest:${type}`, fields.filter((f) => !f.startsWith('type=') && !f.toLowerCase().startsWith('disabled=')).join(',')];
}

/**
 * What buildx adds where the engine can attach attestations (the containerd store, a buildkitd) and
 * neither --provenance nor BUILDX_NO_DEFAULT_ATTESTATIONS says otherwise: the image exporters get
 * a minimal provenance, the local and tar outputs none.
 */
export const DEFAULT_PROVENANCE = 'mode=min,inline-only=true';

/** BUILDX_NO_DEFAULT_ATTESTATIONS, read as buildx reads it. */
export function noDefaultAttestations(env: NodeJS.ProcessEnv): boolean {
  const v = env.BUILDX_NO_DEFAULT_ATTESTATIONS;
  return v !== undefined && goBool(v, 'BUILDX_NO_DEFAULT_ATTESTATIONS');
}

// Go's strconv.ParseBool, which buildx uses for these values (undefined: not a boolean)
export function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function goBool(v: string, what: string): boolean {
  const b = parseGoBool(v);
  if (b === undefined) throw new UsageError(`invalid ${what} "${v}": expected true or false`);
  return b;
}
