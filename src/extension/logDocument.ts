// A step's whole log as a read-only editor (buildkit-lens-log:), for logs longer than the panel's
// terminal keeps. The text comes from the build's live session or, once it was pruned, its record.
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { plainLog } from '../progress/render/tty';

export const LOG_SCHEME = 'buildkit-lens-log';

const changed = new vscode.EventEmitter<vscode.Uri>();

/** Opening a log again re-reads it: a running step's log has grown since. */
export function refreshLogDocument(uri: vscode.Uri): void {
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) changed.fire(uri);
}

export function logDocumentUri(buildId: string, digest: string, stepNumber: number | undefined, label: string): vscode.Uri {
  // the path is only the tab's title; the query says which log
  const title = `${label.replace(/[\\/]/g, '_')} step ${stepNumber ?? '?'}.log`;
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${title}`, query: new URLSearchParams({ build: buildId, step: digest }).toString() });
}

export function registerLogDocuments(ctx: Ctx): vscode.Disposable {
  const provider = vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      const q = new URLSearchParams(uri.query);
      const build = q.get('build') ?? '';
      const digest = q.get('step') ?? '';
      const session = ctx.sessions.get(build);
      if (session) return header(session.snapshot().steps, digest, false) + plainLog(session.model.logs.read(digest));
      const record = ctx.records.load(build);
      const text = record?.logs[digest];
      if (!record || text === undefined) return '(this log is no longer kept)\n';
      return header(record.snapshot.steps, digest, record.truncated.includes(digest)) + plainLog(text);
    },
  });
  return vscode.Disposable.from(provider, changed);
}

function header(steps: { digest: string; name: string }[], digest: string, truncated: boolean): string {
  const name = steps.find((s) => s.digest === digest)?.name ?? digest;
  return `# ${name}\n${truncated ? '(earlier output not kept)\n' : ''}`;
}
