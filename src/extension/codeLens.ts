// CodeLens on FROM lines: build the final stage or a named stage, and that stage's last result.
import * as vscode from 'vscode';
import { readConfig } from './config';
import { isDockerfileCompanion, parseStages } from './dockerfileModel';
import { resultLabel } from './outcome';
import type { Ctx } from './context';
import { resultOfStage } from './buildStore';

export class StageCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.listeners = [ctx.onDidStartBuild(() => this.changed.fire()), ctx.onDidEndBuild(() => this.changed.fire())];
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    // the selector (and VS Code's language of Dockerfile.*) also takes Dockerfile.dockerignore and the like
    if (!readConfig(doc.uri).codeLens || isDockerfileCompanion(doc.fileName)) return [];
    const stages = parseStages(doc.getText());
    const results = this.ctx.store.results(doc.uri.fsPath);
    const running = this.ctx.running.filter((s) => s.options.dockerfile === doc.uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    stages.forEach((stage, i) => {
      const range = new vscode.Range(stage.fromLine, 0, stage.fromLine, 0);
      const isLast = i === stages.length - 1;
      // The last stage is what a plain build produces; named stages build with --target.
      const target = isLast ? undefined : stage.name;
      if (!isLast && !stage.name) return;
      const title = isLast ? '$(play) Build' : `$(play) Build stage ${stage.name}`;
      lenses.push(new vscode.CodeLens(range, { title, command: 'buildkitLens.buildStage', arguments: [doc.uri, target], tooltip: isLast ? 'Build this Dockerfile with BuildKit' : `Build with --target ${stage.name}` }));
      if (isLast && stage.name) {
        lenses.push(new vscode.CodeLens(range, { title: `$(play) Build stage ${stage.name}`, command: 'buildkitLens.buildStage', arguments: [doc.uri, stage.name], tooltip: `Build with --target ${stage.name}` }));
      }
      const live = running.find((s) => s.options.target === target);
      if (live) {
        lenses.push(new vscode.CodeLens(range, { title: '$(sync~spin) building…', command: 'buildkitLens.showBuild', arguments: [live.id] }));
        return;
      }
      const r = resultOfStage(results, target, isLast ? stage.name : undefined);
      if (r) lenses.push(new vscode.CodeLens(range, { title: resultLabel(r), command: 'buildkitLens.showBuild', arguments: [r.buildId], tooltip: `Last build ${new Date(r.finishedAt).toLocaleString()} — open it` }));
    });
    return lenses;
  }
}
