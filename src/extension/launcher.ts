// Where every build from the editor starts: commands, CodeLens, the tree and the panel's Rebuild.
// The Dockerfile is saved first (the engine reads it from disk), trust and platforms are checked,
// and a rebuild is made from the settings and remembered choices of now, not those of the last run.
import * as vscode from 'vscode';
import type { BuildSession, SessionRequest } from './buildSession';
import type { Ctx } from './context';
import { requestOrExplain } from './buildRequest';
import { readConfig } from './config';
import { checkTrust } from './trust';
import { fitPlatforms } from './platformFit';

export class Launcher {
  constructor(
    private readonly ctx: Ctx,
    /** shows a new session in a panel (when the settings say so) */
    private readonly reveal: (s: BuildSession) => void,
  ) {}

  /** reveal=false when the caller puts the session in its own panel */
  async launch(request: SessionRequest, uri: vscode.Uri | undefined, reveal = true): Promise<BuildSession | undefined> {
    if (!checkTrust()) return undefined;
    const doc = uri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty && !(await doc.save())) {
      void vscode.window.showErrorMessage(`${request.label} could not be saved, so it was not built.`);
      return undefined;
    }
    const fitted = await fitPlatforms(request, this.ctx.deps);
    if (!fitted) return undefined;
    const session = this.ctx.startBuild(fitted);
    if (reveal && readConfig(uri).revealPanel) this.reveal(session);
    return session;
  }

  /** The same Dockerfile and target again, as a build of it would run now. */
  rebuild(dockerfile: string, target: string | undefined, reveal = true): Promise<BuildSession | undefined> {
    const uri = vscode.Uri.file(dockerfile);
    const request = requestOrExplain(uri, this.ctx.store.choices(uri.fsPath), target);
    return request ? this.launch(request, uri, reveal) : Promise.resolve(undefined);
  }
}
