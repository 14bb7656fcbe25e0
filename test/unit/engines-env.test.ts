import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildxPath, dockerCliEnv, dockerConfigDir, parseTestEngines, testEngines } from '../support/engines';

const D20 = 'unix:///tmp/bkl-engines/d20/docker.sock';
const D26C = 'unix:///tmp/bkl-engines/d26c/docker.sock';

test('no BKL_TEST_ENGINES means no engines', () => {
  assert.deepEqual(testEngines({}), []);
  assert.deepEqual(testEngines({ BKL_TEST_ENGINES: '' }), []);
  assert.deepEqual(testEngines({ BKL_TEST_ENGINES: ' , ' }), []);
});

test('engines keep their order and get their BuildKit version and image store', () => {
  const engines = testEngines({ BKL_TEST_ENGINES: `d26c=${D26C}, d20=${D20}` });
  assert.deepEqual(engines, [
    { name: 'd26c', host: D26C, buildkit: '0.13', containerdStore: true },
    { name: 'd20', host: D20, buildkit: '0.8', containerdStore: false },
  ]);
});

test('the exact line env.sh prints parses to all three engines', () => {
  const spec = 'd20=unix:///tmp/bkl-engines/d20/docker.sock,d26=unix:///tmp/bkl-engines/d26/docker.sock,' +
    'd26c=unix:///tmp/bkl-engines/d26c/docker.sock';
  const engines = parseTestEngines(spec);
  assert.deepEqual(engines.map((e) => e.name), ['d20', 'd26', 'd26c']);
  assert.equal(engines[1].host, 'unix:///tmp/bkl-engines/d26/docker.sock');
  assert.equal(engines[1].containerdStore, false);
  assert.equal(engines[1].buildkit, '0.13');
});

test('malformed lists fail with a one-line message naming the problem', () => {
  assert.throws(() => parseTestEngines(`d99=${D20}`), /unknown engine "d99"/);
  assert.throws(() => parseTestEngines('d20'), /engine d20 needs an address/);
  assert.throws(() => parseTestEngines('d20=/tmp/docker.sock'), /engine d20 needs an address/);
  assert.throws(() => parseTestEngines(`d20=${D20},d20=${D20}`), /listed twice/);
  assert.throws(() => parseTestEngines('toString=unix:///x'), /unknown engine "toString"/);
});

test('dockerConfigDir reads DOCKER_CONFIG and treats empty as unset', () => {
  assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/c' }), '/c');
  assert.equal(dockerConfigDir({ DOCKER_CONFIG: '' }), undefined);
  assert.equal(dockerConfigDir({}), undefined);
});

test('buildxPath prefers BKL_BUILDX, falls back to the plugin in DOCKER_CONFIG, and only when it exists', () => {
  const all = () => true;
  assert.equal(buildxPath({ BKL_BUILDX: '/b/buildx', DOCKER_CONFIG: '/c' }, all), '/b/buildx');
  assert.equal(buildxPath({ DOCKER_CONFIG: '/c' }, all), '/c/cli-plugins/docker-buildx');
  assert.equal(buildxPath({}, all), undefined);
  assert.equal(buildxPath({ DOCKER_CONFIG: '/c' }, () => false), undefined);
  const seen: string[] = [];
  buildxPath({ BKL_BUILDX: '/b/buildx' }, (p) => (seen.push(p), false));
  assert.deepEqual(seen, ['/b/buildx']);
});

test('dockerCliEnv aims the CLI at the engine with the private config', () => {
  const [engine] = parseTestEngines(`d20=${D20}`);
  const env = dockerCliEnv(engine, { PATH: '/bin', DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CONFIG: '/c' });
  assert.deepEqual(env, { PATH: '/bin', DOCKER_HOST: D20, DOCKER_CONFIG: '/c' });
  assert.equal(dockerCliEnv(engine, {}).DOCKER_CONFIG, undefined);
});
