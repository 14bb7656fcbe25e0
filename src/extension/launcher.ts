// Where every build from the editor starts: commands, CodeLens, the tree and the panel's Rebuild.
// The Dockerfile is saved first (the engine reads it from disk), trust and platforms are checked,
// and a rebuild is made from the settings and remembered choices of now, not those of the last run.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuildSession, SessionRequest } from './buildSession';
import type { Ctx } from './context';
import { requestOrExplain } from './buildRequest';
import { readConfig } from './config';
import { checkTrust } from './trust';
import { fitPlatforms } from './platformFit';

/** a second start of the same Dockerfile and target within this is the same click twice */
const DOUBLE_CLICK_MS = 1000;

export class Launcher {
  /** contexts the user agreed to send although they are a home or root folder */
  private readonly agreed = new Set<string>();

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
    if (!(await this.contextAgreed(request))) return undefined;
    const fitted = await fitPlatforms(request, this.ctx.deps);
    if (!fitted) return undefined;
    // a double click (CodeLens, the editor's ▶) is one build: the same one just started is shown again
    const twin = this.ctx.running.find(
      (s) => s.options.dockerfile === fitted.options.dockerfile && s.options.target === fitted.options.target && !s.canceling && Date.now() - s.startedAt < DOUBLE_CLICK_MS,
    );
    if (twin) {
      if (reveal) this.reveal(twin);
      return twin;
    }
    const session = this.ctx.startBuild(fitted);
    if (reveal && readConfig(uri).revealPanel) this.reveal(session);
    return session;
  }

  /**
   * A Dockerfile outside any folder takes its own folder as the context: for ~/Dockerfile that is
   * the whole home folder, sent to an engine that may be on another machine. Asked once a window.
   */
  private async contextAgreed(request: SessionRequest): Promise<boolean> {
    const dir = path.resolve(request.options.contextDir);
    if ((dir !== os.homedir() && dir !== path.parse(dir).root) || this.agreed.has(dir)) return true;
    const send = 'Send it';
    const answer = await vscode.window.showWarningMessage(
      `The build context of ${request.label} is ${dir === os.homedir() ? 'your home folder' : 'the root folder'} (${dir}): all of it is sent to the engine. Open the Dockerfile's project folder to send only that.`,
      { modal: true },
      send,
    );
    if (answer !== send) return false;
    this.agreed.add(dir);
    return true;
  }

  /** The same Dockerfile and target again, as a build of it would run now. */
  rebuild(dockerfile: string, target: string | undefined, reveal = true): Promise<BuildSession | undefined> {
    const uri = vscode.Uri.file(dockerfile);
    const request = requestOrExplain(uri, this.ctx.store.choices(uri.fsPath), target);
    return request ? this.launch(request, uri, reveal) : Promise.resolve(undefined);
  }
}
