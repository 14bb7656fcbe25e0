// Live step state at the end of each Dockerfile instruction: running time, cached, done, failed.
import * as vscode from 'vscode';
import type { Step, StepState } from '../progress/types';
import type { BuildSession } from './buildSession';
import type { Ctx } from './context';
import { readConfig } from './config';
import { instructionOfVertex, parseStages } from './dockerfileModel';
import { tickWhile } from './ticker';

const STYLE: Record<StepState, { color: string; mark: string }> = {
  queued: { color: 'editorCodeLens.foreground', mark: '○ queued' },
  running: { color: 'charts.blue', mark: '⟳' },
  done: { color: 'editorCodeLens.foreground', mark: '✓' },
  cached: { color: 'editorCodeLens.foreground', mark: '✓ cached' },
  error: { color: 'errorForeground', mark: '✗' },
  canceled: { color: 'disabledForeground', mark: '⊘ canceled' },
};

export function stepDecorationText(step: Step): string {
  const s = STYLE[step.state];
  const secs = `${(step.durationMs / 1000).toFixed(1)} s`;
  switch (step.state) {
    case 'running':
      return `${s.mark} running ${secs}`;
    case 'done':
      return `${s.mark} ${secs}`;
    case 'error':
      return `${s.mark} ${step.error ? step.error.split('\n')[0].slice(0, 120) : 'failed'}`;
    default:
      return s.mark;
  }
}

export class StepDecorations implements vscode.Disposable {
  private readonly types = new Map<StepState, vscode.TextEditorDecorationType>();
  private timer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    for (const [state, s] of Object.entries(STYLE) as [StepState, (typeof STYLE)[StepState]][]) {
      this.types.set(state, vscode.window.createTextEditorDecorationType({
        after: { color: new vscode.ThemeColor(s.color), margin: '0 0 0 2em', fontStyle: 'italic' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }));
    }
    this.disposables.push(
      ctx.onDidChangeBuild(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('buildkitLens.decorations') && this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) this.schedule();
      }),
      // running steps tick between engine updates
      tickWhile(() => ctx.running.length > 0, ctx.onDidStartOrEndBuild, 500, () => this.schedule()),
    );
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, 150);
  }

  render(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const doc = editor.document;
      const session = doc.uri.scheme === 'file' ? this.ctx.latestFor(doc.uri.fsPath) : undefined;
      const byState = new Map<StepState, vscode.DecorationOptions[]>();
      if (session && readConfig(doc.uri).decorations) this.collect(doc, session, byState);
      for (const [state, type] of this.types) editor.setDecorations(type, byState.get(state) ?? []);
    }
  }

  private collect(doc: vscode.TextDocument, session: BuildSession, out: Map<StepState, vscode.DecorationOptions[]>): void {
    const stages = parseStages(doc.getText());
    const seen = new Set<number>();
    for (const step of session.model.steps()) {
      // after the build, steps that never ran have nothing to say
      if (!step.stage || (step.state === 'queued' && !session.running)) continue;
      const ins = instructionOfVertex(stages, step.stage, session.options.target);
      if (!ins || seen.has(ins.endLine) || ins.endLine >= doc.lineCount) continue;
      seen.add(ins.endLine);
      const end = doc.lineAt(ins.endLine).range.end;
      const list = out.get(step.state) ?? [];
      list.push({
        range: new vscode.Range(end, end),
        renderOptions: { after: { contentText: stepDecorationText(step) } },
        hoverMessage: new vscode.MarkdownString().appendText(`#${step.number} ${step.name}`),
      });
      out.set(step.state, list);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.types.values()) t.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
