// Pure, bounded log storage: keeps the head of every step's log in memory up to a
// byte budget shared by the whole build. Past the budget a step's further chunks go
// to the injected `spill` callback (fileLogStore.ts writes them to disk). Without a
// spill target the overflow is counted and read() says how much is missing, so bytes
// are never lost silently.
import type { LogStore } from './types';

export type SpillFn = (digest: string, stream: number, chunk: Uint8Array) => void;

export interface MemoryLogStoreOptions {
  /** in-memory budget for the whole build; default 64 MiB */
  maxBytes?: number;
  spill?: SpillFn;
}

interface StepLog {
  parts: Buffer[];
  kept: number;
  total: number;
  /** once a step overflowed, all its later chunks overflow too, to keep order */
  overflowed: boolean;
  dropped: number;
}

export const DEFAULT_MEMORY_LOG_BYTES = 64 * 1024 * 1024;

export class MemoryLogStore implements LogStore {
  private readonly maxBytes: number;
  private readonly spill?: SpillFn;
  private readonly steps = new Map<string, StepLog>();
  private used = 0;

  constructor(opts: MemoryLogStoreOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MEMORY_LOG_BYTES;
    this.spill = opts.spill;
  }

  append(digest: string, stream: number, chunk: Uint8Array): void {
    let log = this.steps.get(digest);
    if (!log) {
      log = { parts: [], kept: 0, total: 0, overflowed: false, dropped: 0 };
      this.steps.set(digest, log);
    }
    log.total += chunk.length;
    if (!log.overflowed && this.used + chunk.length <= this.maxBytes) {
      // copy: the wire buffer may be a view into a much larger message
      log.parts.push(Buffer.from(chunk));
      log.kept += chunk.length;
      this.used += chunk.length;
      return;
    }
    log.overflowed = true;
    if (this.spill) this.spill(digest, stream, chunk);
    else log.dropped += chunk.length;
  }

  /** the bytes held in memory for a step (its head when it overflowed) */
  head(digest: string): Buffer {
    const log = this.steps.get(digest);
    if (!log) return Buffer.alloc(0);
    if (log.parts.length > 1) log.parts = [Buffer.concat(log.parts)];
    return log.parts[0] ?? Buffer.alloc(0);
  }

  /** true when memory holds the step's whole log */
  isComplete(digest: string): boolean {
    return !this.steps.get(digest)?.overflowed;
  }

  /** bytes that overflowed with no spill target */
  dropped(digest: string): number {
    return this.steps.get(digest)?.dropped ?? 0;
  }

  read(digest: string): string {
    const text = this.head(digest).toString('utf8');
    const log = this.steps.get(digest);
    if (!log || !log.overflowed) return text;
    const missing = log.total - log.kept;
    return `${text}\n[buildkit-lens: ${missing} more bytes of this log were not kept in memory]\n`;
  }

  size(digest: string): number {
    return this.steps.get(digest)?.total ?? 0;
  }

  /** bytes held in memory for the whole build */
  memoryBytes(): number {
    return this.used;
  }

  dispose(): void {
    this.steps.clear();
    this.used = 0;
  }
}
