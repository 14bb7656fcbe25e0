// Self-test of the e2e harness through its real entry point (out/test/e2e/run.js) with the
// fixture extension: one run that must pass, one with deliberate failures that must fail.
// Needs the VS Code server (scripts/setup/vscode.sh); takes about a minute.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot, resultsDir } from '../harness/paths';
import { tempDir } from '../../support/tmp';

const fixture = path.join(repoRoot, 'test', 'e2e', 'harness', 'fixture-ext');
const smokeOut = path.join(repoRoot, 'out', 'test', 'e2e', 'smoke');

function runE2E(args: string[]): { code: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'out', 'test', 'e2e', 'run.js'), '--extension', fixture, ...args], {
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  return { code: r.status, lines: r.stdout.trimEnd().split('\n') };
}

function serverPort(lines: string[]): number {
  const m = lines.map((l) => /VS Code server ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(l)).find((x) => x);
  assert.ok(m, 'no "server ready" line');
  return Number(m[1]);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

test('a passing extension-host suite and passing UI specs: exit 0 and exact counts', async () => {
  const { code, lines } = runE2E(['--suite', path.join(fixture, 'suite', 'index.js'), '--ui-dir', path.join(smokeOut, 'ui')]);
  const out = lines.join('\n');
  assert.equal(code, 0, out);
  // 3 Mocha tests in the extension host + 2 webview tests + 2 workspace-trust tests.
  assert.equal(lines.at(-1), '7 passed, 0 failed', out);
  assert.match(out, /✔ the extension under development is loaded and activates/);
  assert.match(out, /extension-host suite exited with 0/);
  assert.equal(await listening(serverPort(lines)), false, 'server still listening after the run');
});

test('deliberate failures in the suite and in specs: exit 1, counted, screenshots saved', async () => {
  const shots = path.join(resultsDir, 'screenshots');
  fs.rmSync(shots, { recursive: true, force: true });
  const { code, lines } = runE2E(['--suite', path.join(fixture, 'suite', 'failing.js'), '--ui-dir', path.join(smokeOut, 'ui-failing')]);
  const out = lines.join('\n');
  assert.equal(code, 1, out);
  // Suite: 1 passing + 1 failing. broken.spec: 1 failure. failing.spec: 1 pass, 2 failures.
  assert.equal(lines.at(-1), '2 passed, 4 failed', out);
  assert.match(out, /extension-host suite exited with 1/);
  assert.match(out, /✔ failing › still runs after a failure/);
  assert.match(out, /test "times out on purpose" timed out after 500 ms/);
  assert.match(out, /✘ broken \(spec\): spec set-up failed on purpose/);
  assert.ok(fs.existsSync(path.join(shots, 'FAIL-failing_fails_on_purpose.png')));
  assert.equal(await listening(serverPort(lines)), false, 'server still listening after the run');
});

test('a suite that never finishes times out, fails the run and leaves no server behind', async () => {
  const started = Date.now();
  const { code, lines } = runE2E(['--suite', path.join(fixture, 'suite', 'hanging.js'), '--only', 'ext', '--suite-timeout', '20000']);
  const out = lines.join('\n');
  assert.equal(code, 1, out);
  assert.match(out, /the extension-host test run \(20 s in all\) timed out/);
  assert.equal(lines.at(-1), '0 passed, 1 failed', out);
  assert.ok(Date.now() - started < 60_000, 'the run took far longer than its suite timeout');
  assert.equal(await listening(serverPort(lines)), false, 'server still listening after the run');
});

test('an unbuilt extension fails fast with a clear message, without starting a server', () => {
  const ext = tempDir('bkl-unbuilt-');
  fs.writeFileSync(path.join(ext, 'package.json'), JSON.stringify({ name: 'x', main: './dist/extension.js' }));
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'out', 'test', 'e2e', 'run.js'), '--extension', ext], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /dist\/extension\.js is missing: build the extension first/);
  assert.doesNotMatch(r.stdout, /server ready/);
  assert.match(r.stdout, /\n0 passed, 1 failed\n$/);
});
