import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars, classpath } from '../../scripts/kafka/jars.ts';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { DEFAULT_KAFKA_VERSION, SUPPORTED_KAFKA_VERSIONS } from '../../scripts/kafka/versions.ts';
import { TESTBED_MARKER } from '../../scripts/kafka/broker.ts';

const run = promisify(execFile);

/** The test bed's libs folder for a provided Kafka version ('external' clusters use the default jars). */
export function kafkaLibs(version: string): string {
  const info = SUPPORTED_KAFKA_VERSIONS[version] ?? SUPPORTED_KAFKA_VERSIONS[DEFAULT_KAFKA_VERSION]!;
  return ensureKafkaJars(info);
}

/**
 * Runs a single-file Java program from test/java/ with the Kafka jars on the classpath (the JDK's
 * source launcher compiles it in memory) and returns its stdout.
 */
export async function runJavaSource(
  version: string,
  source: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<string> {
  const libs = kafkaLibs(version);
  const logging =
    SUPPORTED_KAFKA_VERSIONS[version]?.loggingProfile === 'reload4j'
      ? '-Dlog4j.configuration=file:/dev/null'
      : '-Dlog4j2.level=WARN';
  const { stdout } = await run(
    'java',
    ['-Xmx256m', TESTBED_MARKER, logging, '-cp', classpath(libs), join(REPO_ROOT, 'test', 'java', source), ...args],
    { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, killSignal: 'SIGKILL' },
  );
  return stdout;
}
