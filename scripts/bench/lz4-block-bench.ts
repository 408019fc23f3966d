/**
 * The LZ4 block decoder (src/kafka/compression/lz4-block.ts) against lz4-napi's block decoder, on
 * blocks of the drain bench's records: 16 KiB of 100 B or 1 KB JSON-like payloads (java-tools.ts
 * `writePayloadFile`, what the bench's preload producer writes), each record behind a short
 * header, compressed by lz4-napi (lz4_flex). CPU microseconds per block, and decoded GB per CPU
 * second; ours decodes into a caller's buffer, lz4-napi returns a new native buffer per call.
 *
 *   node scripts/bench/lz4-block-bench.ts [--root DIR] [--seconds 2]
 *
 * `--root` measures another checkout's decoder (an older commit unpacked next to this one).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as lz4Native from 'lz4-napi';
import { BLOCK_SIZE_PREFIX } from '../../src/kafka/compression/lz4.ts';
import { REPO_ROOT } from '../kafka/paths.ts';
import { cpuMicrosPerCall } from './cpu-per-call.ts';
import { writePayloadFile } from './java-tools.ts';

const { values } = parseArgs({ options: { root: { type: 'string' }, seconds: { type: 'string' } } });
const root = resolve(values.root ?? REPO_ROOT);
const SECONDS = Number(values.seconds ?? 2);
type DecodeBlock = (src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number, limit: number) => number;
const { decodeLz4Block } = (await import(pathToFileURL(join(root, 'src/kafka/compression/lz4-block.ts')).href)) as {
  decodeLz4Block: DecodeBlock;
};

const BLOCK_INPUT = 16 * 1024;
const BLOCKS = 64;

/** `BLOCKS` blocks of about 16 KiB of records (a 3-byte stand-in for each record's header). */
function blocksOf(payloads: string[]): { blocks: Buffer[]; inputBytes: number } {
  const blocks: Buffer[] = [];
  let next = 0;
  let inputBytes = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const parts: Buffer[] = [];
    let size = 0;
    while (size < BLOCK_INPUT) {
      const payload = Buffer.from(payloads[next++ % payloads.length]!);
      parts.push(Buffer.from([0x10, 0x00, next & 0x7f]), payload);
      size += 3 + payload.length;
    }
    inputBytes += size;
    blocks.push(lz4Native.compressSync(Buffer.concat(parts)));
  }
  return { blocks, inputBytes };
}

const dir = mkdtempSync(join(tmpdir(), 'lz4-block-bench-'));
const rows: string[] = [];
try {
  for (const size of [100, 1024]) {
    const payloads = readFileSync(writePayloadFile(dir, size, 2_000), 'utf8').split('\n');
    const { blocks, inputBytes } = blocksOf(payloads);
    const compressed = blocks.reduce((n, b) => n + b.length - BLOCK_SIZE_PREFIX, 0);
    const perBlock = inputBytes / BLOCKS;
    const out = Buffer.alloc(2 * BLOCK_INPUT);
    let k = 0;
    const ours = await cpuMicrosPerCall(() => {
      const block = blocks[k++ % BLOCKS]!;
      return decodeLz4Block(block, BLOCK_SIZE_PREFIX, block.length, out, 0, out.length);
    }, SECONDS);
    const napi = await cpuMicrosPerCall(() => lz4Native.uncompressSync(blocks[k++ % BLOCKS]!), SECONDS);
    const ratio = (inputBytes / compressed).toFixed(2);
    const gbps = (micros: number): string => (perBlock / micros / 1000).toFixed(2);
    rows.push(`| ${size} B | ${ratio} | ${ours.toFixed(1)} | ${gbps(ours)} | ${napi.toFixed(1)} | ${gbps(napi)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Node ${process.version}; decoder from ${root}; ${SECONDS} s per cell; 16 KiB blocks\n`);
console.log('| records | ratio | ours µs/block | ours GB/CPU s | lz4-napi µs/block | lz4-napi GB/CPU s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
