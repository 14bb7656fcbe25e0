import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCommand, type BuildCommand } from '../../src/cli/args';
import { solveRequest } from '../../src/buildkit/solveRequest';
import { DEFAULT_PROVENANCE, parseAllow, parseAttest, parseShmSize, parseUlimit, attestShorthand } from '../../src/buildkit/runLimits';

test('--shm-size in Docker\'s binary units; --ulimit as TYPE=SOFT:HARD', () => {
  assert.equal(parseShmSize('64m'), 64 * 1024 * 1024);
  assert.equal(parseShmSize('2g'), 2 * 1024 ** 3);
  assert.equal(parseShmSize('1.5k'), 1536);
  assert.equal(parseShmSize('1048576'), 1048576);
  assert.equal(parseShmSize('128MiB'), 128 * 1024 * 1024);
  assert.throws(() => parseShmSize('lots'), /invalid --shm-size "lots"/);
  assert.throws(() => parseShmSize('0'), /more than 0/);
  assert.equal(parseUlimit('nofile=1024:2048'), 'nofile=1024:2048');
  assert.equal(parseUlimit('nproc=512'), 'nproc=512:512');
  assert.equal(parseUlimit('memlock=-1:-1'), 'memlock=-1:-1');
  assert.throws(() => parseUlimit('files=1'), /unknown limit "files"/);
  assert.throws(() => parseUlimit('nofile=2048:1024'), /soft limit is above the hard one/);
  assert.throws(() => parseUlimit('nofile'), /expected TYPE=SOFT\[:HARD\]/);
});

test('--allow, --provenance and --attest into the Solve request as buildx sends them', () => {
  assert.deepEqual(parseAllow('security.insecure,network.host'), ['security.insecure', 'network.host']);
  assert.throws(() => parseAllow('device'), /invalid --allow "device"/);
  assert.equal(attestShorthand('provenance', 'true'), 'type=provenance,disabled=false');
  assert.equal(attestShorthand('provenance', 'mode=max,builder-id=https://ci/b'), 'type=provenance,mode=max,builder-id=https://ci/b');
  assert.equal(attestShorthand('provenance', '0'), 'type=provenance,disabled=true');
  assert.equal(attestShorthand('sbom', ''), undefined);
  assert.deepEqual(parseAttest(attestShorthand('provenance', 'false')!), ['attest:provenance', undefined]);
  assert.deepEqual(parseAttest('type=sbom,generator=img'), ['attest:sbom', 'generator=img']);
  assert.throws(() => parseAttest('type=vex'), /expected type=provenance or type=sbom/);

  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  const o = cmd(['--shm-size', '128m', '--ulimit', 'nofile=1:2', '--ulimit', 'nproc=3', '--allow', 'security.insecure', '--network', 'host', '--provenance', 'mode=max,builder-id=https://ci/b']).options;
  const req = solveRequest('r', 's', o, { containerdStore: true });
  assert.equal(req.FrontendAttrs['shm-size'], String(128 * 1024 * 1024));
  assert.equal(req.FrontendAttrs.ulimit, 'nofile=1:2,nproc=3:3');
  assert.equal(req.FrontendAttrs['attest:provenance'], 'mode=max,builder-id=https://ci/b');
  // as buildx: one say per type, whichever flag gives it
  assert.throws(() => cmd(['--attest', 'type=provenance,mode=min', '--provenance', 'mode=max']), /^UsageError: duplicate attestation field provenance$/);
  assert.throws(() => cmd(['--attest', 'type=sbom', '--sbom', 'true']), /duplicate attestation field sbom/);
  assert.deepEqual(req.Entitlements, ['network.host', 'security.insecure']);
  const off = solveRequest('r', 's', cmd(['--provenance', 'false']).options, { containerdStore: true });
  assert.equal('attest:provenance' in off.FrontendAttrs, false);
  const plain = solveRequest('r', 's', cmd([]).options, { containerdStore: true });
  assert.deepEqual([plain.FrontendAttrs['shm-size'], plain.FrontendAttrs.ulimit, plain.Entitlements], [undefined, undefined, []]);
});

test('buildx\'s default provenance where the engine attaches attestations, unless turned off', () => {
  const cmd = (args: string[], env: NodeJS.ProcessEnv = {}) => (parseCommand(['build', ...args, '.'], env, '/w') as BuildCommand).options;
  const prov = (o: ReturnType<typeof cmd>, traits: { containerdStore: boolean; standalone?: boolean }) =>
    solveRequest('r', 's', o, traits).FrontendAttrs['attest:provenance'];
  assert.equal(DEFAULT_PROVENANCE, 'mode=min,inline-only=true');
  assert.equal(prov(cmd([]), { containerdStore: true }), DEFAULT_PROVENANCE);
  assert.equal(prov(cmd([]), { containerdStore: false, standalone: true }), DEFAULT_PROVENANCE);
  assert.equal(prov(cmd([]), { containerdStore: false }), undefined, 'the classic store has no attestations');
  assert.equal(prov(cmd(['--provenance', 'false']), { containerdStore: true }), undefined);
  assert.equal(prov(cmd(['--attest', 'type=provenance,disabled=true']), { containerdStore: true }), undefined);
  // on, with the frontend's defaults (mode=min), as buildx's "type=provenance,disabled=false" says it
  assert.equal(prov(cmd(['--provenance', 'true']), { containerdStore: true }), '');
  assert.equal(prov(cmd(['--attest', 'type=sbom']), { containerdStore: true }), DEFAULT_PROVENANCE, 'an SBOM alone keeps the default provenance');
  for (const v of ['1', 'true', 'T']) assert.equal(prov(cmd([], { BUILDX_NO_DEFAULT_ATTESTATIONS: v }), { containerdStore: true }), undefined, v);
  for (const v of ['0', 'false']) assert.equal(prov(cmd([], { BUILDX_NO_DEFAULT_ATTESTATIONS: v }), { containerdStore: true }), DEFAULT_PROVENANCE, v);
  assert.equal(prov(cmd(['--provenance', 'mode=max'], { BUILDX_NO_DEFAULT_ATTESTATIONS: '1' }), { containerdStore: true }), 'mode=max');
  assert.throws(() => cmd([], { BUILDX_NO_DEFAULT_ATTESTATIONS: 'yes' }), /invalid BUILDX_NO_DEFAULT_ATTESTATIONS "yes": expected true or false/);
  assert.throws(() => cmd(['--attest', 'type=provenance,disabled=maybe']), /disabled "maybe"/);
  // --sbom as buildx's shorthand for --attest type=sbom
  const sbom = (args: string[]) => solveRequest('r', 's', cmd(args), { containerdStore: true }).FrontendAttrs['attest:sbom'];
  assert.equal(sbom(['--sbom', 'true']), '');
  assert.equal(sbom(['--sbom', 'generator=example/scanner']), 'generator=example/scanner');
  assert.equal(sbom(['--sbom', 'false']), undefined);
  assert.throws(() => sbom(['--attest', 'type=sbom', '--sbom', 'false']), /duplicate attestation field sbom/);
  assert.equal(prov(cmd(['--sbom', 'true']), { containerdStore: true }), DEFAULT_PROVENANCE, 'an SBOM keeps the default provenance');
  assert.throws(() => cmd(['--sbom', 'maybe']), /invalid attestation "type=sbom,maybe": "maybe" is not KEY=VALUE/);
});

test('--cgroup-parent is a frontend attribute', () => {
  const o = (parseCommand(['build', '--cgroup-parent', 'ci.slice', '.'], {}, '/w') as BuildCommand).options;
  assert.equal(solveRequest('r', 's', o, { containerdStore: false }).FrontendAttrs['cgroup-parent'], 'ci.slice');
});
