// Parsing of the user-facing build flags, shared by the CLI and the extension's pickers.
import { isIP } from 'node:net';
import * as path from 'node:path';
import type { NamedContext, NetworkMode, OciLayoutRef, SecretSpec, SshSpec } from './types';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * "K=V". With `env` (buildx --build-arg) a bare "K" takes the environment's value, and is left out
 * (value undefined) when the variable is not set, as buildx leaves it out.
 */
export function parseKeyValue(s: string, flag: string, env: NodeJS.ProcessEnv): [string, string | undefined];
export function parseKeyValue(s: string, flag: string): [string, string];
export function parseKeyValue(s: string, flag: string, env?: NodeJS.ProcessEnv): [string, string | undefined] {
  const i = s.indexOf('=');
  const key = i < 0 ? s : s.slice(0, i);
  if (!key.trim() || /\s/.test(key)) throw new UsageError(`invalid ${flag} "${s}": expected KEY=VALUE`);
  if (i < 0) {
    if (!env) throw new UsageError(`invalid ${flag} "${s}": expected KEY=VALUE`);
    return [key, env[key]];
  }
  return [key, s.slice(i + 1)];
}

const OS = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'plan9', 'android', 'ios', 'js', 'wasip1']);
const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', i386: '386', armel: 'arm' };
const ARCHES = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 'ppc64', 's390x', 'riscv64', 'mips64le', 'mips64', 'mipsle', 'mips', 'loong64', 'wasm']);

/** the client machine's platform in Go's words ("local" in --platform) */
export function localPlatform(arch: string = process.arch): string {
  const goArch: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm/v7' };
  return `linux/${goArch[arch] ?? arch}`;
}

/** "linux/amd64,linux/arm64/v8" → normalised list; throws UsageError naming the bad entry. */
export function parsePlatforms(s: string): string[] {
  const out: string[] = [];
  for (const raw of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (raw.toLowerCase() === 'local') {
      // as buildx: the platform of the machine running the client
      const local = localPlatform();
      if (!out.includes(local)) out.push(local);
      continue;
    }
    const parts = raw.toLowerCase().split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
      throw new UsageError(`invalid platform "${raw}": expected OS/ARCH[/VARIANT], e.g. linux/amd64`);
    }
    const [os, archRaw, variant] = parts;
    const arch = ARCH_ALIASES[archRaw] ?? archRaw;
    if (!OS.has(os)) throw new UsageError(`invalid platform "${raw}": unknown operating system "${os}"`);
    if (!ARCHES.has(arch)) throw new UsageError(`invalid platform "${raw}": unknown architecture "${archRaw}"`);
    const p = [os, arch, variant].filter(Boolean).join('/');
    if (!out.includes(p)) out.push(p);
  }
  if (out.length === 0) throw new UsageError('invalid --platform "": expected OS/ARCH[,OS/ARCH...]');
  return out;
}

/** buildx --secret: "id=x,src=FILE" | "id=x,env=VAR" | "id=x" (env var of the same name, else file). */
export function parseSecretSpec(s: string, env: NodeJS.ProcessEnv = process.env): SecretSpec {
  const fields: Record<string, string> = {};
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --secret "${s}": expected id=ID,src=FILE or id=ID,env=VAR`);
    const k = part.slice(0, i).trim().toLowerCase();
    const v = part.slice(i + 1);
    if (!['id', 'src', 'source', 'env', 'type'].includes(k)) {
      throw new UsageError(`invalid --secret "${s}": unknown field "${k}"`);
    }
    fields[k === 'source' ? 'src' : k] = v;
  }
  if (fields.type && fields.type !== 'file' && fields.type !== 'env') {
    throw new UsageError(`invalid --secret "${s}": type must be file or env`);
  }
  const id = fields.id ?? fields.env ?? (fields.src ? fields.src.split('/').pop() : undefined);
  if (!id) throw new UsageError(`invalid --secret "${s}": missing id`);
  if (fields.src !== undefined && fields.env !== undefined) {
    throw new UsageError(`invalid --secret "${s}": give src or env, not both`);
  }
  if (fields.env !== undefined) return { id, env: fields.env };
  if (fields.type === 'env') return { id, env: fields.src ?? id };
  if (fields.src !== undefined) return { id, src: fields.src };
  // neither: the variable named by the id when it is set, else the file of that name (BuildKit's secretsprovider)
  return env[id] !== undefined ? { id, env: id } : { id, src: id };
}

export function parseNetwork(s: string): NetworkMode {
  if (s === 'default' || s === 'none' || s === 'host') return s;
  throw new UsageError(`invalid --network "${s}": expected default, none or host`);
}

/** Docker's reference grammar, loosely: lower-case repo path, optional :tag. */
export function checkTag(tag: string): string {
  const re = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;
  if (re.test(tag)) return tag;
  // the registry host may have capitals; the repository path may not
  const path = tag.replace(/^[^/]*[.:][^/]*\//, '').replace(/:[\w][\w.-]*$/, '');
  const why = /[A-Z]/.test(path) ? 'repository names must be lowercase' : 'expected [HOST[:PORT]/]NAME[:TAG]';
  throw new UsageError(`invalid tag "${tag}": ${why}, e.g. myapp:latest`);
}

/** the IP an engine reports as its host's (worker label), standing in for "host-gateway" */
export const HOST_GATEWAY = 'host-gateway';

/**
 * buildx --add-host: "HOST:IP" or "HOST=IP", comma-separated lists, "[IPv6]", or host-gateway
 * (resolved from the engine's worker at build time) → "HOST=IP" entries, checked before the build.
 */
export function parseAddHosts(s: string): string[] {
  return s.split(',').map((one) => {
    let i = one.indexOf('=');
    if (i < 0) i = one.indexOf(':');
    const host = i > 0 ? one.slice(0, i) : '';
    let ip = i > 0 ? one.slice(i + 1) : '';
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (!host || !ip || (ip !== HOST_GATEWAY && !isIP(ip))) {
      throw new UsageError(`invalid --add-host "${one}": expected HOST:IP (an IPv4 or IPv6 address, or host-gateway)`);
    }
    return `${host}=${ip}`;
  });
}

const OCI_LAYOUT = 'oci-layout://';

/** "DIR[:TAG][@sha256:…]" as buildx splits it; no tag and no digest means the tag "latest". */
function parseOciLayout(s: string, cwd: string): OciLayoutRef {
  let rest = s;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0 && /^sha256:[a-f0-9]{64}$/.test(rest.slice(at + 1))) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && /^[\w][\w.-]{0,127}$/.test(rest.slice(colon + 1))) [rest, tag] = [rest.slice(0, colon), rest.slice(colon + 1)];
  if (!rest) throw new UsageError(`invalid --build-context source "${OCI_LAYOUT}${s}": expected oci-layout://DIR[:TAG][@DIGEST]`);
  return { dir: path.resolve(cwd, rest), ...(tag || !digest ? { tag: tag ?? 'latest' } : {}), ...(digest ? { digest } : {}) };
}

/** Sources the frontend fetches itself; buildx passes these through untouched. */
const REMOTE_CONTEXT = /^(?:docker-image:\/\/|https?:\/\/|git:\/\/|ssh:\/\/|git@|github\.com\/)/;

/**
 * buildx --build-context "NAME=VALUE". NAME is an image reference in its short form (buildx
 * normalises "docker.io/library/alpine:latest" to "alpine"), VALUE a directory (relative to cwd)
 * or a docker-image:// or git/HTTP source (target: is bake's, refused).
 */
export function parseBuildContext(s: string, cwd: string): [string, NamedContext] {
  const i = s.indexOf('=');
  if (i <= 0 || i === s.length - 1) throw new UsageError(`invalid --build-context "${s}": expected NAME=PATH or NAME=docker-image://REF`);
  const raw = s.slice(0, i);
  const value = s.slice(i + 1);
  const [ref, digest] = raw.split('@', 2);
  if (raw.split('@').length > 2 || (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest))) {
    throw new UsageError(`invalid --build-context name "${raw}": expected a name like "base" or "alpine:3.19"`);
  }
  try {
    checkTag(ref);
  } catch {
    throw new UsageError(`invalid --build-context name "${raw}": names are image references, lowercase, e.g. "base" or "alpine:3.19"`);
  }
  const name = (ref.replace(/^(?:index\.)?docker\.io\/(?:library\/)?/, '').replace(/:latest$/, '')) + (digest ? `@${digest}` : '');
  if (value.startsWith(OCI_LAYOUT)) return [name, { ociLayout: parseOciLayout(value.slice(OCI_LAYOUT.length), cwd) }];
  // a bake target: buildx build refuses it too, before the build
  if (value.startsWith('target:')) throw new UsageError(`invalid --build-context "${s}": target: names a bake target, which a single build has none of`);
  return [name, REMOTE_CONTEXT.test(value) ? { ref: value } : { dir: path.resolve(cwd, value) }];
}

/**
 * buildx --ssh "default" (the agent of SSH_AUTH_SOCK), "ID" or "ID=SOCKET". buildx also takes key
 * files here; we forward agents only, and preflight says how to load a key into one.
 */
export function parseSshSpec(s: string, env: NodeJS.ProcessEnv, cwd: string): SshSpec {
  const i = s.indexOf('=');
  const id = (i < 0 ? s : s.slice(0, i)).trim();
  if (!id || /[\s,]/.test(id)) throw new UsageError(`invalid --ssh "${s}": expected default, ID or ID=SOCKET`);
  const value = i < 0 ? '' : s.slice(i + 1);
  if (value.includes(',')) throw new UsageError(`--ssh ${id}: key files are not forwarded, only an agent: load the keys with ssh-add and give --ssh ${id}`);
  if (value) return { id, socket: path.resolve(cwd, value) };
  const sock = env.SSH_AUTH_SOCK;
  if (!sock) throw new UsageError(`--ssh ${id}: SSH_AUTH_SOCK is not set: start an agent (eval "$(ssh-agent)" && ssh-add) or give its socket, --ssh ${id}=SOCKET`);
  return { id, socket: path.resolve(cwd, sock) };
}
