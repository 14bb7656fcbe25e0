// Every file of a small tarball, by name: an image's export or an OCI layout from -o type=oci.
import * as tar from 'tar-stream';

export function readTar(input: Buffer | NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const ex = tar.extract();
    ex.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: Buffer) => chunks.push(c));
      body.on('end', () => {
        files.set(h.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', () => resolve(files));
    ex.on('error', reject);
    if (Buffer.isBuffer(input)) ex.end(input);
    else input.pipe(ex);
  });
}
