import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin } from '../../src/kafka/index.ts';
import { openTestCluster, testKafka } from '../support/kafka.ts';
import { runRunbook } from '../support/runbook.ts';

// Every command of the migration, troubleshooting and kcat runbooks, run as printed
// (test/support/runbook.ts says how).
describe('DR runbooks run as printed: migration, checkpoints troubleshooting, kcat (installed bins)', () => {
  const { clusters, version } = testKafka();
  let adminA: KafkaAdmin;

  beforeAll(async () => {
    adminA = await openTestCluster(clusters['A']!).admin();
  });

  it('migration.md (identity naming, drill then cut-over)', async () => {
    await adminA.createTopics([{ name: 'invoices', partitions: 2, replicationFactor: 1 }]);
    const hosts = { 'old-kafka:9092': clusters['A']!, 'new-kafka:9092': clusters['B']! };
    const steps = await runRunbook('migration.md', { dir: mkdtempSync(join(tmpdir(), 'runbook-')), hosts });
    console.log(`[dr] kafka ${version}: migration.md ran ${steps.length} command blocks`);
    expect(steps.length).toBe(5);
  }, 120_000);

  it('checkpoints-troubleshooting.md (a group outside the route filter)', async () => {
    await adminA.createTopics([{ name: 'ledger', partitions: 1, replicationFactor: 1 }]);
    const hosts = { 'primary-kafka:9092': clusters['A']!, 'backup-kafka:9092': clusters['B']! };
    const steps = await runRunbook('checkpoints-troubleshooting.md', {
      dir: mkdtempSync(join(tmpdir(), 'runbook-')),
      hosts,
    });
    expect(steps.length).toBe(4);
  }, 120_000);

  it('kcat-consumers.md (the kcat drill)', async () => {
    await adminA.createTopics([{ name: 'numbers', partitions: 3, replicationFactor: 1 }]);
    const hosts = { 'primary-kafka:9092': clusters['A']!, 'backup-kafka:9092': clusters['B']! };
    const steps = await runRunbook('kcat-consumers.md', { dir: mkdtempSync(join(tmpdir(), 'runbook-')), hosts });
    console.log(
      `[dr] kafka ${version}: kcat-consumers.md: ${steps.at(-2)?.stdout.trim().replace(/\n/g, ' ')} (re-read, missing)`,
    );
    expect(steps.length).toBe(5);
  }, 120_000);
});
