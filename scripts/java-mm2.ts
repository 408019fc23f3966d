#!/usr/bin/env node
// Runs Apache Kafka's own MirrorMaker 2 dedicated driver (org.apache.kafka.connect.mirror.MirrorMaker)
// on a properties file: the reference the appliance is compared against.
//   node scripts/java-mm2.ts <mm2.properties> [--clusters A [B ...]] [--version 4.1.2|3.9.2] [--heap-mb 2048]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TESTBED_MARKER } from './kafka/broker.ts';
import { classpath, ensureKafkaJars } from './kafka/jars.ts';
import { SUPPORTED_KAFKA_VERSIONS, selectedKafkaVersion } from './kafka/versions.ts';

export interface JavaMirrorMakerOptions {
  propertiesFile: string;
  clusters?: string[];
  version?: string;
  /** Java's script uses -Xms256M -Xmx2G; keep that unless a test needs less. */
  heapMb?: number;
  logLevel?: 'INFO' | 'WARN' | 'DEBUG';
}

/** Spawns the Java MM2 dedicated driver; the returned child is in its own process group. */
export function spawnJavaMirrorMaker(options: JavaMirrorMakerOptions): ReturnType<typeof spawn> {
  const info = options.version ? SUPPORTED_KAFKA_VERSIONS[options.version] : selectedKafkaVersion();
  if (!info) throw new Error(`unsupported Kafka version ${options.version}`);
  const libs = ensureKafkaJars(info);
  const dir = mkdtempSync(join(tmpdir(), 'java-mm2-'));
  const level = options.logLevel ?? 'INFO';
  let logFlag: string;
  if (info.loggingProfile === 'log4j2') {
    const file = join(dir, 'log4j2.properties');
    writeFileSync(
      file,
      `appender.out.type=Console\nappender.out.name=OUT\nappender.out.layout.type=PatternLayout\nappender.out.layout.pattern=[%d] %p %m (%c)%n\nrootLogger.level=${level}\nrootLogger.appenderRef.out.ref=OUT\n`,
    );
    logFlag = `-Dlog4j2.configurationFile=${file}`;
  } else {
    const file = join(dir, 'log4j.properties');
    writeFileSync(
      file,
      `log4j.rootLogger=${level}, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n`,
    );
    logFlag = `-Dlog4j.configuration=file:${file}`;
  }
  const heap = options.heapMb ?? 2048;
  const args = [
    '-Xms256m',
    `-Xmx${heap}m`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${dir}`,
    logFlag,
    TESTBED_MARKER,
    '-cp',
    classpath(libs),
    'org.apache.kafka.connect.mirror.MirrorMaker',
    resolve(options.propertiesFile),
    ...(options.clusters && options.clusters.length > 0 ? ['--clusters', ...options.clusters] : []),
  ];
  return spawn('java', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      clusters: { type: 'string', multiple: true },
      version: { type: 'string' },
      'heap-mb': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) {
    console.error('usage: java-mm2.ts <mm2.properties> [--clusters A [--clusters B]] [--version V] [--heap-mb N]');
    process.exitCode = 2;
    return;
  }
  const child = spawnJavaMirrorMaker({
    propertiesFile: file,
    ...(values.clusters ? { clusters: values.clusters } : {}),
    ...(values.version ? { version: values.version } : {}),
    ...(values['heap-mb'] ? { heapMb: Number(values['heap-mb']) } : {}),
  });
  child.stdout?.pipe(process.stdout);
  child.stderr?.pipe(process.stderr);
  const stop = (): void => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1)));
  process.exitCode = code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
