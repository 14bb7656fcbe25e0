// `buildkit-lens history ls|attach|compare`: what the engine remembers of its builds.
import { attachBuild, engineBuildForCompare } from '../buildkit/attach';
import { listHistory, type HistoryRecord } from '../buildkit/history';
import { connectEngine, type Engine } from '../engine/connect';
import { compareBuilds } from '../progress/compare';
import { FileLogStore } from '../progress/fileLogStore';
import { BuildModel } from '../progress/model';
import { formatComparison, formatSeconds } from '../progress/render/compare';
import { rawJsonLine } from '../progress/render/rawjson';
import { chooseRenderer, doneOrSignal, type CliIO } from './buildCommand';
import type { ProgressMode } from './args';
import type { HistoryCommand } from './historyArgs';

export async function runHistory(cmd: HistoryCommand, io: CliIO): Promise<number> {
  const engine = await connectEngine({ host: cmd.host, context: cmd.context });
  try {
    switch (cmd.action) {
      case 'ls':
        return await listCommand(engine, cmd.json, cmd.limit, io);
      case 'attach':
        return await attachCommand(engine, cmd.ref, cmd.progress, io);
      case 'compare':
        return await compareCommand(engine, cmd.refs, cmd.json, io);
    }
  } finally {
    await engine.close();
  }
}

/** "(client)" when the client drove the frontend itself (buildx does): the engine then names none. */
export function frontendLabel(r: HistoryRecord): string {
  return r.frontend || '(client)';
}

function localTime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function row(r: HistoryRecord, now: number): string[] {
  const duration = r.durationMs !== undefined ? formatSeconds(r.durationMs) : r.createdAt ? `${formatSeconds(now - r.createdAt)}+` : '-';
  const error = r.error ? r.error.replace(/\s+/g, ' ').slice(0, 80) : '';
  return [r.ref, r.state, localTime(r.createdAt), duration, `${r.cachedSteps}/${r.totalSteps}`, frontendLabel(r), r.target ?? '', r.images.join(',') || '-', error];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

async function listCommand(engine: Engine, json: boolean, limit: number, io: CliIO): Promise<number> {
  const all = await listHistory(engine);
  const shown = limit > 0 ? all.slice(0, limit) : all;
  if (json) {
    io.stdout.write(JSON.stringify(shown, null, 2) + '\n');
    return 0;
  }
  if (!shown.length) {
    io.stdout.write('no builds in this engine\'s history\n');
    return 0;
  }
  const now = Date.now();
  io.stdout.write(table([['REF', 'STATUS', 'CREATED', 'DURATION', 'CACHED', 'FRONTEND', 'TARGET', 'IMAGE', 'ERROR'], ...shown.map((r) => row(r, now))]));
  if (shown.length < all.length) io.stdout.write(`(${all.length - shown.length} older builds not shown; -n 0 lists all)\n`);
  return 0;
}

function summaryLine(r: HistoryRecord): string {
  const took = r.durationMs !== undefined ? ` in ${formatSeconds(r.durationMs)}` : '';
  return `build ${r.ref} ${r.state}${took}, ${r.cachedSteps}/${r.totalSteps} steps cached${r.error ? `: ${r.error}` : ''}`;
}

async function attachCommand(engine: Engine, ref: string, progress: ProgressMode, io: CliIO): Promise<number> {
  const logStore = new FileLogStore();
  const model = new BuildModel({ logStore });
  const renderer = chooseRenderer({ progress }, io);
  try {
    const handle = attachBuild(engine, ref, (status) => {
      if (progress === 'rawjson') io.stderr.write(rawJsonLine(status) + '\n');
      renderer?.update(model, model.apply(status));
    });
    const record = await handle.record.catch(() => undefined);
    if (record) {
      io.stderr.write(record.state === 'running'
        ? `attached to build ${record.ref}, running since ${localTime(record.createdAt)} (Ctrl-C detaches; the build goes on)\n`
        : `build ${record.ref} finished at ${localTime(record.completedAt)}: replaying the progress the engine stored\n`);
    }
    const result = await doneOrSignal(handle);
    if (!record) {
      io.stderr.write(`ERROR: ${result.error?.message}\n`);
      return 1;
    }
    if (handle.messages() === 0 && record.state !== 'running') {
      io.stderr.write('the engine kept no progress for this build (its BuildKit stores it from 0.11 on, until the history is pruned); its record:\n');
    }
    renderer?.update(model, model.finish({ ok: result.ok, canceled: result.canceled, error: result.error }));
    renderer?.end(model, result);
    io.stderr.write(summaryLine(handle.finalRecord ?? record) + '\n');
    if (result.canceled && result.error?.message.startsWith('detached')) return 130;
    return result.ok ? 0 : result.canceled ? 130 : 1;
  } finally {
    logStore.dispose();
  }
}

async function compareCommand(engine: Engine, refs: [string, string], json: boolean, io: CliIO): Promise<number> {
  const [a, b] = await Promise.all(refs.map((r) => engineBuildForCompare(engine, r)));
  const cmp = compareBuilds(a, b);
  io.stdout.write(json ? JSON.stringify(cmp, null, 2) + '\n' : formatComparison(cmp));
  return 0;
}
