import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { TESTBED_MARKER } from '../../scripts/kafka/broker.ts';
import { classpath, ensureKafkaJars } from '../../scripts/kafka/jars.ts';
import { KAFKA_HOME, REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { DEFAULT_KAFKA_VERSION, SUPPORTED_KAFKA_VERSIONS } from '../../scripts/kafka/versions.ts';

const run = promisify(execFile);

/** The test bed's libs folder for a provided Kafka version ('external' clusters use the default jars). */
export function kafkaLibs(version: string): string {
  const info = SUPPORTED_KAFKA_VERSIONS[version] ?? SUPPORTED_KAFKA_VERSIONS[DEFAULT_KAFKA_VERSION]!;
  return ensureKafkaJars(info);
}

/**
 * Compiles a single-file Java program from test/java/ against the Kafka jars once per content
 * and version (cached under .kafka/java-classes), returning the classes folder.
 */
function compiled(version: string, source: string, libs: string): { dir: string; mainClass: string } {
  const file = join(REPO_ROOT, 'test', 'java', source);
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  const dir = join(KAFKA_HOME, 'java-classes', version, hash);
  const mainClass = basename(source, '.java');
  if (!existsSync(join(dir, `${mainClass}.class`))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('javac', ['-nowarn', '-cp', classpath(libs), '-d', dir, file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return { dir, mainClass };
}

/**
 * Runs `mainClass` in a small JVM of the test bed (marked so `kafka:down` sweeps it) with the Kafka
 * jars of `version` (and `extraClasspath` first) on the classpath; returns its stdout.
 */
export async function runKafkaJava(
  version: string,
  mainClass: string,
  args: string[],
  options: { extraClasspath?: string; timeoutMs?: number } = {},
): Promise<string> {
  const libs = classpath(kafkaLibs(version));
  const logging =
    SUPPORTED_KAFKA_VERSIONS[version]?.loggingProfile === 'reload4j'
      ? '-Dlog4j.configuration=file:/dev/null'
      : '-Dlog4j2.level=WARN';
  const cp = options.extraClasspath ? `${options.extraClasspath}:${libs}` : libs;
  const { stdout } = await run(
    'java',
    ['-Xmx256m', '-XX:TieredStopAtLevel=1', TESTBED_MARKER, logging, '-cp', cp, mainClass, ...args],
    { timeout: options.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024, killSignal: 'SIGKILL' },
  );
  return stdout;
}

/** Runs a single-file Java program from test/java/ with the Kafka jars on the classpath and returns its stdout. */
export async function runJavaSource(
  version: string,
  source: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<string> {
  const { dir, mainClass } = compiled(version, source, kafkaLibs(version));
  return runKafkaJava(version, mainClass, args, { extraClasspath: dir, timeoutMs });
}
