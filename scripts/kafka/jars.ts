import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, libsDir } from './paths.ts';
import type { KafkaVersionInfo } from './versions.ts';

const COMPLETE_MARKER = '.complete';

/**
 * Resolves the broker, tools and MirrorMaker 2 jars of one Kafka version into the cache with Maven
 * (Maven's own ~/.m2 cache makes repeated resolutions cheap), and returns the libs folder.
 * A marker file is written last, so an interrupted download is redone rather than half-used.
 */
export function ensureKafkaJars(info: KafkaVersionInfo, log: (line: string) => void = () => {}): string {
  const dir = libsDir(info.version);
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`resolving Apache Kafka ${info.version} jars with Maven into ${dir}`);
  const started = Date.now();
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      join(REPO_ROOT, 'scripts', 'kafka', 'pom.xml'),
      `-Dkafka.version=${info.version}`,
      `-P${info.loggingProfile}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${dir}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error) throw new Error(`cannot run mvn (is Maven installed?): ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`mvn failed with exit code ${result.status} resolving Kafka ${info.version}`);
  const jars = readdirSync(dir).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-'))) throw new Error(`no kafka_2.13 jar in ${dir} after mvn`);
  writeFileSync(join(dir, COMPLETE_MARKER), `${new Date().toISOString()} ${jars.length} jars\n`);
  log(`resolved ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The Java classpath for a libs folder (the JVM expands the wildcard). */
export function classpath(dir: string): string {
  return join(dir, '*');
}
