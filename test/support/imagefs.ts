// An image's filesystem as a comparable listing: create a (never started) container and read
// its export tar. Paths, types, modes, sizes, content hashes and link targets; no times.
import * as crypto from 'node:crypto';
import Docker from 'dockerode';
import * as tar from 'tar-stream';

export interface FsEntry {
  type: string;
  mode: number;
  size: number;
  sha256?: string;
  linkname?: string;
}

// Files every container gets from the engine, not from the image build.
const ENGINE_MADE = /^(\.dockerenv|etc\/(hosts|hostname|resolv\.conf|mtab)|dev(\/.*)?|proc|sys)$/;

export async function imageFilesystem(docker: Docker, image: string): Promise<Map<string, FsEntry>> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/nonexistent'], NetworkDisabled: true });
  try {
    const stream = await container.export();
    const out = new Map<string, FsEntry>();
    await new Promise<void>((resolve, reject) => {
      const extract = tar.extract();
      extract.on('entry', (h, body, next) => {
        const name = h.name.replace(/^\.?\//, '').replace(/\/$/, '');
        const hash = crypto.createHash('sha256');
        body.on('data', (d: Buffer) => hash.update(d));
        body.on('end', () => {
          if (name && !ENGINE_MADE.test(name)) {
            out.set(name, {
              type: h.type ?? 'file',
              mode: (h.mode ?? 0) & 0o7777,
              size: h.size ?? 0,
              sha256: h.type === 'file' ? hash.digest('hex') : undefined,
              linkname: h.linkname || undefined,
            });
          }
          next();
        });
        body.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.on('error', reject);
      stream.pipe(extract);
    });
    return out;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Lines "path: what differs" between two listings; empty when they are the same. */
export function diffFilesystems(a: Map<string, FsEntry>, b: Map<string, FsEntry>): string[] {
  const out: string[] = [];
  for (const [p, ea] of a) {
    const eb = b.get(p);
    if (!eb) out.push(`${p}: only in first`);
    else if (JSON.stringify(ea) !== JSON.stringify(eb)) out.push(`${p}: ${JSON.stringify(ea)} != ${JSON.stringify(eb)}`);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`${p}: only in second`);
  return out;
}
