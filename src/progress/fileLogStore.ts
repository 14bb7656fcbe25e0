// The I/O side of log storage (the only module in src/progress that touches the disk):
// a LogStore that keeps the head of each log in memory (MemoryLogStore) and, as soon
// as a step outgrows the memory budget, writes that step's whole log (head + every
// later chunk) to its own temp file, so read() always returns everything.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { folderPrefix, removeFoldersOfEndedProcessesOnce } from '../staleFolders';
import { MemoryLogStore } from './memoryLogStore';
import type { LogStore } from './types';

export interface FileLogStoreOptions {
  /** in-memory budget for the whole build; default 64 MiB */
  maxMemoryBytes?: number;
  /** parent directory for the per-build temp directory; default os.tmpdir() */
  tmpRoot?: string;
}

interface StepFile {
  path: string;
  pending: Buffer[];
  pendingBytes: number;
}

const FLUSH_BYTES = 256 * 1024;
/** buildkit-lens-logs-<pid>-XXXXXX */
const PREFIX = 'buildkit-lens-logs-';

export class FileLogStore implements LogStore {
  private readonly memory: MemoryLogStore;
  private readonly files = new Map<string, StepFile>();
  private readonly tmpRoot: string;
  private dir?: string;
  private writeError?: string;
  private disposed = false;

  constructor(opts: FileLogStoreOptions = {}) {
    this.tmpRoot = opts.tmpRoot ?? os.tmpdir();
    this.memory = new MemoryLogStore({
      maxBytes: opts.maxMemoryBytes,
      spill: (digest, _stream, chunk) => this.spill(digest, chunk),
    });
  }

  append(digest: string, stream: number, chunk: Uint8Array): void {
    // status still arriving as a disposed build winds down must not make a folder nothing removes
    if (this.disposed) return;
    this.memory.append(digest, stream, chunk);
  }

  read(digest: string): string {
    if (this.memory.isComplete(digest)) return this.memory.read(digest);
    const file = this.files.get(digest);
    if (!file) return this.memory.read(digest);
    this.flush(file);
    let onDisk: Buffer;
    try {
      onDisk = fs.existsSync(file.path) ? fs.readFileSync(file.path) : Buffer.alloc(0);
    } catch (e) {
      return `${this.memory.read(digest)}[buildkit-lens: cannot read ${file.path}: ${(e as Error).message}]\n`;
    }
    // whatever could not be written yet is still pending in memory
    return Buffer.concat([onDisk, ...file.pending]).toString('utf8');
  }

  size(digest: string): number {
    return this.memory.size(digest);
  }

  /** a file holding the step's whole log (written now if it only lived in memory) */
  filePath(digest: string): string {
    const file = this.files.get(digest) ?? this.openFile(digest, this.memory.head(digest));
    this.flush(file);
    return file.path;
  }

  /** bytes of log heads held in memory (bounded by maxMemoryBytes) */
  memoryBytes(): number {
    return this.memory.memoryBytes();
  }

  /** the last disk error, if writing a log file ever failed (the bytes were kept in memory) */
  lastWriteError(): string | undefined {
    return this.writeError;
  }

  /** where the files go; undefined until the first one is written */
  directory(): string | undefined {
    return this.dir;
  }

  dispose(): void {
    this.disposed = true;
    this.memory.dispose();
    this.files.clear();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private spill(digest: string, chunk: Uint8Array): void {
    // the first overflow of a step carries its in-memory head to the file
    const file = this.files.get(digest) ?? this.openFile(digest, this.memory.head(digest));
    file.pending.push(Buffer.from(chunk));
    file.pendingBytes += chunk.length;
    if (file.pendingBytes >= FLUSH_BYTES) this.flush(file);
  }

  private openFile(digest: string, head: Buffer): StepFile {
    const name = `${digest.replace(/[^A-Za-z0-9]/g, '_').slice(-40)}-${this.files.size}.log`;
    const file: StepFile = { path: path.join(this.directoryOrCreate(), name), pending: [head], pendingBytes: head.length };
    this.files.set(digest, file);
    return file;
  }

  private directoryOrCreate(): string {
    if (this.dir) return this.dir;
    // the folders of a crashed or killed extension host hold the largest logs: the next one removes them
    removeFoldersOfEndedProcessesOnce(this.tmpRoot, PREFIX);
    try {
      this.dir = fs.mkdtempSync(path.join(this.tmpRoot, folderPrefix(PREFIX)));
    } catch (e) {
      // keep going in memory (flush keeps retrying); lastWriteError() tells why
      this.writeError = (e as Error).message;
      return path.join(this.tmpRoot, 'buildkit-lens-logs-unavailable');
    }
    return this.dir;
  }

  private flush(file: StepFile): void {
    if (file.pending.length === 0) return;
    const data = file.pending.length === 1 ? file.pending[0] : Buffer.concat(file.pending);
    try {
      fs.appendFileSync(file.path, data);
    } catch (e) {
      // never drop bytes: they stay pending and the next flush tries again
      file.pending = [data];
      this.writeError = (e as Error).message;
      return;
    }
    file.pending = [];
    file.pendingBytes = 0;
  }
}
