/**
 * Where a node process's memory goes at its peak: preloaded with
 * `NODE_OPTIONS="--import $PWD/scripts/bench/memory-sampler.mjs"` (an absolute path: the mirror runs in its own folder), it samples `process.memoryUsage()`
 * every 100 ms and, at the sample with the highest RSS, V8's heap spaces, and writes them to
 * `$MEMORY_SAMPLER_DIR/memory-<pid>.json` (default the OS temp folder) every second and at exit.
 * The bench passes its environment to the mirror it starts, so one drain run says how much of our
 * peak RSS was V8 heap, buffers allocated by Node (`arrayBuffers`) and other external memory (a
 * native codec's output buffers): docs/benchmarks/2026-11-30-section-arena.md. Plain JavaScript: the
 * variable reaches every node process the bench starts, npm (on whatever node runs it) included.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';

const MB = 1024 * 1024;
const file = join(process.env['MEMORY_SAMPLER_DIR'] ?? tmpdir(), `memory-${process.pid}.json`);
/** @param {NodeJS.MemoryUsage} usage */
const inMb = (usage) => Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Math.round(v / MB)]));

/** @type {{ usage: Record<string, number>, heapSpaces: Record<string, number[]> } | undefined} */
let peak;
let peakRss = 0;
/** @type {Record<string, number>[]} */
const series = [];
const started = Date.now();

const write = () => writeFileSync(file, JSON.stringify({ argv: process.argv.slice(1), peak, series }, null, 1));

let samples = 0;
const timer = setInterval(() => {
  const usage = process.memoryUsage();
  series.push({ ms: Date.now() - started, ...inMb(usage) });
  if (usage.rss > peakRss) {
    peakRss = usage.rss;
    peak = {
      usage: inMb(usage),
      heapSpaces: Object.fromEntries(
        getHeapSpaceStatistics().map((s) => [
          s.space_name,
          [Math.round(s.space_size / MB), Math.round(s.space_used_size / MB)],
        ]),
      ),
    };
  }
  if (++samples % 10 === 0) write();
}, 100);
timer.unref();
process.on('exit', write);
