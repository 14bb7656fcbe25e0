// The CLI's command (src/cli/buildkit-lens.sh → dist/buildkit-lens): finds cli.js through npm's links,
// passes arguments as given, and hands NODE_EXTRA_CA_CERTS over instead of letting Node load it at
// start-up; the CLI then trusts that file for TLS connections without a CA of their own.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { test } from 'node:test';
import { HANDED_OVER_CA, restoreForChildren, withHandedOverCa } from '../../src/engine/launcherCa';
import { runCli } from '../support/cli';
import { tempDir } from '../support/tmp';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'src', 'cli', 'buildkit-lens.sh');

/** The command installed the way npm links a bin, with a `node` on PATH that reports what it was given. */
interface Installed {
  cliJs: string;
  /** runs the command by its path, or with `sh NAME` from its folder (no slash in $0) */
  run(args: string[], env: NodeJS.ProcessEnv, bySh?: boolean): { argv: string[]; env: Record<string, string> };
}

function installed(): Installed {
  const root = tempDir('bkl-command-');
  const dist = path.join(root, 'lib', 'node_modules', 'buildkit-lens', 'dist');
  fs.mkdirSync(dist, { recursive: true });
  fs.copyFileSync(SCRIPT, path.join(dist, 'buildkit-lens'));
  fs.chmodSync(path.join(dist, 'buildkit-lens'), 0o755);
  fs.mkdirSync(path.join(root, 'bin'));
  // npm's links are relative; a second link on top, as a user's ~/bin might add
  fs.symlinkSync('../lib/node_modules/buildkit-lens/dist/buildkit-lens', path.join(root, 'bin', 'buildkit-lens'));
  fs.symlinkSync(path.join(root, 'bin', 'buildkit-lens'), path.join(root, 'bkl-abs'));
  fs.symlinkSync('bin/buildkit-lens', path.join(root, 'bkl'));
  const fake = path.join(root, 'fake-node');
  fs.mkdirSync(fake);
  const report = path.join(root, 'report.json');
  fs.writeFileSync(
    path.join(fake, 'node'),
    `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }));\n`,
    { mode: 0o755 },
  );
  return {
    cliJs: path.join(dist, 'cli.js'),
    run(args, env, bySh = false) {
      const options = { cwd: root, env: { PATH: `${fake}:/usr/bin:/bin`, ...env } };
      if (bySh) execFileSync('sh', ['bkl', ...args], options);
      else execFileSync(path.join(root, 'bkl-abs'), args, options);
      const seen = JSON.parse(fs.readFileSync(report, 'utf8'));
      // `sh bkl` from its folder passes a path relative to it
      seen.argv[0] = path.resolve(root, seen.argv[0]);
      return seen;
    },
  };
}

test('the command runs cli.js beside it through npm-style links, with its arguments as given', () => {
  const cmd = installed();
  const args = ['build', '--label', 'a b=c d', '*', '', "it's"];
  const seen = cmd.run(args, {});
  assert.equal(fs.realpathSync(path.dirname(seen.argv[0])), fs.realpathSync(path.dirname(cmd.cliJs)));
  assert.equal(path.basename(seen.argv[0]), 'cli.js');
  assert.deepEqual(seen.argv.slice(1), args);
  const bySh = cmd.run(['--version'], {}, true);
  assert.equal(fs.realpathSync(path.dirname(bySh.argv[0])), fs.realpathSync(path.dirname(cmd.cliJs)));
  assert.equal(seen.env.NODE_EXTRA_CA_CERTS, undefined);
  assert.equal(seen.env[HANDED_OVER_CA], undefined);
});

test('the command hands NODE_EXTRA_CA_CERTS over under its own name', () => {
  const seen = installed().run(['info'], { NODE_EXTRA_CA_CERTS: '/etc/corp/ca.pem' });
  assert.equal(seen.env.NODE_EXTRA_CA_CERTS, undefined, 'Node does not load it at start-up');
  assert.equal(seen.env[HANDED_OVER_CA], '/etc/corp/ca.pem');
});

test('the real command runs the CLI, and programs it starts see NODE_EXTRA_CA_CERTS again', async () => {
  const run = await runCli(['--version'], { viaCommand: true, env: { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^buildkit-lens \d/);
  assert.equal(run.stderr, '', 'a missing file is only reported when a TLS connection would use it');
  const env: NodeJS.ProcessEnv = { [HANDED_OVER_CA]: '/etc/corp/ca.pem' };
  restoreForChildren(env);
  assert.equal(env.NODE_EXTRA_CA_CERTS, '/etc/corp/ca.pem');
});

test('TLS without a CA of its own trusts Node roots plus the handed-over file; a CA of its own is kept', () => {
  const dir = tempDir('bkl-extra-ca-');
  const file = path.join(dir, 'corp.pem');
  const corp = '-----BEGIN CERTIFICATE-----\nMIIBcorp\n-----END CERTIFICATE-----\n';
  fs.writeFileSync(file, corp);
  const env = { [HANDED_OVER_CA]: file };
  const ca = withHandedOverCa({ verify: true }, env).ca?.toString() ?? '';
  assert.ok(ca.includes(tls.rootCertificates[0]), "Node's own roots stay trusted");
  assert.ok(ca.endsWith(corp));
  const own = Buffer.from('own');
  assert.equal(withHandedOverCa({ ca: own, verify: true }, env).ca, own);
  assert.equal(withHandedOverCa({ verify: true }, {}).ca, undefined);
});

test('an unreadable handed-over file gives Node’s warning and leaves its roots alone', async () => {
  const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
  const t = withHandedOverCa({ verify: false }, { [HANDED_OVER_CA]: '/nonexistent/corp.pem' });
  assert.equal(t.ca, undefined);
  assert.match((await warned).message, /^Ignoring extra certs from `\/nonexistent\/corp\.pem`, load failed: ENOENT/);
});
