import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin } from '../../src/kafka/index.ts';
import { openTestCluster, testKafka } from '../support/kafka.ts';
import { runRunbook } from '../support/runbook.ts';

// Every command of the failover runbooks, run as printed (test/support/runbook.ts says how).
describe('DR runbooks run as printed (installed bins, kcat)', () => {
  const { clusters, version } = testKafka();
  const hosts = { 'primary-kafka:9092': clusters['A']!, 'backup-kafka:9092': clusters['B']! };
  let adminA: KafkaAdmin;

  beforeAll(async () => {
    adminA = await openTestCluster(clusters['A']!).admin();
  });

  it('failover.md (default naming)', async () => {
    await adminA.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1 }]);
    const steps = await runRunbook('failover.md', { dir: mkdtempSync(join(tmpdir(), 'runbook-')), hosts });
    console.log(`[dr] kafka ${version}: failover.md ran ${steps.length} command blocks`);
    expect(steps.length).toBeGreaterThan(5);
  }, 120_000);
});
