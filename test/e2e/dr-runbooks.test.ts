import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin } from '../../src/kafka/index.ts';
import { useBrokerFaults } from '../support/broker-faults.ts';
import { openTestCluster, testKafka } from '../support/kafka.ts';
import { runRunbook } from '../support/runbook.ts';

// Every command of the failover runbooks, run as printed (test/support/runbook.ts says how). The
// topic each runbook names is created first: the runbooks start with it existing on the source.
describe('DR runbooks run as printed: failover (installed bins, kcat)', () => {
  const { clusters, version } = testKafka();
  const faults = useBrokerFaults();
  const hosts = { 'primary-kafka:9092': clusters['A']!, 'backup-kafka:9092': clusters['B']! };
  let adminA: KafkaAdmin;

  beforeAll(async () => {
    adminA = await openTestCluster(clusters['A']!).admin();
  });

  it('failover.md (default naming)', async () => {
    await adminA.createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1 }]);
    const steps = await runRunbook('failover.md', { dir: mkdtempSync(join(tmpdir(), 'runbook-')), hosts });
    console.log(`[dr] kafka ${version}: failover.md ran ${steps.length} command blocks`);
    expect(steps.length).toBe(8);
  }, 120_000);

  // Last in the file: it kills cluster A's broker (restarted after the file).
  it('failover-identity.md (identity naming, the primary lost)', async () => {
    await adminA.createTopics([{ name: 'payments', partitions: 2, replicationFactor: 1 }]);
    const steps = await runRunbook('failover-identity.md', {
      dir: mkdtempSync(join(tmpdir(), 'runbook-')),
      hosts,
      hooks: { 'primary-lost': async () => void (await faults.kill('A')) },
    });
    console.log(
      `[dr] kafka ${version}: failover-identity.md ran ${steps.length} command blocks (${steps.map((s) => s.ms).join(', ')} ms)`,
    );
    expect(steps.length).toBe(5);
  }, 120_000);
});
