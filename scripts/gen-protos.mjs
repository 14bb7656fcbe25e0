// Compiles the .proto files into one JSON descriptor (committed), so the bundles need no .proto at run time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import protobuf from 'protobufjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const protoDir = path.join(here, '..', 'src', 'buildkit', 'proto');
const extra = { 'fsutil.proto': path.join(here, '..', 'src', 'buildkit', 'filesync', 'fsutil.proto') };

const root = new protobuf.Root();
root.resolvePath = (origin, target) => extra[path.basename(target)] ?? path.resolve(origin ? path.dirname(origin) : protoDir, target);
const files = fs.readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort().map((f) => path.join(protoDir, f));
root.loadSync(files, { keepCase: true });
root.resolveAll();
const out = path.join(protoDir, 'descriptors.json');
fs.writeFileSync(out, JSON.stringify(root.toJSON(), null, 1) + '\n');
console.log(`wrote ${path.relative(process.cwd(), out)} from ${files.length + 1} proto files`);
