// Build errors and warnings in the Problems panel, at the Dockerfile range the engine reported.
import * as vscode from 'vscode';
import * as path from 'path';
import type { Warning } from '../progress/types';
import type { BuildSession } from './buildSession';
import type { Ctx } from './context';
import { isDockerfileFailure, problemMessage, rangesForFile, type FailureLocation } from './outcome';

function toRange(l: FailureLocation): vscode.Range {
  const start = new vscode.Position(l.startLine - 1, Math.max(0, l.startCharacter));
  // Zero-width or unknown end: underline through the end of the line.
  const endChar = l.endLine === l.startLine && l.endCharacter <= l.startCharacter ? Number.MAX_SAFE_INTEGER : l.endCharacter || Number.MAX_SAFE_INTEGER;
  return new vscode.Range(start, new vscode.Position(l.endLine - 1, endChar));
}

function warningDiagnostic(w: Warning, base: string): vscode.Diagnostic | undefined {
  const loc = w.source ? rangesForFile([w.source], base)[0] : undefined;
  if (!loc) return undefined;
  const d = new vscode.Diagnostic(toRange(loc), [w.short, ...w.detail.filter(Boolean)].join('\n'), vscode.DiagnosticSeverity.Warning);
  d.source = 'BuildKit';
  const rule = /^(\w+):/.exec(w.short)?.[1];
  if (w.url && /^https:\/\//.test(w.url)) d.code = { value: rule ?? 'docs', target: vscode.Uri.parse(w.url) };
  return d;
}

export function diagnosticsFor(session: BuildSession): vscode.Diagnostic[] {
  const base = path.basename(session.options.dockerfile);
  const out: vscode.Diagnostic[] = [];
  const r = session.result;
  if (r && !r.ok && !r.canceled && r.error && session.failure) {
    const d = new vscode.Diagnostic(toRange(session.failure), problemMessage(r.error.message), vscode.DiagnosticSeverity.Error);
    d.source = 'BuildKit';
    out.push(d);
  }
  for (const w of session.model.warnings()) {
    const d = warningDiagnostic(w, base);
    if (d) out.push(d);
  }
  return out;
}

export function registerDiagnostics(ctx: Ctx): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('buildkit');
  // per Dockerfile, the start of the build whose word is in Problems
  const shownFrom = new Map<string, number>();
  const sub = ctx.onDidEndBuild((session) => {
    const r = session.result!;
    // A canceled build proves nothing: keep what the last real build said. An engine build followed
    // by its ref names no Dockerfile of this workspace.
    if (r.canceled || !session.options.dockerfile) return;
    // of two builds that overlapped, the one started later has the last word, whichever ends last
    if ((shownFrom.get(session.options.dockerfile) ?? 0) > session.startedAt) return;
    const diags = diagnosticsFor(session);
    const unplaced = !r.ok && r.error && !session.failure ? r.error : undefined;
    const unplacedOfDockerfile = !!unplaced && isDockerfileFailure(unplaced, (d) => session.model.step(d));
    // nor does an engine out of reach, an unreadable context or a failed push say anything of the Dockerfile
    if (unplaced && !unplacedOfDockerfile && !diags.length) return;
    shownFrom.set(session.options.dockerfile, session.startedAt);
    const uri = vscode.Uri.file(session.options.dockerfile);
    // A failure of the Dockerfile we could not place still belongs in Problems, on the first line.
    if (unplaced && unplacedOfDockerfile) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, Number.MAX_SAFE_INTEGER), problemMessage(unplaced.message), vscode.DiagnosticSeverity.Error);
      d.source = 'BuildKit';
      diags.unshift(d);
    }
    collection.set(uri, diags);
  });
  // a Dockerfile deleted or renamed in the editor takes its entries with it (a new name has no build yet)
  const gone = (uris: readonly vscode.Uri[]) => {
    const doomed: vscode.Uri[] = [];
    collection.forEach((d) => uris.some((u) => d.fsPath === u.fsPath || d.fsPath.startsWith(u.fsPath + path.sep)) && doomed.push(d));
    for (const d of doomed) collection.delete(d);
  };
  return vscode.Disposable.from(
    collection,
    sub,
    vscode.workspace.onDidDeleteFiles((e) => gone(e.files)),
    vscode.workspace.onDidRenameFiles((e) => gone(e.files.map((f) => f.oldUri))),
  );
}
