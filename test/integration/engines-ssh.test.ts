// DOCKER_HOST=ssh://user@host: a private sshd on 127.0.0.1 (key auth through a private ssh-agent)
// whose sessions run `docker system dial-stdio` against d26, as on a remote Docker host.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBuild } from '../../src/buildkit/build';
import { connectEngine } from '../../src/engine/connect';
import { options, writeTree } from '../support/build';
import { runCli } from '../support/cli';
import { freePort } from '../support/certs';
import { testEngines } from '../support/engines';
import { tempDir } from '../support/tmp';

const d26 = testEngines().find((e) => e.name === 'd26');
const hasDockerCli = (() => {
  try {
    execFileSync('docker', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
const skip = !d26
  ? 'needs the d26 engine'
  : !fs.existsSync('/usr/sbin/sshd') || !hasDockerCli
    ? 'needs openssh-server and the docker CLI (scripts/engines/install.sh)'
    : process.getuid?.() !== 0
      ? 'the private sshd logs in as root'
      : false;

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ssh:// engines', { skip, timeout: 120_000 }, () => {
  const dir = tempDir('bkl-ssh-');
  const agentSock = path.join(dir, 'agent.sock');
  let sshd: ChildProcess;
  let agent: ChildProcess;
  let host: string;
  const savedAuthSock = process.env.SSH_AUTH_SOCK;
  const savedHome = process.env.HOME;
  const home = path.join(dir, 'home');
  const knownHosts = path.join(home, '.ssh', 'known_hosts');
  let known = '';
  before(async () => {
    const keygen = (f: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-f', path.join(dir, f), '-N', '']);
    keygen('hostkey');
    keygen('client');
    fs.copyFileSync(path.join(dir, 'client.pub'), path.join(dir, 'authorized_keys'));
    const port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/hostkey`, `AuthorizedKeysFile ${dir}/authorized_keys`,
        'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password',
        'StrictModes no', 'UsePAM no', `PidFile ${dir}/sshd.pid`,
        // the "remote" docker CLI finds the engine like on any Docker host
        `SetEnv DOCKER_HOST=${d26!.host}`,
      ].join('\n') + '\n',
    );
    fs.mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation dir
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'sshd.log'), 'w')] });
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    await waitFor('ssh-agent', () => fs.existsSync(agentSock));
    execFileSync('ssh-add', ['-q', path.join(dir, 'client')], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'pipe' });
    await waitFor('sshd', () => fs.existsSync(path.join(dir, 'sshd.pid')));
    process.env.SSH_AUTH_SOCK = agentSock;
    host = `ssh://root@127.0.0.1:${port}`;
    // the server's key, known as ssh would have recorded it on a first connection
    const [type, key] = fs.readFileSync(path.join(dir, 'hostkey.pub'), 'utf8').trim().split(/\s+/);
    known = `[127.0.0.1]:${port} ${type} ${key}\n`;
    fs.mkdirSync(path.dirname(knownHosts), { recursive: true });
    fs.writeFileSync(knownHosts, known);
    process.env.HOME = home;
  });
  after(() => {
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
    if (savedAuthSock === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = savedAuthSock;
    sshd?.kill();
    agent?.kill();
  });

  test('a build over ssh: /grpc and /session through `docker system dial-stdio`', async () => {
    const engine = await connectEngine({ host, timeoutMs: 20_000 });
    try {
      assert.equal(engine.endpoint.kind, 'ssh');
      assert.match((await engine.info()).serverVersion, /^26\./);
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\nRUN cat /a > /b\n', a: 'over ssh' });
      const r = await startBuild(engine, options(ctx, { tags: ['bkl-engines:ssh'], labels: { via: 'ssh' }, noCache: true }), () => {}).done;
      assert.equal(r.ok, true, r.error?.message);
      assert.equal((await engine.docker.getImage('bkl-engines:ssh').inspect()).Config.Labels?.via, 'ssh');
    } finally {
      await engine.close();
    }
  });

  test('the CLI bundle over ssh (ssh2 is loaded from dist/ssh2.js only now)', async () => {
    const r = await runCli(['info', '-H', host]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Engine:\s+Docker 26\./);
  });

  test('a CLI build over ssh goes through the bridge: its folder is removed after, a missing TMPDIR is one clear line', async () => {
    const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a /a\n', a: `bridge ${Date.now()}` });
    const tmp = tempDir('bkl-ssh-tmp-');
    const run = await runCli(['build', '-H', host, '--progress', 'plain', ctx], { env: { TMPDIR: tmp } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(fs.readdirSync(tmp), []);
    const missing = await runCli(['build', '-H', host, '--progress', 'plain', ctx], { env: { TMPDIR: '/nonexistent/bkl-tmp' } });
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /^ERROR: cannot make the folder for the gRPC bridge to ssh:\/\/\S+ in \/nonexistent\/bkl-tmp \(ENOENT\): set TMPDIR/m);
  });

  test('a key the server does not know: one clear line', async (t) => {
    await assert.rejects(connectEngine({ host: host.replace('root@', 'nobody@'), timeoutMs: 10_000 }), (e: Error) => {
      assert.ok(!e.message.includes('\n'), e.message);
      assert.match(e.message, /127\.0\.0\.1/);
      t.diagnostic(e.message);
      return true;
    });
  });

  test('a server whose key is not in known_hosts, or not the key known for it, is refused before anything is sent', async () => {
    const refused = async (re: RegExp) => {
      await assert.rejects(connectEngine({ host, timeoutMs: 10_000 }), (e: Error) => {
        assert.ok(!e.message.includes('\n'), e.message);
        assert.match(e.message, re);
        return true;
      });
      const r = await runCli(['info', '-H', host]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, re);
    };
    try {
      fs.writeFileSync(knownHosts, '');
      await refused(/\[127\.0\.0\.1\]:\d+ is not in known_hosts .*"ssh -p \d+ 127\.0\.0\.1"/);
      const other = path.join(dir, 'otherkey');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-f', other, '-N', '']);
      const [type, key] = fs.readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/);
      fs.writeFileSync(knownHosts, `${known.split(' ')[0]} ${type} ${key}\n`);
      await refused(/the host key of \[127\.0\.0\.1\]:\d+ does not match the one in .*known_hosts.*refusing to connect/);
    } finally {
      fs.writeFileSync(knownHosts, known);
    }
  });
});
