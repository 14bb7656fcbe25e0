// Which real Docker engines the integration tests may use, read from the environment that
// `eval "$(scripts/engines/env.sh)"` sets up. No engines configured means an empty list, so
// engine tests can skip cleanly on machines without them.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type EngineName = 'd20' | 'd26' | 'd26c';

export interface TestEngine {
  name: EngineName;
  /** Docker host address, e.g. unix:///tmp/bkl-engines/d26/docker.sock */
  host: string;
  /** Major.minor of the BuildKit embedded in that engine. */
  buildkit: string;
  /** True when the engine keeps images in containerd (multi-platform builds work there). */
  containerdStore: boolean;
}

type Env = Record<string, string | undefined>;

// What each engine name stands for; see scripts/engines/start.sh.
const KNOWN: Record<EngineName, Pick<TestEngine, 'buildkit' | 'containerdStore'>> = {
  d20: { buildkit: '0.8', containerdStore: false },
  d26: { buildkit: '0.13', containerdStore: false },
  d26c: { buildkit: '0.13', containerdStore: true },
};

function isEngineName(s: string): s is EngineName {
  return Object.prototype.hasOwnProperty.call(KNOWN, s);
}

/** Parses `d20=unix://...,d26=unix://...`; throws a one-line error on anything malformed. */
export function parseTestEngines(spec: string): TestEngine[] {
  const engines: TestEngine[] = [];
  for (const item of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq).trim();
    const host = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (!isEngineName(name)) {
      throw new Error(`BKL_TEST_ENGINES: unknown engine "${name}" (expected d20, d26 or d26c)`);
    }
    if (!/^[a-z]+:\/\/./.test(host)) {
      throw new Error(`BKL_TEST_ENGINES: engine ${name} needs an address like unix:///path/docker.sock, got "${host}"`);
    }
    if (engines.some((e) => e.name === name)) {
      throw new Error(`BKL_TEST_ENGINES: engine ${name} is listed twice`);
    }
    engines.push({ name, host, ...KNOWN[name] });
  }
  return engines;
}

/** The engines named in BKL_TEST_ENGINES, in the order given; empty when unset. */
export function testEngines(env: Env = process.env): TestEngine[] {
  return parseTestEngines(env.BKL_TEST_ENGINES ?? '');
}

/** The private Docker client config holding the buildx plugin (DOCKER_CONFIG), if set. */
export function dockerConfigDir(env: Env = process.env): string | undefined {
  return env.DOCKER_CONFIG || undefined;
}

/** The buildx binary to compare against (BKL_BUILDX, else the plugin in DOCKER_CONFIG), if present. */
export function buildxPath(env: Env = process.env, exists: (p: string) => boolean = fs.existsSync): string | undefined {
  const configDir = dockerConfigDir(env);
  const candidate = env.BKL_BUILDX || (configDir ? path.join(configDir, 'cli-plugins', 'docker-buildx') : undefined);
  return candidate && exists(candidate) ? candidate : undefined;
}

/** Environment for a `docker buildx ...` child process aimed at one engine. */
export function dockerCliEnv(engine: TestEngine, env: Env = process.env): Env {
  const out: Env = { ...env, DOCKER_HOST: engine.host };
  const configDir = dockerConfigDir(env);
  if (configDir) out.DOCKER_CONFIG = configDir;
  return out;
}
