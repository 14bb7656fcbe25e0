// Status bar while builds run: progress of the newest build (click: show it) and a cancel button.
import * as vscode from 'vscode';
import * as path from 'path';
import type { Ctx } from './context';
import { tickWhile } from './ticker';

export class BuildStatusBar implements vscode.Disposable {
  private readonly main = vscode.window.createStatusBarItem('buildkitLens.status', vscode.StatusBarAlignment.Left, 50);
  private readonly cancel = vscode.window.createStatusBarItem('buildkitLens.cancel', vscode.StatusBarAlignment.Left, 49);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.main.name = 'BuildKit build';
    this.cancel.name = 'Cancel BuildKit build';
    this.cancel.text = '$(debug-stop)';
    this.disposables.push(
      ctx.onDidChangeBuild(() => this.schedule()),
      // at once, not on the progress throttle: the spinner must not outlive the build's end in the panel
      ctx.onDidStartOrEndBuild(() => this.render()),
      // the elapsed seconds tick between engine updates
      tickWhile(() => ctx.running.length > 0, ctx.onDidStartOrEndBuild, 1000, () => this.render()),
    );
  }

  private scheduled = false;
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.render();
    }, 200);
  }

  render(): void {
    const running = this.ctx.running;
    if (!running.length) {
      this.main.hide();
      this.cancel.hide();
      return;
    }
    const s = running.reduce((a, b) => (b.startedAt > a.startedAt ? b : a));
    const sum = s.model.summary();
    const more = running.length > 1 ? ` (+${running.length - 1})` : '';
    this.main.text = `$(sync~spin) ${path.basename(s.options.dockerfile)}${s.options.target ? ` › ${s.options.target}` : ''} ${sum.completed}/${sum.total} · ${(sum.durationMs / 1000).toFixed(0)}s${more}`;
    this.main.tooltip = `BuildKit: building ${s.request.label} — click to show progress`;
    this.main.command = { title: 'Show build', command: 'buildkitLens.showBuild', arguments: [s.id] };
    this.cancel.tooltip = `Cancel the build of ${s.request.label}`;
    this.cancel.command = { title: 'Cancel build', command: 'buildkitLens.cancelBuild', arguments: [s.id] };
    this.main.show();
    this.cancel.show();
  }

  dispose(): void {
    this.main.dispose();
    this.cancel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
