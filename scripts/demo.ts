#!/usr/bin/env node
// `npm run demo`: the appliance's main job on an embedded default. Starts two local Kafka clusters,
// `eu` and `us` (Maven Central jars, loopback), fills a sample topic `orders` on eu and keeps a
// trickle of new records flowing, runs `connect-mirror-maker config/demo.properties` against them,
// and prints a live line per mirrored topic (records on each side and the lag) until Ctrl-C; then
// stops the mirror and the clusters. `--seconds N` stops by itself after N seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openKafkaCluster, type KafkaAdmin } from '../src/kafka/index.ts';
import { MIRROR_SCRIPT, mirrorNodeFlags } from './mirror-node-flags.ts';
import { REPO_ROOT } from './kafka/paths.ts';
import { formatClusterList, startTestBed } from './kafka/testbed.ts';

const log = (line: string): void => console.log(`[demo] ${line}`);

async function totalRecords(admin: KafkaAdmin, topic: string): Promise<bigint | undefined> {
  try {
    const offsets = await admin.listOffsets(topic);
    return offsets.reduce((sum, o) => sum + (o.latest - o.earliest), 0n);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
  const bed = await startTestBed({ aliases: ['eu', 'us'], ownerPid: process.pid, log });
  const eu = openKafkaCluster({
    clientId: 'demo',
    bootstrapServers: [bed.bootstrap['eu']!],
    securityProtocol: 'PLAINTEXT',
  });
  const us = openKafkaCluster({
    clientId: 'demo',
    bootstrapServers: [bed.bootstrap['us']!],
    securityProtocol: 'PLAINTEXT',
  });
  const euAdmin = await eu.admin();
  const usAdmin = await us.admin();
  let stopping = false;
  const timers: NodeJS.Timeout[] = [];

  log(`clusters: ${formatClusterList(bed.bootstrap)}`);
  await euAdmin.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1 }]);
  const sink = await eu.recordSink({ compression: 'lz4' });
  let seq = 0;
  const batch = (n: number) =>
    Array.from({ length: n }, () => {
      const i = seq++;
      return {
        partition: i % 3,
        key: Buffer.from(`order-${i}`),
        value: Buffer.from(JSON.stringify({ id: i, amount: i % 97 })),
      };
    });
  await sink.send('orders', batch(10_000));
  log('filled eu/orders with 10,000 records; adding 100 records/s');
  timers.push(setInterval(() => void sink.send('orders', batch(100)).catch(() => {}), 1000));

  const file = join(mkdtempSync(join(tmpdir(), 'mm2-demo-')), 'demo.properties');
  const text = readFileSync(join(REPO_ROOT, 'config', 'demo.properties'), 'utf8')
    .replace(/^eu\.bootstrap\.servers\s*=.*$/m, `eu.bootstrap.servers = ${bed.bootstrap['eu']}`)
    .replace(/^us\.bootstrap\.servers\s*=.*$/m, `us.bootstrap.servers = ${bed.bootstrap['us']}`);
  writeFileSync(file, `${text}\nmm2ts.http.listener = 127.0.0.1:18083\n`);
  log(`connect-mirror-maker ${file}   (metrics: http://127.0.0.1:18083/metrics, readiness: /ready, status: /status)`);
  const mirror = spawn(process.execPath, [...mirrorNodeFlags(), MIRROR_SCRIPT, file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' },
  });
  mirror.stderr?.pipe(process.stderr);

  timers.push(
    setInterval(() => {
      void (async () => {
        const source = await totalRecords(euAdmin, 'orders');
        const target = await totalRecords(usAdmin, 'eu.orders');
        const heartbeats = await totalRecords(usAdmin, 'eu.heartbeats');
        const lag = source !== undefined && target !== undefined ? source - target : undefined;
        log(
          target === undefined
            ? 'eu.orders: not on us yet'
            : `eu/orders ${source} -> us/eu.orders ${target} (lag ${lag}); us/eu.heartbeats ${heartbeats ?? 0}`,
        );
      })();
    }, 1000),
  );

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const t of timers) clearInterval(t);
    log('stopping the mirror (it drains and stores its positions)');
    mirror.kill('SIGTERM');
    await new Promise((done) => mirror.once('exit', done));
    await eu.close();
    await us.close();
    log('stopping clusters');
    await bed.stop();
    log('done');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (values.seconds) setTimeout(() => void stop(), Number(values.seconds) * 1000);
}

main().catch((err: unknown) => {
  console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
