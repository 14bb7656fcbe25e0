// Node side of the probe extension (probe-ext/probe.js): a window whose extension host holds
// BuildKit Lens installed from a .vsix, timed activation, builds started through the command API,
// and the host's event-loop lag. See probe.js for the file protocol.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from './browser';
import { repoRoot } from './paths';
import { terminate } from './processGroup';
import type { VsCodeServer } from './server';

export const probeExtensionPath = path.join(repoRoot, 'test', 'e2e', 'harness', 'probe-ext');

export interface Activation {
  extensionPath: string;
  version: string;
  wasActive: boolean;
  activationMs: number;
  hasApi: boolean;
  commands: string[];
  /** the extension host's process id */
  pid?: number;
  error?: string;
}

/** A fresh folder for BKL_PROBE_DIR; give it to startVsCodeServer({ env: { BKL_PROBE_DIR } }). */
export function probeDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-probe-'));
}

export class Probe {
  private n = 0;
  private hostPid?: number;
  exitCode?: number;

  private constructor(readonly dir: string, readonly workbench: Workbench) {}

  /** Opens a window on folder with the probe as its test module; the probe activates BuildKit Lens first thing. */
  static async open(server: VsCodeServer, dir: string, folder: string): Promise<Probe> {
    let probe: Probe | undefined;
    let exitCode: number | undefined;
    const wb = await openWorkbench(server, {
      folder,
      extensionDevelopmentPath: probeExtensionPath,
      extensionTestsPath: path.join(probeExtensionPath, 'probe.js'),
      onAutomationExit: (code) => {
        exitCode = code;
        if (probe) probe.exitCode = code;
      },
    });
    probe = new Probe(dir, wb);
    probe.exitCode = exitCode;
    return probe;
  }

  async activation(timeoutMs = 60_000): Promise<Activation> {
    const a = await this.waitJson<Activation>('activated.json', timeoutMs);
    this.hostPid = a.pid;
    return a;
  }

  /** Runs buildkitLens.build on a Dockerfile; t0 is the extension host's clock right before the call. */
  build(file: string): Promise<{ t0: number; returned: number; id?: string }> {
    return this.call({ op: 'build', file });
  }

  /** Opens a panel with static HTML and nothing behind it (a baseline for ours); t0 as for build. */
  bareWebview(html: string): Promise<{ t0: number; returned: number }> {
    return this.call({ op: 'webview', html });
  }

  /** Runs any VS Code command in the extension host. */
  async exec(command: string, ...args: unknown[]): Promise<unknown> {
    return (await this.call<{ value: unknown }>({ op: 'exec', command, args })).value;
  }

  /** Event-loop lag samples so far: [epoch ms, lag ms]. */
  async lags(): Promise<[number, number][]> {
    return (await this.call<{ lags: [number, number][] }>({ op: 'lag' })).lags;
  }

  /**
   * Closes the window and ends its extension host. The VS Code server keeps a closed window's host
   * for a reconnection (5 min to 3 h), busy now and then (GC, child processes), which would take CPU
   * from whatever the next window measures; a desktop VS Code ends it with the window.
   */
  async close(): Promise<void> {
    this.send({ op: 'exit' });
    await this.workbench.close();
    if (this.hostPid) await terminate(this.hostPid, 5_000);
  }

  private send(cmd: object): number {
    const n = ++this.n;
    fs.writeFileSync(path.join(this.dir, `cmd-${n}.json.tmp`), JSON.stringify(cmd));
    fs.renameSync(path.join(this.dir, `cmd-${n}.json.tmp`), path.join(this.dir, `cmd-${n}.json`));
    return n;
  }

  private call<T>(cmd: object, timeoutMs = 60_000): Promise<T> {
    return this.waitJson<T>(`res-${this.send(cmd)}.json`, timeoutMs);
  }

  private async waitJson<T>(name: string, timeoutMs: number): Promise<T> {
    const file = path.join(this.dir, name);
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(file)) {
      if (this.exitCode !== undefined) throw new Error(`the probe ended (exit ${this.exitCode}) before writing ${name}`);
      if (Date.now() > deadline) throw new Error(`the probe wrote no ${name} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  }
}
