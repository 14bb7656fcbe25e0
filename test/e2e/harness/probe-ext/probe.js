// Runs inside the real extension host (as extensionTestsPath) next to BuildKit Lens installed from
// its .vsix. Talks to the Node side (harness/probe.ts) through files in BKL_PROBE_DIR:
//   activated.json   written once the host is idle: where the extension was loaded from, how long activate() took,
//                    and this host's process id (the Node side ends it when it closes the window)
//   cmd-<n>.json     {op:'build', file} | {op:'exec', command, args} | {op:'lag'} | {op:'webview', html} | {op:'exit'}, read in order
//   res-<n>.json     the answer to cmd-<n>
// Event-loop lag is sampled all along: a 10 ms timer that fires late means the host was busy.
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

const ID = 'buildkit-lens.buildkit-lens';
const TICK_MS = 10;
let firstBuildProfiled = false;

function write(dir, name, value) {
  // write then rename, so the reader never sees half a file
  fs.writeFileSync(path.join(dir, name + '.tmp'), JSON.stringify(value));
  fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
}

async function waitFile(file) {
  while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 20));
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Waits until the event loop has run on time (lag under 5 ms) for a whole second, at most 20 s. */
async function quiet(lags) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const recent = lags.filter(([t]) => t > Date.now() - 1000);
    if (recent.length > 50 && recent.every(([, l]) => l < 5)) return;
  }
}

/** BKL_PROBE_PROFILE=1: a CPU profile of activation, written next to activated.json. */
async function startProfile() {
  const inspector = require('inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async (file) => {
    fs.writeFileSync(file, JSON.stringify((await post('Profiler.stop')).profile));
    session.disconnect();
  };
}

exports.run = async function run() {
  const dir = process.env.BKL_PROBE_DIR;
  if (!dir) throw new Error('BKL_PROBE_DIR is not set');
  const lags = [];
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    lags.push([Date.now(), Math.max(0, now - last - TICK_MS)]);
    last = now;
  }, TICK_MS);
  try {
    const ext = vscode.extensions.getExtension(ID);
    if (!ext) return write(dir, 'activated.json', { error: `${ID} is not installed` });
    // Built-in extensions start up in this same host; time ours once they are done, not their work.
    await quiet(lags);
    const wasActive = ext.isActive;
    const profiler = process.env.BKL_PROBE_PROFILE ? await startProfile() : undefined;
    const t = performance.now();
    const api = await ext.activate();
    const activationMs = performance.now() - t;
    if (profiler) await profiler(path.join(dir, 'activation.cpuprofile'));
    const commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('buildkitLens.'));
    write(dir, 'activated.json', { extensionPath: ext.extensionPath, version: ext.packageJSON.version, wasActive, activationMs, hasApi: !!(api && api.ctx), commands, pid: process.pid });
    for (let n = 1; ; n++) {
      const cmd = await waitFile(path.join(dir, `cmd-${n}.json`));
      if (cmd.op === 'exit') return;
      if (cmd.op === 'lag') write(dir, `res-${n}.json`, { lags });
      if (cmd.op === 'exec') write(dir, `res-${n}.json`, { value: await vscode.commands.executeCommand(cmd.command, ...(cmd.args || [])) });
      if (cmd.op === 'webview') {
        // a bare panel with static HTML beside the editor, as ours opens: what VS Code alone takes
        const t0 = Date.now();
        const panel = vscode.window.createWebviewPanel('bklProbeBare', 'Bare webview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {});
        panel.webview.html = cmd.html;
        write(dir, `res-${n}.json`, { t0, returned: Date.now() });
      }
      if (cmd.op === 'build') {
        // BKL_PROBE_BUILD_PROFILE=DIR: the extension host's first 600 ms of this window's first build
        const buildProfile = process.env.BKL_PROBE_BUILD_PROFILE;
        if (buildProfile && !firstBuildProfiled) {
          firstBuildProfiled = true;
          const stop = await startProfile();
          setTimeout(() => stop(path.join(buildProfile, `first-build-${Date.now()}.cpuprofile`)), 600);
        }
        const t0 = Date.now();
        const ticket = await vscode.commands.executeCommand('buildkitLens.build', vscode.Uri.file(cmd.file));
        write(dir, `res-${n}.json`, { t0, returned: Date.now(), id: ticket && ticket.id });
      }
    }
  } finally {
    clearInterval(sampler);
  }
};
