/**
 * The LZ4 block codec (src/kafka/compression/lz4-block.ts) against lz4-napi's, on blocks of the
 * drain bench's records: 100 B or 1 KB JSON-like payloads (java-tools.ts `writePayloadFile`, what
 * the bench's preload producer writes), each record behind a short header. CPU microseconds per
 * block, and GB of uncompressed bytes per CPU second.
 *
 * - Decoding: 16 KiB blocks (a Java producer's batch), compressed by lz4-napi (lz4_flex). Ours
 *   decodes into a caller's buffer, lz4-napi returns a new native buffer per call.
 * - Encoding: 256 KiB blocks (a block of the frames we write, lz4.ts). Ours (the block in the
 *   module's memory, copied out as the frame writer does), lz4-napi's synchronous call, and its
 *   asynchronous one on libuv's pool (what the frame writer used before), each with the compressed
 *   size it gives.
 *
 *   node scripts/bench/lz4-block-bench.ts [--root DIR] [--seconds 2]
 *
 * `--root` measures another checkout's codec (an older commit unpacked next to this one); its
 * encoding rows are left out when that checkout has no encoder.
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
type EncodeBlock = (src: Uint8Array, from: number, to: number) => Uint8Array;
const { decodeLz4Block, encodeLz4Block } = (await import(
  pathToFileURL(join(root, 'src/kafka/compression/lz4-block.ts')).href
)) as { decodeLz4Block: DecodeBlock; encodeLz4Block?: EncodeBlock };

const BLOCK_INPUT = 16 * 1024;
const ENCODE_INPUT = 256 * 1024;
const BLOCKS = 64;
const ENCODE_BLOCKS = 8;

/** `count` runs of about `size` bytes of records (a 3-byte stand-in for each record's header). */
function recordRuns(payloads: string[], size: number, count: number): Buffer[] {
  const runs: Buffer[] = [];
  let next = 0;
  for (let b = 0; b < count; b++) {
    const parts: Buffer[] = [];
    let length = 0;
    while (length < size) {
      const payload = Buffer.from(payloads[next++ % payloads.length]!);
      parts.push(Buffer.from([0x10, 0x00, next & 0x7f]), payload);
      length += 3 + payload.length;
    }
    runs.push(Buffer.concat(parts).subarray(0, size));
  }
  return runs;
}

/** `BLOCKS` blocks of about 16 KiB of records, compressed by lz4-napi. */
function blocksOf(payloads: string[]): { blocks: Buffer[]; inputBytes: number } {
  const runs = recordRuns(payloads, BLOCK_INPUT, BLOCKS);
  return { blocks: runs.map((run) => lz4Native.compressSync(run)), inputBytes: runs.length * BLOCK_INPUT };
}

const dir = mkdtempSync(join(tmpdir(), 'lz4-block-bench-'));
const rows: string[] = [];
const encodeRows: string[] = [];
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

    const runs = recordRuns(payloads, ENCODE_INPUT, ENCODE_BLOCKS);
    const copy = Buffer.alloc(2 * ENCODE_INPUT);
    const input = (): Buffer => runs[k++ % ENCODE_BLOCKS]!;
    const cells: string[] = [];
    const cell = (micros: number, packed: number): string =>
      `${micros.toFixed(0)} | ${(ENCODE_INPUT / micros / 1000).toFixed(2)} | ${(ENCODE_INPUT / packed).toFixed(3)}`;
    if (encodeLz4Block !== undefined) {
      const encode = encodeLz4Block;
      const micros = await cpuMicrosPerCall(() => {
        const run = input();
        copy.set(encode(run, 0, run.length));
      }, SECONDS);
      cells.push(cell(micros, average(runs.map((run) => encode(run, 0, run.length).length))));
    } else cells.push('– | – | –');
    const napiSizes = average(runs.map((run) => lz4Native.compressSync(run).length - BLOCK_SIZE_PREFIX));
    cells.push(cell(await cpuMicrosPerCall(() => lz4Native.compressSync(input()), SECONDS), napiSizes));
    cells.push(cell(await cpuMicrosPerCall(() => lz4Native.compress(input()), SECONDS), napiSizes));
    encodeRows.push(`| ${size} B | ${cells.join(' | ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Node ${process.version}; codec from ${root}; ${SECONDS} s per cell\n`);
console.log('Decoding 16 KiB blocks\n');
console.log('| records | ratio | ours µs/block | ours GB/CPU s | lz4-napi µs/block | lz4-napi GB/CPU s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log('\nEncoding 256 KiB blocks (ratio: uncompressed / compressed bytes)\n');
console.log(
  '| records | ours µs/block | ours GB/CPU s | ours ratio | lz4-napi sync µs/block | GB/CPU s | ratio | lz4-napi pool µs/block | GB/CPU s | ratio |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of encodeRows) console.log(row);

function average(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
