// Restricted Mode: a build runs the Dockerfile's commands and uploads the workspace, so it needs trust.
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'Building is disabled in Restricted Mode: a build runs the Dockerfile\'s commands and sends this workspace to the Docker engine. Trust the workspace to build.';

/** true when building may go ahead; otherwise explains why not. */
export function checkTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
