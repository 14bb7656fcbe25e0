// --ssh: RUN --mount=type=ssh reaches a real ssh-agent through the session, read-only as with
// buildx. A static probe (test/fixtures/ssh/agentprobe.c) in a busybox image lists the keys, has the
// first one sign, tries to remove them all and lists again; both clients must print the same.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeEngines, writeTree } from '../support/build';
import { buildx } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';

after(closeEngines);

const PROBE_SOURCE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'ssh', 'agentprobe.c');
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};
const skip = !['gcc', 'ssh-agent', 'ssh-add', 'ssh-keygen'].every(has) ? 'needs gcc and openssh-client (scripts/engines/install.sh)' : !buildxPath() ? 'buildx not installed' : false;

/** A private ssh-agent in the foreground, once its socket is there. */
async function startAgent(sock: string): Promise<ChildProcess> {
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  for (let i = 0; !fs.existsSync(sock); i++) {
    if (i > 200) throw new Error('ssh-agent did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
  return agent;
}

/** What the probe printed, from a plain progress log: "#7 0.303 keys after 1" → "keys after 1". */
function probeLines(log: string): string[] {
  return log.split('\n').map((l) => /^#\d+ \d+\.\d+ (.*)$/.exec(l)?.[1]).filter((l): l is string => !!l && /^(answer|comment|sign|remove|keys|connect|write|no )/.test(l));
}

describe('--ssh forwards an agent, read-only', { skip, timeout: 300_000 }, () => {
  let agent: ChildProcess | undefined;
  let ctx = '';
  let sock = '';
  const agentEnv = () => ({ SSH_AUTH_SOCK: sock });

  before(async () => {
    ctx = writeTree({
      Dockerfile: 'FROM busybox:latest\nCOPY agentprobe /agentprobe\nRUN --mount=type=ssh /agentprobe\n',
      'Dockerfile.required': 'FROM busybox:latest\nRUN --mount=type=ssh,id=deploy,required=true true\n',
      '.dockerignore': 'agent.sock\nkey*\n',
    });
    execFileSync('gcc', ['-static', '-O2', '-o', path.join(ctx, 'agentprobe'), PROBE_SOURCE]);
    sock = path.join(ctx, 'agent.sock');
    agent = await startAgent(sock);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bkl-probe-key', '-f', path.join(ctx, 'key')]);
    execFileSync('ssh-add', ['-q', path.join(ctx, 'key')], { env: { ...process.env, ...agentEnv() }, stdio: 'pipe' });
  });
  after(() => agent?.kill());

  const keysInAgent = () => execFileSync('ssh-add', ['-l'], { env: { ...process.env, ...agentEnv() } }).toString();

  for (const eng of testEngines()) {
    test(`${eng.name}: the build lists and signs with the key, cannot remove it; buildx sees the same`, async () => {
      const args = ['--no-cache', '--network', 'none', '--progress', 'plain', ctx];
      const r = await runCli(['build', '-H', eng.host, '--ssh', 'default', ...args], { env: agentEnv() });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(probeLines(r.stderr), ['answer 12, keys 1', 'comment bkl-probe-key', 'sign answer 14', 'remove-all answer 5', 'keys after 1']);
      assert.match(keysInAgent(), /bkl-probe-key/);

      const b = await buildx(eng, ['--ssh', `default=${sock}`, ...args]);
      assert.equal(b.code, 0, b.stderr);
      assert.deepEqual(probeLines(r.stderr), probeLines(b.stderr));
    });
  }

  test('a mount that requires an agent nobody forwarded names the flag, at its Dockerfile line', async () => {
    const eng = testEngines().at(-1)!;
    const r = await runCli(['build', '-H', eng.host, '--network', 'none', '--progress', 'plain', '-f', path.join(ctx, 'Dockerfile.required'), ctx]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: failed to solve: RUN --mount=type=ssh needs an SSH agent, and none with id "deploy" is forwarded: give --ssh deploy /);
    assert.match(r.stderr, /Dockerfile\.required:2/);
  });

  test('an agent that crashed after the check fails the RUN, and the build ends', async () => {
    const eng = testEngines().at(-1)!;
    const gone = path.join(ctx, 'gone.sock');
    const crashed = await startAgent(gone);
    // SIGKILL leaves the socket file with nobody behind it
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.once('exit', r));
    assert.ok(fs.statSync(gone).isSocket());
    const r = await runCli(['build', '-H', eng.host, '--no-cache', '--network', 'none', '--progress', 'plain', '--ssh', `default=${gone}`, ctx]);
    assert.equal(r.code, 1);
    // the forward ends as soon as the agent cannot be reached: before the probe's request goes out, or
    // after it, with no answer; either way no key is listed
    const lines = probeLines(r.stderr);
    assert.ok(lines.length === 1 && ['no answer', 'write failed'].includes(lines[0]), `the probe printed ${JSON.stringify(lines)}`);
  });
});
