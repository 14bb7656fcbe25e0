import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as protobuf from 'protobufjs';
import { Metadata } from '@grpc/grpc-js';
import { cleanErrorMessage, decodeBuildError, formatSourceExcerpt } from '../../src/buildkit/errorDetails';

// google.rpc.Status as the engine sends it in grpc-status-details-bin
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
          },
        },
      },
    },
  },
});
const Status = root.lookupType('google.rpc.Status');

const BK = 'github.com/moby/buildkit';
const DOCKERFILE = 'FROM alpine\nWORKDIR /app\nCOPY missing.txt /\nRUN true\n';
const VERTEX = 'sha256:8f5c2bd14e3b1d0ac97e35cfa0b7a1c4bd0d6f1e87ad9e0c6a9c1c3e5b2f4d70';

function detail(typeUrl: string, json: unknown) {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(json)) };
}

function grpcError(code: number, message: string, details: { type_url: string; value: Buffer }[]) {
  const md = new Metadata();
  md.add('grpc-status-details-bin', Buffer.from(Status.encode(Status.fromObject({ code, message, details })).finish()));
  return { code, details: message, message: `${code} UNKNOWN: ${message}`, metadata: md };
}

const MISSING = 'failed to compute cache key: failed to calculate checksum of ref 3f1c…::k2l: "/missing.txt": not found';

test('COPY of a missing file: message, Dockerfile range and failing vertex', () => {
  const err = grpcError(2, MISSING, [
    detail(`${BK}/stack.Stack+json`, { frames: [{ Name: 'main.main', File: 'main.go', Line: 1 }], pid: 1, version: 'v0.13.2' }),
    detail(`${BK}/stack.Stack+json`, { frames: [], pid: 1 }),
    detail(`${BK}/errdefs.Source+json`, {
      info: { filename: 'Dockerfile', data: Buffer.from(DOCKERFILE).toString('base64'), language: 'Dockerfile' },
      ranges: [{ start: { line: 3 }, end: { line: 3 } }],
    }),
    detail(`${BK}/errdefs.Vertex+json`, { digest: VERTEX }),
  ]);
  const e = decodeBuildError(err);
  assert.equal(e.message, MISSING);
  assert.equal(e.code, 2);
  assert.equal(e.vertex, VERTEX);
  assert.deepEqual(e.sources, [
    { filename: 'Dockerfile', language: 'Dockerfile', data: DOCKERFILE, ranges: [{ startLine: 3, endLine: 3, startCharacter: 0, endCharacter: 0 }] },
  ]);
  assert.deepEqual(formatSourceExcerpt(e.sources[0]), [
    'Dockerfile:3',
    '--------------------',
    '   1 |     FROM alpine',
    '   2 |     WORKDIR /app',
    '   3 | >>> COPY missing.txt /',
    '   4 |     RUN true',
    '   5 |     ',
    '--------------------',
  ]);
});

test('parse error: source without vertex', () => {
  const df = 'FROM alpine\nFOO bar\n';
  const e = decodeBuildError(
    grpcError(2, 'dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)', [
      detail(`${BK}/errdefs.Source+json`, { info: { filename: 'Dockerfile', data: Buffer.from(df).toString('base64') }, ranges: [{ start: { line: 2 }, end: { line: 2 } }] }),
    ]),
  );
  assert.equal(e.message, 'dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)');
  assert.equal(e.vertex, undefined);
  assert.equal(e.sources[0].language, '');
  assert.equal(e.sources[0].ranges[0].startLine, 2);
});

test('a multi-line instruction: one range per line, all marked', () => {
  const df = 'FROM alpine\nRUN a && \\\n    b && \\\n    c\nRUN d\nRUN e\nRUN f\n';
  const e = decodeBuildError(
    grpcError(2, 'process "/bin/sh -c a && b && c" did not complete successfully: exit code: 1', [
      detail(`${BK}/errdefs.Source+json`, {
        info: { filename: 'Dockerfile', data: Buffer.from(df).toString('base64'), language: 'Dockerfile' },
        ranges: [2, 3, 4].map((line) => ({ start: { line }, end: { line } })),
      }),
    ]),
  );
  assert.deepEqual(formatSourceExcerpt(e.sources[0]), [
    'Dockerfile:2',
    '--------------------',
    '   1 |     FROM alpine',
    '   2 | >>> RUN a && \\',
    '   3 | >>>     b && \\',
    '   4 | >>>     c',
    '   5 |     RUN d',
    '--------------------',
  ]);
});

test('several sources are kept in order; unknown and broken details are skipped', () => {
  const src = (line: number) => ({ info: { filename: `Dockerfile.${line}`, data: Buffer.from('a\nb\nc\n').toString('base64') }, ranges: [{ start: { line } }] });
  const e = decodeBuildError(
    grpcError(2, 'boom', [
      detail(`${BK}/errdefs.Source+json`, src(1)),
      { type_url: `${BK}/errdefs.Vertex+json`, value: Buffer.from('{not json') },
      detail(`${BK}/errdefs.Solve+json`, { op: {} }),
      detail(`${BK}/errdefs.Source+json`, src(2)),
    ]),
  );
  assert.deepEqual(e.sources.map((s) => [s.filename, s.ranges[0].startLine, s.ranges[0].endLine]), [['Dockerfile.1', 1, 1], ['Dockerfile.2', 2, 2]]);
  assert.equal(e.vertex, undefined);
});

test('without details: one clean line from the gRPC message', () => {
  const e = decodeBuildError({
    code: 2,
    message: '2 UNKNOWN: rpc error: code = Unknown desc = failed to solve: rpc error: code = NotFound desc = image not found\n',
  });
  assert.equal(e.message, 'failed to solve: image not found');
  assert.deepEqual(e.sources, []);
});

test('client cancel keeps code 1', () => {
  const md = new Metadata();
  const e = decodeBuildError({ code: 1, details: 'Cancelled on client', message: '1 CANCELLED: Cancelled on client', metadata: md });
  assert.equal(e.code, 1);
  assert.equal(e.message, 'Cancelled on client');
});

test('a malformed details trailer does not hide the error', () => {
  const md = new Metadata();
  md.add('grpc-status-details-bin', Buffer.from([0x0a, 0xff, 0xff, 0xff]));
  const e = decodeBuildError({ code: 13, details: 'internal: oops', metadata: md });
  assert.equal(e.message, 'internal: oops');
  assert.equal(e.code, 13);
});

test('cleanErrorMessage joins lines and strips nested prefixes', () => {
  assert.equal(cleanErrorMessage('rpc error: code = Unknown desc = a\n  b\n'), 'a b');
  assert.equal(cleanErrorMessage('14 UNAVAILABLE: connection refused'), 'connection refused');
});

test('excerpt: nothing without file data or with a range outside the file', () => {
  assert.deepEqual(formatSourceExcerpt({ filename: 'Dockerfile', language: '', ranges: [{ startLine: 1, endLine: 1, startCharacter: 0, endCharacter: 0 }] }), []);
  assert.deepEqual(formatSourceExcerpt({ filename: 'D', language: '', data: 'a\n', ranges: [{ startLine: 9, endLine: 9, startCharacter: 0, endCharacter: 0 }] }), []);
});

test('real trailer from Docker 26.1.5 (COPY of a missing file): source, vertex, stacks ignored', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const file = path.resolve(__dirname, '../../../test/fixtures/status/recorded-engine26-error-copy-missing.json');
  const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
  const md = new Metadata();
  md.add('grpc-status-details-bin', Buffer.from(rec.statusDetailsBin, 'base64'));
  const e = decodeBuildError({ code: rec.code, details: rec.details, message: rec.message, metadata: md });
  assert.match(e.message, /^failed to compute cache key: failed to calculate checksum of ref [^ ]+: "\/missing.txt": not found$/);
  assert.equal(e.code, 2);
  assert.equal(e.vertex, 'sha256:245405eb4db6a14e35fd2b28384aa0c55e95129345c3fbeb1e1b5ed21c791791');
  assert.equal(e.sources.length, 1);
  assert.equal(e.sources[0].filename, 'Dockerfile');
  assert.equal(e.sources[0].data, 'FROM busybox:latest\nWORKDIR /app\nCOPY missing.txt /\nRUN true\n');
  assert.deepEqual(e.sources[0].ranges, [{ startLine: 3, endLine: 3, startCharacter: 0, endCharacter: 0 }]);
  assert.deepEqual(formatSourceExcerpt(e.sources[0]).slice(0, 5), ['Dockerfile:3', '--------------------', '   1 |     FROM busybox:latest', '   2 |     WORKDIR /app', '   3 | >>> COPY missing.txt /']);
});

test('an engine\'s refusal of what the build asked for is said as what to give it', () => {
  const e = decodeBuildError({ code: 2, details: 'failed to solve with frontend dockerfile.v0: unsupported frontend capability moby.buildkit.frontend.contexts' });
  assert.match(e.message, /^named build contexts need BuildKit 0\.10 or later/);
  const oci = decodeBuildError({ code: 2, details: 'failed to resolve source metadata for docker.io/library/base@sha256:1: unknown scheme oci-layout: not found' });
  assert.match(oci.message, /^oci-layout:\/\/ build contexts need the containerd image store, and this engine uses the classic store: turn it on/);
  const noStore = decodeBuildError({ code: 2, details: 'exporter "moby" could not be found' });
  assert.match(noStore.message, /^this BuildKit daemon has no Docker image store .*-o type=docker,dest=FILE/);
  assert.equal(decodeBuildError({ code: 2, details: 'exit code: 3' }).message, 'exit code: 3');
});
