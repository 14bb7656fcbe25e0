// buildx-compatible flags for `buildkit-lens build` and friends, parsed with node:util.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkTag,
  parseAddHosts,
  parseBuildContext,
  parseKeyValue,
  parseNetwork,
  parsePlatforms,
  parseSecretSpec,
  parseSshSpec,
  UsageError,
} from '../buildkit/options';
import { parseCacheEntry } from '../buildkit/cacheOptions';
import { isGitSsh, isRemoteContext } from '../buildkit/contextSource';
import { pflagForms } from './pflagForms';
import { statKind } from '../buildkit/dockerignore';
import { noDefaultAttestations, parseAllow, parseAttest, parseShmSize, parseUlimit, attestShorthand } from '../buildkit/runLimits';
import { parseAnnotation } from '../buildkit/annotations';
import { parseOutput } from '../buildkit/exporters';
import type { BuildOptions, ExportSpec, NamedContext } from '../buildkit/types';
import { parseHistoryCommand, type HistoryCommand } from './historyArgs';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'rawjson' | 'quiet';

export interface BuildCommand {
  kind: 'build';
  host?: string;
  context?: string;
  progress: ProgressMode;
  metadataFile?: string;
  /** --iidfile: the image id is written there (and the file removed before the build) */
  iidFile?: string;
  /**
   * What standard input holds: the context ("build -": a tarball, or a Dockerfile and no context)
   * or the Dockerfile ("-f -"); stdinInput.ts reads it before the build.
   */
  stdin?: 'context' | 'dockerfile';
  quiet: boolean;
  options: BuildOptions;
}

export interface InfoCommand {
  kind: 'info';
  host?: string;
  context?: string;
  json: boolean;
}

export type Command = BuildCommand | InfoCommand | HistoryCommand | { kind: 'help'; text: string } | { kind: 'version' };

export const USAGE = `Usage: buildkit-lens COMMAND

Build Dockerfiles with the Docker engine's embedded BuildKit, with live progress.

Commands:
  build [OPTIONS] PATH   Build an image from a Dockerfile (flags as for "docker buildx build")
  info [--json]          Show the engine, its BuildKit and its image store
  history ls|attach|compare
                         The engine's recent builds: list, follow one live, compare two

Global options:
  -H, --host HOST        Engine to use (default: DOCKER_HOST, the current docker context, /var/run/docker.sock)
      --context NAME     Docker context to use
`;

export const BUILD_USAGE = `Usage: buildkit-lens build [OPTIONS] PATH | URL | -

The context: a folder; a Git repository (https://host/repo.git#ref:subdir, git@host:repo) or an
HTTP(S) tarball, which the engine fetches; or - for a tarball or a Dockerfile on standard input.

Options:
      --add-host HOST:IP       Add a custom host-to-IP mapping (IP may be [IPv6] or host-gateway)
      --allow ENTITLEMENT      Allow network.host or security.insecure (RUN --security=insecure)
      --annotation [TYPE:]K=V  Add an OCI annotation to the image (containerd store); TYPE: manifest, index, …
      --attest SPEC            Add an attestation: type=provenance[,mode=max] or type=sbom (containerd store)
      --build-arg KEY=VALUE    Set a build-time variable
      --cache-from SPEC        Reuse cache from type=registry,ref=REF (or just REF), type=local,src=DIR, gha, s3, azblob
      --cache-to SPEC          Export the build cache: type=inline, type=registry,ref=REF[,mode=max], type=local,dest=DIR, …
      --build-context NAME=SRC Add a named context: a directory, docker-image://REF, oci-layout://DIR or a URL
      --cgroup-parent CGROUP   Parent cgroup for the RUN instructions
  -f, --file FILE              Name of the Dockerfile (default: PATH/Dockerfile; - reads standard input; with a URL, a relative FILE is inside it)
      --iidfile FILE           Write the image ID to FILE
      --label KEY=VALUE        Set metadata for the image
      --load                   Put the image in the engine's store (what a build does with no --output)
      --metadata-file FILE     Write the build result metadata to FILE
      --network MODE           Networking mode for RUN: default, none or host
      --no-cache               Do not use cache when building the image
      --no-cache-filter STAGE  Do not use cache for the given stage(s)
  -o, --output SPEC            Where the result goes: type=local,dest=DIR (or just DIR),
                               type=tar,dest=FILE (- or just "-": standard output),
                               type=image,name=NAME,push=true; default: the engine's image store
      --platform LIST          Target platforms, e.g. linux/amd64,linux/arm64 ("local": this machine's)
      --progress MODE          auto, tty, plain, rawjson or quiet (default auto)
      --provenance VALUE       Provenance attestation: true, false, or options (mode=max,builder-id=URL) (containerd store;
                               default mode=min there, as buildx; BUILDX_NO_DEFAULT_ATTESTATIONS=1 turns it off)
      --pull                   Always look for newer versions of the base images
      --push                   Push the image to its registry (-o type=registry)
  -q, --quiet                  Print only the image id
      --sbom VALUE             SBOM attestation: true, false or generator=IMAGE (containerd store; the engine
                               pulls the scanner image)
      --secret SPEC            id=ID,src=FILE or id=ID,env=VAR (id=ID alone: $ID if set, else the file ID)
      --shm-size SIZE          Size of /dev/shm for RUN, e.g. 128m
      --ssh ID[=SOCKET]        Forward an SSH agent to RUN --mount=type=ssh (default: SSH_AUTH_SOCK)
  -t, --tag NAME:TAG           Name and tag the image
      --target STAGE           Build the given stage
      --ulimit TYPE=SOFT[:HARD] Resource limit for RUN, e.g. nofile=1024:2048
  -H, --host HOST              Engine to use
`;

const PROGRESS: ProgressMode[] = ['auto', 'tty', 'plain', 'rawjson', 'quiet'];

function parseOrUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof UsageError) throw err;
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(err.message.split('\n')[0]);
    throw err;
  }
}

/**
 * -f: a local file, resolved from cwd. With a context the engine fetches (stdin, a URL) a relative
 * -f names a file inside it, as with buildx; "-f -" gets its file when stdin is read.
 */
function dockerfileOption(file: string | undefined, cwd: string, fetched: boolean, contextDir: string): string {
  if (file === '-') return '';
  // -f "" (an unset CI variable) is the default, as buildx takes it
  if (file === '') file = undefined;
  if (fetched) return file ?? 'Dockerfile';
  return file !== undefined ? path.resolve(cwd, file) : defaultDockerfile(contextDir);
}

function defaultDockerfile(contextDir: string): string {
  const upper = path.join(contextDir, 'Dockerfile');
  if (!fs.existsSync(upper) && fs.existsSync(path.join(contextDir, 'dockerfile'))) return path.join(contextDir, 'dockerfile');
  return upper;
}

const BUILD_OPTIONS = {
  file: { type: 'string', short: 'f' },
  tag: { type: 'string', short: 't', multiple: true },
  target: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  'build-context': { type: 'string', multiple: true },
  'cache-from': { type: 'string', multiple: true },
  'cache-to': { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  platform: { type: 'string', multiple: true },
  'no-cache': { type: 'boolean' },
  'no-cache-filter': { type: 'string', multiple: true },
  pull: { type: 'boolean' },
  push: { type: 'boolean' },
  iidfile: { type: 'string' },
  network: { type: 'string' },
  secret: { type: 'string', multiple: true },
  ssh: { type: 'string', multiple: true },
  'add-host': { type: 'string', multiple: true },
  allow: { type: 'string', multiple: true },
  attest: { type: 'string', multiple: true },
  annotation: { type: 'string', multiple: true },
  'cgroup-parent': { type: 'string' },
  provenance: { type: 'string' },
  sbom: { type: 'string' },
  'shm-size': { type: 'string' },
  ulimit: { type: 'string', multiple: true },
  progress: { type: 'string' },
  'metadata-file': { type: 'string' },
  output: { type: 'string', short: 'o', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  host: { type: 'string', short: 'H' },
  context: { type: 'string' },
  load: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Command {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') return { kind: 'help', text: USAGE };
  if (cmd === '--version' || cmd === 'version') return { kind: 'version' };
  if (cmd === 'info') {
    const { values } = parseOrUsage(() =>
      parseArgs({ args: rest, options: { host: { type: 'string', short: 'H' }, context: { type: 'string' }, json: { type: 'boolean' } }, strict: true }),
    );
    return { kind: 'info', host: values.host, context: values.context, json: !!values.json };
  }
  if (cmd === 'history') return parseHistoryCommand(rest, parseOrUsage);
  if (cmd !== 'build') throw new UsageError(`unknown command "${cmd}" (try "buildkit-lens --help")`);

  const { values, positionals } = parseOrUsage(() => parseArgs({ args: pflagForms(rest, BUILD_OPTIONS), allowPositionals: true, strict: true, options: BUILD_OPTIONS }));
  if (values.help) return { kind: 'help', text: BUILD_USAGE };
  if (positionals.length !== 1) {
    throw new UsageError(`"buildkit-lens build" requires exactly 1 argument (the context PATH), got ${positionals.length}`);
  }
  // an unset CI variable: buildx refuses it rather than build the current folder
  if (positionals[0] === '') throw new UsageError('please specify build context (e.g. "." for the current directory)');
  const stdinContext = positionals[0] === '-';
  if (stdinContext && values.file === '-') throw new UsageError('standard input cannot be both the context ("-") and the Dockerfile ("-f -")');
  // as buildx: a folder that exists is the context, even one named like a URL
  const contextUrl = !stdinContext && statKind(path.resolve(cwd, positionals[0])) === 'missing' && isRemoteContext(positionals[0]) ? positionals[0] : undefined;
  // a context from stdin gets its folder when it is read (stdinInput.ts); a URL has none
  const contextDir = stdinContext || contextUrl ? '' : path.resolve(cwd, positionals[0]);
  const progress = (values.progress ?? 'auto') as ProgressMode;
  if (!PROGRESS.includes(progress)) throw new UsageError(`invalid --progress "${values.progress}": expected ${PROGRESS.join(', ')}`);
  const buildArgs: Record<string, string> = {};
  for (const a of values['build-arg'] ?? []) {
    const [k, v] = parseKeyValue(a, '--build-arg', env);
    if (v !== undefined) buildArgs[k] = v;
  }
  const labels: Record<string, string> = {};
  for (const a of values.label ?? []) {
    // as buildx: a bare "--label K" is an empty label
    const [k, v] = parseKeyValue(a.includes('=') ? a : `${a}=`, '--label');
    labels[k] = v;
  }
  const namedContexts: Record<string, NamedContext> = {};
  for (const a of values['build-context'] ?? []) {
    const [name, c] = parseBuildContext(a, cwd);
    if (Object.hasOwn(namedContexts, name)) throw new UsageError(`--build-context "${name}" is given twice`);
    namedContexts[name] = c;
  }
  const secrets = (values.secret ?? []).map((s) => parseSecretSpec(s, env));
  const seen = new Set<string>();
  for (const s of secrets) {
    if (seen.has(s.id)) throw new UsageError(`duplicate --secret id "${s.id}"`);
    seen.add(s.id);
  }
  const attest: Record<string, string> = {};
  let noDefaultProvenance = noDefaultAttestations(env);
  const setAttest = (k: string, v: string | undefined) => {
    if (v !== undefined) attest[k] = v;
    else delete attest[k];
    // asked for, or turned off: either way no default
    if (k === 'attest:provenance') noDefaultProvenance = true;
  };
  const attests = [...(values.attest ?? []), attestShorthand('provenance', values.provenance ?? ''), attestShorthand('sbom', values.sbom ?? '')];
  const attestTypes = new Set<string>();
  for (const a of attests) {
    if (a === undefined) continue;
    const [k, v] = parseAttest(a);
    // as buildx: one say per attestation type, whichever flag gives it
    if (attestTypes.has(k)) throw new UsageError(`duplicate attestation field ${k.slice('attest:'.length)}`);
    attestTypes.add(k);
    setAttest(k, v);
  }
  const annotations: Record<string, string> = {};
  for (const a of values.annotation ?? []) {
    const [k, v] = parseAnnotation(a);
    annotations[k] = v;
  }
  const allow = (values.allow ?? []).flatMap(parseAllow);
  const ulimits = (values.ulimit ?? []).map(parseUlimit);
  const cacheFrom = (values['cache-from'] ?? []).map((v) => parseCacheEntry(v, '--cache-from', env, cwd));
  const cacheTo = (values['cache-to'] ?? []).map((v) => parseCacheEntry(v, '--cache-to', env, cwd));
  const ssh = (values.ssh ?? []).map((v) => parseSshSpec(v, env, cwd));
  // as buildx: a Git context over SSH gets the default agent, for the engine's git to log in with
  if (!ssh.length && contextUrl && isGitSsh(contextUrl)) {
    if (!env.SSH_AUTH_SOCK) throw new UsageError(`the context ${contextUrl} is fetched over SSH, which needs an agent, and SSH_AUTH_SOCK is not set: start one (eval "$(ssh-agent)" && ssh-add) or give --ssh default=SOCKET`);
    ssh.push(parseSshSpec('default', env, cwd));
  }
  for (const [i, a] of ssh.entries()) if (ssh.findIndex((b) => b.id === a.id) !== i) throw new UsageError(`duplicate --ssh id "${a.id}"`);
  const outputs = (values.output ?? []).map((spec) => resolveDest(parseOutputFlag(spec), cwd));
  // as buildx: --push is one more output (type=registry) unless an image output takes it; --load one
  // more into the engine's store (type=docker) unless an output already goes there. Several outputs
  // need BuildKit 0.13 (preflight.ts).
  const images = outputs.filter((o) => o.type === 'image');
  if (values.push && images.length) for (const o of images) o.attrs.push = 'true';
  else if (values.push) outputs.push({ type: 'image', attrs: { push: 'true' } });
  // (an image output, pushed or not, goes through the engine's store on a Docker engine: exporters.ts)
  if (values.load && outputs.length && !outputs.some((o) => o.type === 'moby' || o.type === 'image')) outputs.push({ type: 'moby', attrs: {} });
  // as buildx: these write no image, so there is no id to write
  if (values.iidfile && outputs.some((o) => o.type === 'local' || o.type === 'tar')) throw new UsageError('local and tar exporters are incompatible with image ID file (--iidfile)');
  // as buildx: -q is quiet progress, and any other mode beside it is a contradiction
  if (values.quiet && progress !== 'auto' && progress !== 'quiet') throw new UsageError(`progress=${progress} and quiet cannot be used together`);
  // repeated or comma-separated, as buildx takes it
  const noCacheStages = (values['no-cache-filter'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return {
    kind: 'build',
    host: values.host,
    context: values.context,
    progress: values.quiet ? 'quiet' : progress,
    quiet: !!values.quiet,
    metadataFile: values['metadata-file'] ? path.resolve(cwd, values['metadata-file']) : undefined,
    iidFile: values.iidfile ? path.resolve(cwd, values.iidfile) : undefined,
    ...(stdinContext ? { stdin: 'context' as const } : values.file === '-' ? { stdin: 'dockerfile' as const } : {}),
    options: {
      contextDir,
      ...(contextUrl ? { contextUrl } : {}),
      dockerfile: dockerfileOption(values.file, cwd, stdinContext || !!contextUrl, contextDir),
      tags: (values.tag ?? []).map(checkTag),
      target: values.target,
      buildArgs,
      labels,
      platforms: (values.platform ?? []).flatMap(parsePlatforms),
      noCache: !!values['no-cache'],
      network: values.network ? parseNetwork(values.network) : 'default',
      secrets,
      addHosts: (values['add-host'] ?? []).flatMap(parseAddHosts),
      ...(outputs.length ? { outputs } : {}),
      ...(values.pull ? { pull: true } : {}),
      ...(noCacheStages.length ? { noCacheStages } : {}),
      ...(Object.keys(namedContexts).length ? { namedContexts } : {}),
      ...(ssh.length ? { ssh } : {}),
      ...(cacheFrom.length ? { cacheFrom } : {}),
      ...(cacheTo.length ? { cacheTo } : {}),
      ...(values['shm-size'] ? { shmSize: parseShmSize(values['shm-size']) } : {}),
      ...(ulimits.length ? { ulimits } : {}),
      ...(allow.length ? { allow } : {}),
      ...(Object.keys(attest).length ? { attest } : {}),
      ...(noDefaultProvenance ? { noDefaultProvenance } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(values['cgroup-parent'] ? { cgroupParent: values['cgroup-parent'] } : {}),
    },
  };
}

function parseOutputFlag(spec: string): ExportSpec {
  try {
    return parseOutput(spec);
  } catch (e) {
    throw new UsageError(`--output: ${(e as Error).message}`);
  }
}

/** A relative dest is the caller's: resolved against the working directory the flag was given in. */
function resolveDest(o: ExportSpec, cwd: string): ExportSpec {
  const dest = o.attrs.dest;
  return dest && dest !== '-' ? { ...o, attrs: { ...o.attrs, dest: path.resolve(cwd, dest) } } : o;
}
