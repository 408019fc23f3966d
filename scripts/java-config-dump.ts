/**
 * Java cross-check driver: builds test/java/config-dump with Maven (once; target/ is git-ignored)
 * and prints what Apache Kafka's own MirrorMakerConfig derives from an mm2.properties file.
 *
 *   node scripts/java-config-dump.ts <mm2.properties> [...]  # JSON: routes, connector/client/worker configs
 *   node scripts/java-config-dump.ts --keys             # JSON: Java's ConfigDefs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('../test/java/config-dump/', import.meta.url));
const CLASSPATH_FILE = `${PROJECT}target/classpath.txt`;
const SOURCE = `${PROJECT}src/main/java/org/apache/kafka/connect/mirror/ConfigDump.java`;
const CLASSES = `${PROJECT}target/classes`;

/** Builds the dump unless an up-to-date build exists. Needs `mvn` and Maven Central (first run only). */
export function buildJavaConfigDump(): void {
  const built = `${CLASSES}/org/apache/kafka/connect/mirror/ConfigDump.class`;
  const upToDate =
    existsSync(CLASSPATH_FILE) &&
    existsSync(built) &&
    statSync(built).mtimeMs >= Math.max(statSync(SOURCE).mtimeMs, statSync(`${PROJECT}pom.xml`).mtimeMs);
  if (upToDate) return;
  execFileSync('mvn', ['-q', '-B', 'package'], { cwd: PROJECT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs the Java dump on files (or `--keys`) and returns its JSON; several files give an object keyed by file. */
export function javaConfigDump(...args: string[]): unknown {
  buildJavaConfigDump();
  const classpath = `${CLASSES}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`;
  const out = execFileSync('java', ['-cp', classpath, 'org.apache.kafka.connect.mirror.ConfigDump', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as unknown;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    process.stderr.write('usage: node scripts/java-config-dump.ts <mm2.properties> | --keys\n');
    process.exit(255);
  }
  process.stdout.write(`${JSON.stringify(javaConfigDump(...args), null, 2)}\n`);
}
