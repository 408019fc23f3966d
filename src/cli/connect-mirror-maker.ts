#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=100
/**
 * The `connect-mirror-maker` bin: always runs the appliance (connect-mirror-maker-main.ts), so it
 * works however it is started — npm's bin links, npx, a global install, the container's
 * /usr/local/bin link, or `node src/cli/connect-mirror-maker.ts` — with no "am I the main module"
 * test to be fooled by a symlink. It imports only node-version.ts statically: ES modules evaluate
 * their static imports before any code, so on a Node older than `engines` the rest is imported
 * only after the version check has said which Node is needed.
 *
 * The shebang caps V8's young generation at 3 × 16 MB (Node 24's default grows it to 3 × 64 MB
 * under this allocation rate). Measured in the backlog drain (docs/benchmarks): peak RSS −20 %,
 * CPU per record −10 %, throughput no lower. It also fixes at 2 the factor by which the old
 * generation may grow past what the last full collection kept: V8 picks 1.1–4 from its GC and
 * mutator speeds (MemoryController, src/heap/heap-controller.cc) and picks high while the process
 * allocates fast, so objects that outlived two scavenges and died soon after (the record objects
 * of a drain, the produce retries of 8,000 partitions waiting for their leaders) piled up to four
 * times the live heap. Measured (docs/benchmarks/2026-12-01-scale-8.md): peak RSS at 8,000
 * partitions 336–421 → 316 MB, 100 B lz4 drain 284–296 → 243–248 MB for ~5 % more CPU there; the
 * cost is 1 KB uncompressed records, +20–35 % CPU for no memory gain (their large buffers'
 * collections start sooner too). `scripts/mirror-node-flags.ts` reads the flags from
 * this line, so the benchmark and the demo run what the bin runs.
 */
import { assertSupportedNode } from './node-version.ts';

assertSupportedNode();
const { runConnectMirrorMaker } = await import('./connect-mirror-maker-main.ts');
await runConnectMirrorMaker(process.argv.slice(2));
