// The public contract of a build, shared by the CLI and the extension.
import type { StatusResponse } from '../progress/wire';

export type NetworkMode = 'default' | 'none' | 'host';

export interface SecretSpec {
  id: string;
  /** exactly one of src / env */
  src?: string;
  env?: string;
}

/** An OCI image layout folder, served as a content store (oci-layout://DIR[:TAG][@DIGEST]) */
export interface OciLayoutRef {
  dir: string;
  tag?: string;
  /** filled in from index.json by the tag before the build when not given */
  digest?: string;
}

/** --build-context NAME=VALUE: a local directory or an OCI layout sent through the session, or a source the frontend resolves itself */
export type NamedContext = { dir: string } | { ref: string } | { ociLayout: OciLayoutRef };

/** --ssh ID[=SOCKET]: an SSH agent the build may use through RUN --mount=type=ssh,id=ID */
export interface SshSpec {
  id: string;
  /** absolute path of the agent's socket */
  socket: string;
}

/** --cache-from / --cache-to: a cache backend and its attributes (ref, mode, …) */
export interface CacheEntry {
  type: string;
  attrs: Record<string, string>;
}

export interface BuildOptions {
  /** absolute path of the build context directory */
  contextDir: string;
  /** absolute path of the Dockerfile */
  dockerfile: string;
  tags: string[];
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** e.g. ['linux/amd64']; empty = engine default */
  platforms: string[];
  noCache: boolean;
  network: NetworkMode;
  secrets: SecretSpec[];
  /** host=ip entries for add-hosts */
  addHosts: string[];
  /** where the result goes (buildx -o); unset = the engine's image store, or nothing on a buildkitd */
  outputs?: ExportSpec[];
  /** --pull: look up every base image in its registry, even when the engine has it */
  pull?: boolean;
  /** --no-cache-filter: stages built without the cache (noCache covers all of them) */
  noCacheStages?: string[];
  /** --build-context: what `FROM name` and `COPY --from=name` resolve to, by name */
  namedContexts?: Record<string, NamedContext>;
  /** --ssh: agents forwarded to RUN --mount=type=ssh (served only when given) */
  ssh?: SshSpec[];
  /**
   * The context as an archive (a tarball from stdin), which the engine pulls through the session's
   * Upload service and unpacks itself; the Dockerfile is `dockerfile`'s path inside it, and
   * contextDir an empty folder.
   */
  contextArchive?: Buffer;
  /**
   * The context as a URL the engine fetches itself (a Git repository, an HTTP tarball); contextDir
   * is unused, and a relative dockerfile is its path there.
   */
  contextUrl?: string;
  /** --shm-size in bytes */
  shmSize?: number;
  /** --ulimit entries, "nofile=1024:2048" */
  ulimits?: string[];
  /** --allow: entitlements beyond what --network host implies (security.insecure) */
  allow?: string[];
  /** attestations by attribute key ("attest:provenance" → "mode=max"); the containerd store only */
  attest?: Record<string, string>;
  /**
   * --provenance=false or BUILDX_NO_DEFAULT_ATTESTATIONS: no provenance unless `attest` asks for it.
   * Otherwise, as with buildx, the containerd store and a buildkitd attach a minimal one to images.
   */
  noDefaultProvenance?: boolean;
  /** --annotation, as exporter attributes ("annotation-manifest.KEY" → value); the containerd store only */
  annotations?: Record<string, string>;
  /** --cgroup-parent: the parent cgroup of every RUN */
  cgroupParent?: string;
  /** --cache-from: caches the engine may reuse steps from */
  cacheFrom?: CacheEntry[];
  /** --cache-to: where the engine exports this build's cache */
  cacheTo?: CacheEntry[];
}

export interface ExportSpec {
  /** moby, image, oci, docker, local, tar, cacheonly */
  type: string;
  attrs: Record<string, string>;
}

/** A Dockerfile location an error or warning points at (lines are 1-based). */
export interface SourceLocation {
  filename: string;
  language: string;
  /** the file's text as the engine saw it, when it sent it */
  data?: string;
  ranges: { startLine: number; endLine: number; startCharacter: number; endCharacter: number }[];
}

export interface BuildError {
  /** one line, for humans */
  message: string;
  /** gRPC status code (1 = canceled) */
  code: number;
  sources: SourceLocation[];
  /** digest of the failing vertex, when the engine named it */
  vertex?: string;
  /** ours, not the engine's solve: a check before the build or the push after it (buildx says no "failed to solve") */
  local?: true;
}

export interface BuildResult {
  ref: string;
  ok: boolean;
  canceled: boolean;
  exporterResponse: Record<string, string>;
  error?: BuildError;
  durationMs: number;
}

export interface BuildHandle {
  ref: string;
  /** resolves once the build and all its streams ended; never rejects */
  done: Promise<BuildResult>;
  cancel(): void;
}

export type StatusListener = (status: StatusResponse) => void;
