// The benchmark contexts, shared by bench.ts (timings against buildx) and profile.ts (CPU profiles).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 20,000 small files in 200 folders plus one 100 MB file, FROM scratch + COPY . /ctx/. */
export function makeContext(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
  for (let d = 0; d < 200; d++) {
    const sub = path.join(dir, 'src', `pkg${String(d).padStart(3, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(sub, `file${f}.txt`), `package ${d} file ${f}\n`.repeat(1 + (f % 7)));
  }
  const big = fs.openSync(path.join(dir, 'big.bin'), 'w');
  const chunk = crypto.randomBytes(1 << 20);
  for (let i = 0; i < 100; i++) fs.writeSync(big, chunk);
  fs.closeSync(big);
}

export function cloneContext(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, preserveTimestamps: true });
  // a unique file so the COPY layer cannot come from the cache either
  fs.writeFileSync(path.join(to, 'unique.txt'), crypto.randomUUID());
}
