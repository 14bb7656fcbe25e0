import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { parseCommand, type BuildCommand } from '../../src/cli/args';
import { isArchive, withStdin } from '../../src/cli/stdinInput';
import { frontendAttrs, sessionDirs } from '../../src/buildkit/solveRequest';

const cmd = (args: string[]) => parseCommand(['build', ...args], {}, '/w') as BuildCommand;
const input = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

test('archives are told from Dockerfiles by their first bytes', () => {
  const tar = Buffer.alloc(512);
  tar.write('ustar', 257, 'latin1');
  assert.equal(isArchive(tar), true);
  assert.equal(isArchive(zlib.gzipSync('x')), true);
  assert.equal(isArchive(Buffer.from('BZh91AY')), true);
  assert.equal(isArchive(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1])), true);
  assert.equal(isArchive(Buffer.from('FROM busybox\nRUN true\n')), false);
  assert.equal(isArchive(Buffer.alloc(0)), false);
});

test('"build -" and "-f -": the flags, the folders made for them, removed again', async () => {
  assert.equal(cmd(['-']).stdin, 'context');
  assert.equal(cmd(['-f', '-', 'ctx']).stdin, 'dockerfile');
  assert.equal(cmd(['ctx']).stdin, undefined);
  // a build that does not read standard input never asks for it
  const plain = await withStdin(cmd(['/w/ctx']), () => assert.fail('standard input was opened'));
  assert.equal(plain.options.contextDir, '/w/ctx');
  assert.throws(() => cmd(['-f', '-', '-']), /standard input cannot be both the context/);

  // a Dockerfile on stdin, no context: an empty context and the Dockerfile in a folder of its own
  const a = await withStdin(cmd(['-']), () => input('FROM scratch\n'));
  assert.deepEqual(fs.readdirSync(a.options.contextDir), []);
  assert.equal(fs.readFileSync(a.options.dockerfile, 'utf8'), 'FROM scratch\n');
  assert.notEqual(path.dirname(a.options.dockerfile), a.options.contextDir, 'the Dockerfile is not in the context');
  a.cleanup();
  assert.equal(fs.existsSync(a.options.contextDir) || fs.existsSync(a.options.dockerfile), false);

  // -f -: the context stays the one given
  const b = await withStdin(cmd(['-f', '-', '/w/ctx']), () => input('FROM scratch\n'));
  assert.equal(b.options.contextDir, '/w/ctx');
  b.cleanup();

  // an archive: sent whole, -f names the Dockerfile inside it
  const tgz = zlib.gzipSync('not really a tar, but gzip');
  const c = await withStdin(cmd(['-f', 'sub/Dockerfile.dev', '-']), () => input(tgz));
  assert.deepEqual(c.options.contextArchive, tgz);
  const attrs = frontendAttrs(c.options);
  assert.equal(attrs.filename, 'sub/Dockerfile.dev');
  assert.match(attrs.context, /^http:\/\/buildkit-session\/[a-f0-9]{25}$/);
  assert.deepEqual(sessionDirs(c.options), { context: c.options.contextDir, dockerfile: c.options.contextDir });
  c.cleanup();

  await assert.rejects(withStdin(cmd(['-']), () => input('')), /the context \("-"\): standard input is empty/);
  await assert.rejects(withStdin(cmd(['-']), () => Object.assign(input('x'), { isTTY: true })), /standard input is a terminal/);
});
