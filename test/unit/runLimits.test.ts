import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCommand, type BuildCommand } from '../../src/cli/args';
import { solveRequest } from '../../src/buildkit/solveRequest';
import { parseAllow, parseAttest, parseShmSize, parseUlimit, provenanceAttr } from '../../src/buildkit/runLimits';

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
  assert.equal(provenanceAttr('true'), 'mode=min');
  assert.equal(provenanceAttr('mode=max'), 'mode=max');
  assert.equal(provenanceAttr('false'), undefined);
  assert.throws(() => provenanceAttr('maybe'), /invalid --provenance/);
  assert.deepEqual(parseAttest('type=sbom,generator=img'), ['attest:sbom', 'generator=img']);
  assert.throws(() => parseAttest('type=vex'), /expected type=provenance or type=sbom/);

  const cmd = (args: string[]) => parseCommand(['build', ...args, '.'], {}, '/w') as BuildCommand;
  const o = cmd(['--shm-size', '128m', '--ulimit', 'nofile=1:2', '--ulimit', 'nproc=3', '--allow', 'security.insecure', '--network', 'host', '--attest', 'type=provenance,mode=min', '--provenance', 'mode=max']).options;
  const req = solveRequest('r', 's', o, { containerdStore: true });
  assert.equal(req.FrontendAttrs['shm-size'], String(128 * 1024 * 1024));
  assert.equal(req.FrontendAttrs.ulimit, 'nofile=1:2,nproc=3:3');
  assert.equal(req.FrontendAttrs['attest:provenance'], 'mode=max', '--provenance wins over --attest');
  assert.deepEqual(req.Entitlements, ['network.host', 'security.insecure']);
  const off = solveRequest('r', 's', cmd(['--attest', 'type=provenance', '--provenance', 'false']).options, { containerdStore: true });
  assert.equal('attest:provenance' in off.FrontendAttrs, false);
  const plain = solveRequest('r', 's', cmd([]).options, { containerdStore: true });
  assert.deepEqual([plain.FrontendAttrs['shm-size'], plain.FrontendAttrs.ulimit, plain.Entitlements], [undefined, undefined, []]);
});
