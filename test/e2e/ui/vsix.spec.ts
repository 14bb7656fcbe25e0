// The packaged extension: `npm run package` makes a small .vsix; VS Code's server installs it, and the
// extension activates from that installed copy (not the repository) and draws a build in its panel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SpecContext } from '../harness';
import { Probe, probeDir } from '../harness/probe';
import { installVsix, packageVsix } from '../harness/vsix';
import { engineHost, engineSettings } from './uiHelpers';

/** Every file of a folder, relative to it. */
function listFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]));
}

export default async function (ctx: SpecContext): Promise<void> {
  await ctx.test('npm run package → a .vsix that installs and activates from the installed copy', async () => {
    const vsix = packageVsix();
    const size = fs.statSync(vsix).size;
    ctx.log(`${path.basename(vsix)}: ${(size / 1024).toFixed(0)} KiB`);
    assert.ok(size < 2 * 1024 * 1024, `the .vsix is ${(size / 1024 / 1024).toFixed(1)} MiB`);

    const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-vsix-ext-'));
    const dir = probeDir();
    try {
      const installed = installVsix(vsix, extensionsDir);
      const files = listFiles(installed).filter((f) => f !== '.vsixmanifest');
      const stray = files.filter((f) => !/^(dist|media)\//.test(f) && !/^(package\.json|readme\.md|LICENSE(\.txt)?|CHANGELOG\.md)$/i.test(f));
      assert.deepEqual(stray, [], 'only dist/, media/, package.json, README and LICENSE are packaged');
      for (const f of ['dist/extension.js', 'dist/extensionMain.js', 'dist/dockerfileAst.js', 'dist/engineCore.js', 'dist/webview.js', 'dist/terminal.js', 'dist/elements.js', 'dist/webview.css']) assert.ok(files.includes(f), `${f} is packaged`);
      assert.ok(!files.includes('dist/cli.js') && !files.includes('dist/cliMain.js'), 'the CLI bundles stay out of the .vsix');

      const host = engineHost();
      const server = await ctx.startServer({ extensionsDir, env: { BKL_PROBE_DIR: dir } });
      const folder = ctx.workspace({ files: { Dockerfile: 'FROM scratch\nCOPY Dockerfile /\n', ...(host ? { '.vscode/settings.json': engineSettings(host) } : {}) } });
      const probe = await Probe.open(server, dir, folder);
      try {
        const a = await probe.activation();
        assert.equal(a.error, undefined);
        assert.equal(path.resolve(a.extensionPath), path.resolve(installed), 'loaded from the installed copy');
        assert.equal(a.wasActive, false, 'nothing activated it before the probe did');
        assert.ok(a.hasApi, 'activate() returned the extension API');
        assert.ok(a.commands.includes('buildkitLens.build'), 'commands are registered');
        ctx.log(`activate() took ${a.activationMs.toFixed(0)} ms`);
        if (!host) return ctx.log('BKL_TEST_ENGINES is not set: panel check skipped');
        await probe.build(path.join(folder, 'Dockerfile'));
        // the panel's script and styles come from the installed dist/
        const frame = ctx.webviewFrame(probe.workbench.page);
        await ctx.waitForText(frame.locator('.step-name').filter({ hasText: 'COPY Dockerfile' }), 'COPY Dockerfile', 60_000);
        await ctx.waitForText(frame.locator('body'), /steps ·/, 60_000);
        // the log terminal (dist/terminal.js) is loaded from the installed copy too, with the panel's nonce
        await frame.locator('.step-head', { hasText: 'COPY Dockerfile' }).click();
        await frame.locator('.step.expanded .xterm').waitFor({ state: 'attached', timeout: 15_000 });
      } finally {
        await probe.close();
      }
    } finally {
      fs.rmSync(extensionsDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, { timeoutMs: 300_000 });
}
