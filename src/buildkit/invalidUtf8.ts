// The engine cannot put a message holding invalid UTF-8 into its gRPC error (protobuf strings must
// be UTF-8): it resets the stream instead, and the client only sees "RST_STREAM ... Internal".
// When the Dockerfile has such bytes, say where they are.
import * as fs from 'node:fs';
import * as path from 'node:path';

const strict = new TextDecoder('utf-8', { fatal: true });

/** 1-based number of the first line that is not valid UTF-8, if any. */
export function firstInvalidUtf8Line(data: Buffer): number | undefined {
  let start = 0;
  for (let line = 1; start <= data.length; line++) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    try {
      strict.decode(data.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return undefined;
}

/** A clearer message for a reset Solve, when the Dockerfile explains it; else undefined. */
export function explainResetByDockerfile(details: string, dockerfile: string): string | undefined {
  if (!/RST_STREAM/.test(details)) return undefined;
  let line: number | undefined;
  try {
    line = firstInvalidUtf8Line(fs.readFileSync(dockerfile));
  } catch {
    return undefined;
  }
  if (line === undefined) return undefined;
  return `the engine failed without a message (${details.trim()}): ${path.basename(dockerfile)}:${line} is not valid UTF-8`;
}
