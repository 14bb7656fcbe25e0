// Real builds on every test engine (Docker 20.10 / 26.1, classic and containerd store).
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testEngines } from '../support/engines';
import { instructionOfVertex, parseStages } from '../../src/extension/dockerfileModel';
import { build, closeEngines, engineFor, logText, options, writeTree } from '../support/build';
import { tempDir } from '../support/tmp';

const engines = testEngines();
after(closeEngines);

if (engines.length === 0) test('integration tests need BKL_TEST_ENGINES', { skip: 'no engines configured' }, () => {});

for (const eng of engines) {
  const modern = eng.buildkit !== '0.8';
  const tag = (t: string) => `bkl-it-${t}-${eng.name}:latest`;

  describe(`engine ${eng.name} (BuildKit ${eng.buildkit}${eng.containerdStore ? ', containerd store' : ''})`, { timeout: 300_000 }, () => {
    test('multi-stage with --target, build args and labels', async () => {
      const ctx = writeTree({
        Dockerfile: [
          'FROM busybox AS base',
          'ARG GREETING=hello',
          'RUN echo "$GREETING from base" > /greeting',
          'FROM base AS extra',
          'RUN echo extra > /extra',
          'FROM busybox',
          'COPY --from=base /greeting /final',
          '',
        ].join('\n'),
      });
      const b = await build(eng.host, options(ctx, { target: 'extra', tags: [tag('target')], buildArgs: { GREETING: 'bonjour' }, labels: { 'org.test': 'yes' } }));
      assert.equal(b.result.ok, true, b.result.error?.message);
      const names = b.model.steps().map((s) => s.name);
      assert.ok(names.some((n) => /\[extra 1\/1\] RUN echo extra/.test(n)), names.join('\n'));
      assert.ok(!names.some((n) => n.includes('COPY --from=base')), 'the last stage must not be built with --target extra');
      const img = await (await engineFor(eng.host)).docker.getImage(tag('target')).inspect();
      assert.equal(img.Config.Labels?.['org.test'], 'yes');
      const digest = b.result.exporterResponse['containerimage.digest'];
      assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
    });

    test('every "[stage i/n]" step names its own Dockerfile line (the numbering the decorations and Problems read)', async () => {
      const text = [
        'FROM busybox AS base',
        'ARG GREETING=hi',
        'ENV A=1',
        'LABEL org.test=numbering',
        'WORKDIR /w',
        'USER root',
        'RUN echo "$GREETING" > g',
        'EXPOSE 80',
        'FROM base AS mid',
        'ENV B=2',
        'COPY f /f',
        'ADD f /f2',
        'FROM scratch AS out',
        'COPY --from=mid /w/g /g',
        'CMD ["x"]',
        'FROM busybox',
        'ONBUILD RUN echo later',
        'STOPSIGNAL SIGTERM',
        'HEALTHCHECK NONE',
        'VOLUME /v',
        'COPY --from=out /g /g',
        'ENTRYPOINT ["sh"]',
        '',
      ].join('\n');
      const ctx = writeTree({ Dockerfile: text, f: 'f' });
      const b = await build(eng.host, options(ctx, { noCache: true }));
      assert.equal(b.result.ok, true, b.result.error?.message);
      const stages = parseStages(text);
      const lines = text.split('\n');
      const numbered = b.model.steps().filter((s) => s.stage?.total);
      // base: FROM, WORKDIR, RUN; mid: COPY, ADD; out: COPY; the last: COPY (its FROM busybox is base's vertex)
      assert.equal(numbered.length, 7, numbered.map((s) => s.name).join('\n'));
      for (const step of numbered) {
        const ins = instructionOfVertex(stages, step.stage!);
        assert.ok(ins, `no line for ${step.name}`);
        const keyword = /\] (\w+)/.exec(step.name)![1];
        assert.equal(lines[ins.startLine].split(' ')[0], keyword, step.name);
      }
    });

    test('a second identical build is fully cached', async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n', 'a.txt': `cache-${eng.name}-${Date.now()}` });
      const first = await build(eng.host, options(ctx, { tags: [tag('cache')] }));
      assert.equal(first.result.ok, true, first.result.error?.message);
      assert.ok(first.model.steps().some((s) => s.name.includes('RUN cat') && s.state === 'done'));
      const second = await build(eng.host, options(ctx, { tags: [tag('cache')] }));
      assert.equal(second.result.ok, true);
      const steps = second.model.steps().filter((s) => /^\[\d+\/\d+\]/.test(s.name) && !s.name.includes('FROM'));
      assert.ok(steps.length >= 2, steps.map((s) => s.name).join('\n'));
      for (const s of steps) assert.equal(s.state, 'cached', `${s.name} should be cached`);
    });

    test('a failing RUN maps to its Dockerfile line', async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nRUN echo ok\nRUN echo about to fail && exit 3\nRUN echo never\n' });
      const b = await build(eng.host, options(ctx));
      assert.equal(b.result.ok, false);
      const err = b.result.error!;
      assert.match(err.message, /exit code: 3/);
      assert.ok(!err.message.includes('\n'), 'one line');
      if (modern) {
        assert.equal(err.sources[0]?.ranges[0]?.startLine, 3, JSON.stringify(err.sources));
        assert.ok(err.vertex && b.model.step(err.vertex), 'the failing vertex is a step of the build');
      }
      const failed = b.model.steps().find((s) => s.state === 'error');
      assert.ok(failed?.name.includes('exit 3'));
      assert.match(logText(b), /about to fail/);
    });

    test('a parse error names its line', async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nFOO bar\n' });
      const b = await build(eng.host, options(ctx));
      assert.equal(b.result.ok, false);
      assert.match(b.result.error!.message, /unknown instruction: FOO/i);
      if (modern) assert.equal(b.result.error!.sources[0]?.ranges[0]?.startLine, 2);
    });

    test('an unknown --target is a clear error', async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox AS a\n' });
      const b = await build(eng.host, options(ctx, { target: 'nope' }));
      assert.equal(b.result.ok, false);
      assert.match(b.result.error!.message, /target stage "?nope"? could not be found/);
    });

    test('secret mounts read the secret; its value never shows in progress', async () => {
      const value = `s3cr3t-${Date.now()}`;
      const secretFile = path.join(tempDir('bkl-s-'), 'tok');
      fs.writeFileSync(secretFile, value);
      process.env.BKL_IT_SECRET = `${value}-env`;
      const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
      const ctx = writeTree({
        Dockerfile: [
          'FROM busybox',
          `RUN --mount=type=secret,id=tok test "$(md5sum < /run/secrets/tok | cut -d' ' -f1)" = "${md5(value)}" && echo secret-ok`,
          `RUN --mount=type=secret,id=env1 test "$(md5sum < /run/secrets/env1 | cut -d' ' -f1)" = "${md5(`${value}-env`)}" && echo env-secret-ok`,
          'RUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null; ls /run/secrets/ || true',
          '',
        ].join('\n'),
      });
      const b = await build(eng.host, options(ctx, { noCache: true, secrets: [{ id: 'tok', src: secretFile }, { id: 'env1', env: 'BKL_IT_SECRET' }] }));
      assert.equal(b.result.ok, true, b.result.error?.message);
      assert.match(logText(b), /secret-ok[\s\S]*env-secret-ok/);
      const everything = JSON.stringify(b.statuses, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString() : v));
      assert.ok(!everything.includes(value), 'the secret value appears in the status stream');
    });

    test('cache mounts persist between builds', async () => {
      // --no-cache would also reset cache mounts (as with buildx); a changed ARG re-runs the step.
      const ctx = writeTree({ Dockerfile: `FROM busybox\nARG RUNID\nRUN --mount=type=cache,target=/c,id=bkl-${eng.name}-${Date.now()} echo "$RUNID" >> /c/f && echo "lines=$(wc -l < /c/f)"\n` });
      // cache mounts are not part of the step's cache key: the ARG must be new on every run
      const run = `${Date.now()}-${Math.random()}`;
      const a = await build(eng.host, options(ctx, { buildArgs: { RUNID: `${run}-1` } }));
      assert.equal(a.result.ok, true, a.result.error?.message);
      assert.match(logText(a), /lines=1/);
      const b = await build(eng.host, options(ctx, { buildArgs: { RUNID: `${run}-2` } }));
      assert.match(logText(b), /lines=2/);
    });

    test('heredoc RUN', { skip: !modern && 'the Dockerfile frontend in BuildKit 0.8 has no heredocs' }, async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nRUN <<EOF\necho first-line\necho second-line\nEOF\n' });
      const b = await build(eng.host, options(ctx, { noCache: true }));
      assert.equal(b.result.ok, true, b.result.error?.message);
      assert.match(logText(b), /first-line[\s\S]*second-line/);
    });

    test('cancel during a RUN ends the build as canceled within 2 s', async () => {
      const ctx = writeTree({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 60\n' });
      let canceledAt = 0;
      const b = await build(eng.host, options(ctx, { noCache: true }), (s, cancel) => {
        if (!canceledAt && s.logs.some((l) => Buffer.from(l.msg).toString().includes('started'))) {
          canceledAt = Date.now();
          cancel();
        }
      });
      assert.ok(canceledAt > 0, 'the RUN step started');
      assert.equal(b.result.canceled, true);
      assert.ok(Date.now() - canceledAt < 2500, `ended ${Date.now() - canceledAt} ms after cancel`);
      const run = b.model.steps().find((s) => s.name.includes('sleep 60'));
      assert.equal(run?.state, 'canceled');
    });
  });
}
