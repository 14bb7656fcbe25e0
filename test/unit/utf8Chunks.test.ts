// Utf8Chunks gives, chunk by chunk, exactly what TextDecoder's streaming mode gives (the model used
// that before; it goes through ICU and is ~8× slower).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Utf8Chunks } from '../../src/progress/utf8Chunks';

const enc = new TextEncoder();

function bothWays(chunks: Uint8Array[]): { ours: string[]; streaming: string[] } {
  const ours = new Utf8Chunks();
  const streaming = new TextDecoder();
  return { ours: chunks.map((c) => ours.decode(c)), streaming: chunks.map((c) => streaming.decode(c, { stream: true })) };
}

test('a character split across chunks comes out whole, with the chunk that completes it', () => {
  const bytes = enc.encode('é中😀!');
  const chunks = [...bytes].map((b) => Uint8Array.of(b));
  const { ours, streaming } = bothWays(chunks);
  assert.deepEqual(ours, streaming);
  assert.equal(ours.join(''), 'é中😀!');
  assert.deepEqual(ours.filter(Boolean), ['é', '中', '😀', '!']);
});

test('bytes that can never become a character are U+FFFD at once, not held back', () => {
  for (const tail of [[0xff], [0xc0], [0xe0, 0x80], [0xed, 0xa0], [0xf4, 0x90], [0xf5]]) {
    const { ours, streaming } = bothWays([Uint8Array.of(0x61, ...tail), Uint8Array.of(0x62)]);
    assert.deepEqual(ours, streaming, tail.join(','));
    assert.ok(ours[0].endsWith('\ufffd'), tail.join(','));
  }
});

test('a byte order mark is dropped where the stream starts (even when cut), kept anywhere else', () => {
  const bom = [0xef, 0xbb, 0xbf];
  for (const chunks of [[[...bom, 0x61], [...bom, 0x62]], [[0xef, 0xbb], [0xbf, 0x61, ...bom]], [[], [...bom], [...bom]]]) {
    const { ours, streaming } = bothWays(chunks.map((c) => Uint8Array.from(c)));
    assert.deepEqual(ours, streaming, JSON.stringify(chunks));
  }
  assert.deepEqual(bothWays([Uint8Array.from([...bom, 0x61]), Uint8Array.from([...bom, 0x62])]).ours, ['a', '\ufeffb']);
});

test('any bytes, cut anywhere: the same text per chunk as the streaming decoder (seeded, 50,000 cases)', () => {
  let seed = 1234567;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  // mostly bytes around UTF-8's boundaries: ASCII, continuation, every kind of lead byte, and BOMs
  const pick = () => [0x61, 0x80 + ((rand() * 64) | 0), 0xc0 + ((rand() * 32) | 0), 0xe0 + ((rand() * 16) | 0), 0xf0 + ((rand() * 16) | 0), -1][(rand() * 6) | 0];
  for (let t = 0; t < 50_000; t++) {
    const bytes = Uint8Array.from(Array.from({ length: 1 + ((rand() * 12) | 0) }, pick).flatMap((b) => (b < 0 ? [0xef, 0xbb, 0xbf] : [b])));
    const chunks: Uint8Array[] = [];
    let start = 0;
    for (let i = 1; i <= bytes.length; i++) {
      if (i === bytes.length || rand() < 0.4) {
        chunks.push(bytes.subarray(start, i));
        start = i;
      }
    }
    const { ours, streaming } = bothWays(chunks);
    assert.deepEqual(ours, streaming, Buffer.from(bytes).toString('hex'));
  }
});
