import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (scripts/kafka/ is two levels below it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Git-ignored cache of resolved jars and running clusters' data. */
export const KAFKA_HOME = process.env['MM2_KAFKA_HOME'] ?? join(REPO_ROOT, '.kafka');

export function libsDir(version: string): string {
  return join(KAFKA_HOME, version, 'libs');
}

/** Where running clusters keep their data, logs and the state file listing them. */
export const RUN_DIR = join(KAFKA_HOME, 'run');
