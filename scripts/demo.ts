#!/usr/bin/env node
// `npm run demo`: the appliance's main job on an embedded default. Starts two local Kafka clusters,
// `eu` and `us`, from Maven jars, prints them, and keeps them up until Ctrl-C (or --once), then
// stops them. The replication part arrives with the source runtime (issue 4); until then the demo
// validates config/demo.properties against the running clusters with the drop-in CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './kafka/paths.ts';
import { formatClusterList, startTestBed } from './kafka/testbed.ts';

const log = (line: string): void => console.log(`[demo] ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { once: { type: 'boolean', default: false } } });
  const bed = await startTestBed({ aliases: ['eu', 'us'], ownerPid: process.pid, log });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping clusters');
    await bed.stop();
    log('done');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  try {
    log(`clusters: ${formatClusterList(bed.bootstrap)}`);
    const template = join(REPO_ROOT, 'config', 'demo.properties');
    const cli = join(REPO_ROOT, 'src', 'cli', 'connect-mirror-maker.ts');
    if (existsSync(template) && existsSync(cli)) {
      const file = join(mkdtempSync(join(tmpdir(), 'mm2-demo-')), 'demo.properties');
      const text = readFileSync(template, 'utf8')
        .replace(/^eu\.bootstrap\.servers\s*=.*$/m, `eu.bootstrap.servers = ${bed.bootstrap['eu']}`)
        .replace(/^us\.bootstrap\.servers\s*=.*$/m, `us.bootstrap.servers = ${bed.bootstrap['us']}`);
      writeFileSync(file, text);
      log(`connect-mirror-maker ${file}`);
      spawnSync(process.execPath, [cli, file], { stdio: 'inherit' });
    }
    if (values.once) return await stop();
    log('clusters stay up until Ctrl-C');
    await new Promise<void>((resolveWait) => {
      const timer = setInterval(() => stopping && (clearInterval(timer), resolveWait()), 200);
    });
  } catch (err) {
    await stop();
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
