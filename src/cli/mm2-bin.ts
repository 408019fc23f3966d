#!/usr/bin/env node
/**
 * The `mm2` bin: always runs the tool (mm2.ts), however it is started (npm's bin links, npx, a
 * global install, the container's link). Like connect-mirror-maker.ts, it imports only
 * node-version.ts statically, so a Node older than `engines` is told which Node is needed.
 */
import { assertSupportedNode } from './node-version.ts';

assertSupportedNode();
const { runMm2 } = await import('./mm2.ts');
await runMm2(process.argv.slice(2));
