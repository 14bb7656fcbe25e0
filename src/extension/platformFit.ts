// Before a multi-platform build starts: the classic image store can't hold one, so say why and
// offer the engine's own platform instead of letting the build fail.
import * as vscode from 'vscode';
import { MULTI_PLATFORM_NEEDS_CONTAINERD } from '../buildkit/preflight';
import type { BuildDeps, SessionRequest } from './buildSession';

/** The request to run (maybe narrowed to one platform), or undefined when the user declined. */
export async function fitPlatforms(request: SessionRequest, deps: BuildDeps): Promise<SessionRequest | undefined> {
  if (request.options.platforms.length < 2) return request;
  let engine;
  let native: string;
  try {
    engine = await deps.connect(request.engineHost);
    const info = await engine.info();
    if (info.containerdStore) return request;
    native = `${info.os}/${info.arch}`;
  } catch {
    return request; // the build itself reports an unreachable engine, in its panel
  } finally {
    engine?.close().catch(() => undefined);
  }
  const only = `Build for ${native} only`;
  const pick = await vscode.window.showWarningMessage(MULTI_PLATFORM_NEEDS_CONTAINERD, only);
  if (pick !== only) return undefined;
  return { ...request, options: { ...request.options, platforms: [native] } };
}
