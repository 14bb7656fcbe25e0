// Finished builds written to the extension's storage, so a panel restored after a window reload
// (or "Open last build") can show the build and its logs again. Logs are capped per build.
import * as fs from 'fs';
import * as path from 'path';
import type { Snapshot } from '../../webview/protocol';

export interface BuildRecord {
  snapshot: Snapshot;
  logs: Record<string, string>;
  /** steps whose log was cut to fit the cap */
  truncated: string[];
}

const MAX_LOG_BYTES_PER_STEP = 1024 * 1024;
const MAX_LOG_BYTES_TOTAL = 8 * 1024 * 1024;
const KEEP_RECORDS = 30;

export class BuildRecords {
  constructor(private readonly dir: string) {}

  private file(id: string): string {
    return path.join(this.dir, `${id.replace(/[^a-z0-9-]/gi, '_')}.json`);
  }

  save(snapshot: Snapshot, readLog: (digest: string) => string): void {
    try {
      this.write(snapshot, readLog);
    } catch {
      // storage is a convenience: a full disk, or a log too large to read back, must not break the build's end
    }
  }

  private write(snapshot: Snapshot, readLog: (digest: string) => string): void {
    const logs: Record<string, string> = {};
    const truncated: string[] = [];
    let total = 0;
    for (const s of snapshot.steps) {
      let text = readLog(s.digest);
      if (!text) continue;
      const budget = Math.min(MAX_LOG_BYTES_PER_STEP, MAX_LOG_BYTES_TOTAL - total);
      if (budget <= 0) {
        truncated.push(s.digest);
        continue;
      }
      if (text.length > budget) {
        // the end of a log is where failures are
        text = text.slice(text.length - budget);
        truncated.push(s.digest);
      }
      total += text.length;
      logs[s.digest] = text;
    }
    const record: BuildRecord = { snapshot, logs, truncated };
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.file(snapshot.build.id), JSON.stringify(record));
    this.prune();
  }

  load(id: string): BuildRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as BuildRecord;
    } catch {
      return undefined;
    }
  }

  private prune(): void {
    const files = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, t: fs.statSync(path.join(this.dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of files.slice(KEEP_RECORDS)) fs.rmSync(path.join(this.dir, f), { force: true });
  }
}
