// Builds against the first engine of BKL_TEST_ENGINES: results in CodeLens, errors in Problems.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, eventually, lensTitles, testEngineHost, useTestEngine, writeFile } from './helpers';

const host = testEngineHost();

suite('builds against a real engine', function () {
  suiteSetup(async function () {
    if (!host) return this.skip();
    await api();
    await useTestEngine(host);
  });

  test('a stage build succeeds, opens its panel and shows its result in CodeLens', async () => {
    const uri = writeFile('ok/Dockerfile', `FROM busybox:latest AS prep\nRUN echo prepared > /p\n\nFROM busybox:latest\nCOPY --from=prep /p /p\nRUN cat /p\n`);
    await vscode.window.showTextDocument(uri);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.buildStage', uri, 'prep');
    assert.ok(ticket, 'the command started no build');
    const result = await ticket.done;
    assert.equal(result.ok, true, result.error?.message);
    const { ctx } = await api();
    const session = ctx.sessions.get(ticket.id)!;
    assert.equal(session.options.target, 'prep');
    assert.equal(session.options.network, 'none');
    // after a build the engine side is in V8's code cache, for the next window's first build
    const cacheDir = path.join(ctx.ext.globalStorageUri.fsPath, 'code-cache');
    const cached = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);
    await eventually(() => cached().some((f) => /^engineCore-v\d+.*\.v8cache$/.test(f) && fs.statSync(path.join(cacheDir, f)).size > 100_000), "the engine side's code cache");
    assert.ok(session.model.steps().some((s) => /RUN echo prepared/.test(s.name)), 'the RUN step is listed');
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await eventually(() => labels().some((l) => /Build: Dockerfile › prep/.test(l)), `the build panel tab (tabs: ${labels().join(', ')})`);
    const lenses = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      return lensTitles(l, 0).some((t) => t.startsWith('✓')) ? l : undefined;
    }, 'a ✓ result lens on the prep stage');
    assert.match(lensTitles(lenses, 0).find((t) => t.startsWith('✓'))!, /^✓ \d+\.\d s · \d+\/\d+ cached$/);
  });

  test('a failing RUN puts an error on its line in Problems; a fixed build clears it', async () => {
    const text = `FROM busybox:latest\nRUN echo fine\nRUN echo broken && exit 3\nRUN echo never\n`;
    const uri = writeFile('fail/Dockerfile', text);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    const result = await ticket.done;
    assert.equal(result.ok, false);
    const diags = await eventually(() => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'BuildKit');
      return d.length ? d : undefined;
    }, 'a BuildKit diagnostic');
    const err = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error)!;
    assert.ok(err, 'an error diagnostic');
    assert.equal(err.range.start.line, 2, `error on line 3 (got ${err.range.start.line + 1}: ${err.message})`);
    // the cause first (the Problems row is cut at its width), then the engine's own words
    assert.equal(err.message.split('\n')[0], 'exit code: 3', err.message);
    assert.match(err.message.split('\n')[1], /echo broken && exit 3.*exit code: 3/);

    writeFile('fail/Dockerfile', text.replace(' && exit 3', ''));
    const fixed = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
    assert.equal(fixed.ok, true, fixed.error?.message);
    await eventually(() => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length === 0, 'errors cleared');
  });

  test('a folder chosen as output gets the files, and the panel says where they went', async () => {
    const uri = writeFile('out/Dockerfile', `FROM busybox:latest AS made\nRUN mkdir /r && echo built > /r/result.txt\nFROM scratch\nCOPY --from=made /r/ /\n`);
    const dest = path.join(path.dirname(uri.fsPath), 'dist');
    const { ctx } = await api();
    // what "Build with BuildKit…" → Output → "A folder…" remembers for this Dockerfile
    await ctx.store.setChoices(uri.fsPath, { outputDir: dest });
    try {
      const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
      const result = await ticket.done;
      assert.equal(result.ok, true, result.error?.message);
      assert.equal(fs.readFileSync(path.join(dest, 'result.txt'), 'utf8'), 'built\n');
      const snapshot = ctx.sessions.get(ticket.id)!.snapshot();
      assert.equal(snapshot.build.outputDir, dest);
      assert.equal(snapshot.outcome?.imageId, undefined, 'no image in the store');
    } finally {
      await ctx.store.setChoices(uri.fsPath, {});
    }
  });

  test('a Dockerfile syntax error is reported on its line', async () => {
    const uri = writeFile('syntax/Dockerfile', `FROM busybox:latest\nRUN echo fine\nRUNN echo typo\n`);
    const r = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
    assert.equal(r.ok, false);
    const err = await eventually(() => vscode.languages.getDiagnostics(uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error), 'an error diagnostic');
    assert.match(err.message.split('\n')[0], /^unknown instruction: RUNN/, err.message);
    assert.equal(err.range.start.line, 2, `got line ${err.range.start.line + 1}: ${err.message}`);
  });

  test('Rebuild Last builds the last Dockerfile and target as they are now: unsaved edits saved, settings read again', async () => {
    const { ctx } = await api();
    const before = ctx.store.lastRequest();
    assert.ok(before, 'an earlier build was remembered');
    const c = vscode.workspace.getConfiguration('buildkitLens');
    await c.update('build.args', { REBUILT: 'now' }, vscode.ConfigurationTarget.Global);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(before.options.dockerfile));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(doc.lineAt(doc.lineCount - 1).range.end, `\n# edited ${Date.now()}`));
    assert.equal(doc.isDirty, true);
    try {
      const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.rebuildLast');
      await ticket.done;
      const again = ctx.sessions.get(ticket.id)!;
      assert.equal(again.options.dockerfile, before.options.dockerfile);
      assert.equal(again.options.target, before.options.target);
      assert.equal(again.options.buildArgs.REBUILT, 'now', 'the build args of now, not those of the last build');
      assert.equal(doc.isDirty, false, 'the Dockerfile was saved before the build');
    } finally {
      await c.update('build.args', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('a bare build arg takes its value from the environment at each build, and the value is stored nowhere', async () => {
    const { ctx } = await api();
    const uri = writeFile('envarg/Dockerfile', 'FROM busybox:latest\nARG BKL_E2E_TOKEN\nRUN test "$BKL_E2E_TOKEN" = tok-1\n');
    await ctx.store.setChoices(uri.fsPath, { envArgs: ['BKL_E2E_TOKEN'] });
    process.env.BKL_E2E_TOKEN = 'tok-1';
    try {
      const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
      const r = await ticket.done;
      assert.equal(r.ok, true, r.error?.message);
      assert.equal(ctx.sessions.get(ticket.id)!.options.buildArgs.BKL_E2E_TOKEN, 'tok-1');
      const stored = JSON.stringify([ctx.store.choices(uri.fsPath), ctx.store.lastRequest()]);
      assert.ok(!stored.includes('tok-1'), `the value is not in workspace state: ${stored}`);
      // read again at the next build
      process.env.BKL_E2E_TOKEN = 'tok-2';
      const again = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
      assert.equal(again.ok, false, 'the RUN sees the new value');
    } finally {
      delete process.env.BKL_E2E_TOKEN;
    }
  });

  test('invalid platforms or tag pattern settings, or an unsaved buffer, start no build', async () => {
    const { ctx } = await api();
    const uri = writeFile('settings/Dockerfile', 'FROM busybox:latest\n');
    const c = vscode.workspace.getConfiguration('buildkitLens');
    for (const [key, value] of [['build.platforms', ['linux/amd64,bogus']], ['build.tagPattern', 'My App:${stage}']] as const) {
      await c.update(key, value, vscode.ConfigurationTarget.Global);
      try {
        const n = ctx.sessions.size;
        assert.equal(await vscode.commands.executeCommand('buildkitLens.build', uri), undefined, `${key} ${JSON.stringify(value)} is refused`);
        assert.equal(ctx.sessions.size, n);
      } finally {
        await c.update(key, undefined, vscode.ConfigurationTarget.Global);
      }
    }
    const untitled = await vscode.workspace.openTextDocument({ language: 'dockerfile', content: 'FROM busybox:latest\n' });
    assert.equal(await vscode.commands.executeCommand('buildkitLens.build', untitled.uri), undefined, 'an untitled buffer is not built');
    // a valid setting still builds, after the refusals
    const r = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
    assert.equal(r.ok, true, r.error?.message);
  });

  test('an unreachable engine ends the build with one clear line and no Problems entry', async () => {
    const c = vscode.workspace.getConfiguration('buildkitLens');
    await c.update('engine.host', 'unix:///tmp/bkl-no-such-engine.sock', vscode.ConfigurationTarget.Global);
    try {
      const uri = writeFile('unreachable/Dockerfile', 'FROM busybox:latest\n');
      const r = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
      assert.equal(r.ok, false);
      assert.ok(r.error && !r.error.message.includes('\n'), `one line: ${r.error?.message}`);
      assert.match(r.error.message, /bkl-no-such-engine\.sock/);
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(vscode.languages.getDiagnostics(uri).length, 0);
    } finally {
      await c.update('engine.host', host, vscode.ConfigurationTarget.Global);
    }
  });

  test('the same Dockerfile started twice within a second (a double click) is one build', async () => {
    const uri = writeFile('twice/Dockerfile', `FROM busybox:latest\nRUN echo twice-${Date.now()} && sleep 1\n`);
    const first = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    const second = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    assert.equal(second.id, first.id);
    assert.equal((await first.done).ok, true);
    // once it has ended, the next start is a new build
    const third = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    assert.notEqual(third.id, first.id);
    assert.equal((await third.done).ok, true);
  });

  test('two builds at once run side by side, each in its own panel', async () => {
    const a = writeFile('pair/a.Dockerfile', `FROM busybox:latest\nRUN echo a-${Date.now()} && sleep 1\n`);
    const b = writeFile('pair/b.Dockerfile', `FROM busybox:latest\nRUN echo b-${Date.now()} && sleep 1\n`);
    const [ta, tb] = await Promise.all([
      vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', a),
      vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', b),
    ]);
    const { ctx } = await api();
    assert.equal(ctx.running.length >= 2, true, 'both run at once');
    const [ra, rb] = await Promise.all([ta.done, tb.done]);
    assert.equal(ra.ok && rb.ok, true, ra.error?.message ?? rb.error?.message);
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await eventually(() => labels().some((l) => /Build: a\.Dockerfile/.test(l)) && labels().some((l) => /Build: b\.Dockerfile/.test(l)), `two panels (tabs: ${labels().join(', ')})`);
  });

  test('a new build takes over a finished panel, never a running one; panel.reuse "never" opens one per build', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panels = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('buildkitLens.buildPanel'))
        .map((t) => t.label)
        .sort();
    const same = (want: string[]) => () => JSON.stringify(panels()) === JSON.stringify(want);
    await eventually(same([]), `no panel open (panels: ${panels().join(', ')})`);
    const df = (name: string, sleep = 0) => writeFile(`reuse/${name}.Dockerfile`, `FROM busybox:latest\nRUN echo ${name}-${Date.now()}${sleep ? ` && sleep ${sleep}` : ''}\n`);
    const build = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri))!;
    const [x, y, z] = [df('x'), df('y', 5), df('z')];
    assert.equal((await (await build(x)).done).ok, true);
    await eventually(same(['✓ Build: x.Dockerfile']), `x's panel (panels: ${panels().join(', ')})`);
    const ty = await build(y);
    await eventually(same(['Build: y.Dockerfile']), `y in x's finished panel (panels: ${panels().join(', ')})`);
    const { ctx } = await api();
    assert.equal(ctx.sessions.get(ty.id)?.running, true, 'y still runs');
    assert.equal((await (await build(z)).done).ok, true);
    await eventually(() => panels().length === 2 && panels().includes('✓ Build: z.Dockerfile') && panels().some((l) => /Build: y\.Dockerfile$/.test(l)), `z in a panel of its own while y runs (panels: ${panels().join(', ')})`);
    assert.equal((await ty.done).ok, true);
    const settings = vscode.workspace.getConfiguration('buildkitLens');
    await settings.update('panel.reuse', 'never', vscode.ConfigurationTarget.Global);
    try {
      assert.equal((await (await build(z)).done).ok, true);
      await eventually(same(['✓ Build: y.Dockerfile', '✓ Build: z.Dockerfile', '✓ Build: z.Dockerfile']), `a third panel with panel.reuse "never" (panels: ${panels().join(', ')})`);
    } finally {
      await settings.update('panel.reuse', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('cancel stops a running build', async () => {
    const uri = writeFile('cancel/Dockerfile', `FROM busybox:latest\nRUN echo start-${Date.now()} && sleep 60\n`);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    const { ctx } = await api();
    const session = ctx.sessions.get(ticket.id)!;
    await eventually(() => session.model.steps().some((s) => /sleep 60/.test(s.name) && s.state === 'running'), 'the RUN step running', 60_000);
    const t0 = Date.now();
    await vscode.commands.executeCommand('buildkitLens.cancelBuild', ticket.id);
    const r = await ticket.done;
    assert.equal(r.canceled, true);
    assert.ok(Date.now() - t0 < 20_000, 'cancel took too long');
  });
});
