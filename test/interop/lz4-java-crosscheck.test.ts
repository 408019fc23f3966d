import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLz4Block } from '../../src/kafka/compression/lz4-block.ts';
import { DEFAULT_KAFKA_VERSION } from '../../scripts/kafka/versions.ts';
import { runJavaSource } from '../support/java.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Our LZ4 block encoder (src/kafka/compression/lz4-block.wat) against lz4-java, the library
 * Kafka's own clients compress and decompress lz4 batches with (test/java/interop/Lz4Blocks.java):
 * its safe decompressor, which checks the format's end rules, restores every input from our
 * blocks, and its compressor (JNI over the reference encoder, lz4.c) writes the same bytes as ours.
 */

const dir = mkdtempSync(join(tmpdir(), 'lz4-java-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records-like input: JSON-ish text with repeats near and far, runs, and random bytes. */
function recordsLike(size: number, random: () => number): Buffer {
  const words = ['"id":', '"name":"', 'order-', '"amount":', ',"ts":17000', '}', '{', 'null', 'true'];
  const out = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const kind = random();
    let piece: Buffer;
    if (kind < 0.5) piece = Buffer.from(words[Math.floor(random() * words.length)]!);
    else if (kind < 0.7) piece = Buffer.from(String(Math.floor(random() * 1e6)));
    else if (kind < 0.8) piece = Buffer.alloc(1 + Math.floor(random() * 300), Math.floor(random() * 256));
    else if (kind < 0.9 && at > 64) {
      const from = Math.max(0, at - 1 - Math.floor(random() * 70_000));
      piece = Buffer.from(out.subarray(from, Math.min(at, from + 1 + Math.floor(random() * 500))));
    } else piece = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 60) }, () => Math.floor(random() * 256)));
    at += piece.copy(out, at);
  }
  return out;
}

function lengthPrefixed(parts: Uint8Array[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, Buffer.from(part)];
    }),
  );
}

describe('our LZ4 blocks against lz4-java, Kafka’s LZ4 library', () => {
  it('lz4-java restores every input from our blocks, and its compressor writes the same bytes as ours (seeded)', async () => {
    const random = seededRandom(0x4a11);
    // Either side of the 65,547-byte switch between the reference encoder's two hash tables.
    const sizes = [0, 1, 12, 13, 14, 100, 1_000, 16_384, 65_546, 65_547, 65_548, 100_000, 262_144];
    for (let i = 0; i < 27; i++) sizes.push(Math.floor(random() * 262_144));
    const inputs = sizes.map((size) => recordsLike(size, random));
    const ours = inputs.map((input) => Buffer.from(encodeLz4Block(input, 0, input.length)));
    writeFileSync(join(dir, 'inputs'), lengthPrefixed(inputs));
    writeFileSync(join(dir, 'blocks'), lengthPrefixed(ours));
    const compressor = await runJavaSource(DEFAULT_KAFKA_VERSION, 'interop/Lz4Blocks.java', [
      join(dir, 'inputs'),
      join(dir, 'blocks'),
      join(dir, 'out'),
    ]);
    const answers = readFileSync(join(dir, 'out'));
    let at = 0;
    for (let i = 0; i < inputs.length; i++) {
      const length = answers.readUInt32BE(at);
      const theirs = answers.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      const restores = answers[at++] === 1;
      expect(restores, `input ${i} (${sizes[i]} bytes): lz4-java restores it from our block`).toBe(true);
      expect(ours[i]!.toString('hex'), `input ${i} (${sizes[i]} bytes): the same block as lz4-java's`).toBe(
        theirs.toString('hex'),
      );
    }
    expect(at).toBe(answers.length);
    // The JNI build is the reference encoder; lz4-java's pure-Java fallbacks are ports of it.
    expect(compressor.trim()).toMatch(/^net\.jpountz\.lz4\.LZ4(JNI|JavaUnsafe|JavaSafe)Compressor$/);
  });
});
