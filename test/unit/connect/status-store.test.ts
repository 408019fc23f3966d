import { describe, expect, it } from 'vitest';
import type { ConnectorStatusEntry } from '../../../src/connect/states.ts';
import { StatusStore, connectorStatusKey, encodeStatus, taskStatusKey } from '../../../src/connect/status-store.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

describe("status records (Kafka Connect's KafkaStatusBackingStore format)", () => {
  it('keys and the JSON converter bytes of STATUS_SCHEMA_V0 (trace null when absent)', () => {
    expect(connectorStatusKey('MirrorSourceConnector')).toBe('status-connector-MirrorSourceConnector');
    expect(taskStatusKey('MirrorSourceConnector', 3)).toBe('status-task-MirrorSourceConnector-3');
    expect(encodeStatus({ state: 'PAUSED' }, 'host-1', 0).toString()).toBe(
      '{"state":"PAUSED","trace":null,"worker_id":"host-1","generation":0}',
    );
    expect(encodeStatus({ state: 'FAILED', trace: 'Error: no\n  at x' }, 'h', 2).toString()).toBe(
      '{"state":"FAILED","trace":"Error: no\\n  at x","worker_id":"h","generation":2}',
    );
  });
});

describe('StatusStore across runs of the flow', () => {
  const topic = 'mm2-status.A.internal';
  const running = (tasks: number[]): ConnectorStatusEntry[] => [
    { name: 'MirrorSourceConnector', state: 'RUNNING', tasks: tasks.map((id) => ({ id, state: 'RUNNING' })) },
  ];
  const latest = (kafka: InMemoryKafka): Map<string, string | null> => {
    const byKey = new Map<string, string | null>();
    for (const r of kafka.records(topic)) byKey.set(r.key!.toString(), r.value === null ? null : r.value.toString());
    return byKey;
  };
  const open = (kafka: InMemoryKafka): Promise<StatusStore> =>
    StatusStore.open({
      cluster: kafka.cluster(),
      topic,
      partitions: 5,
      replicationFactor: 1,
      workerId: 'w',
      logger: silentLogger(),
    });

  it("tombstones a task an earlier run wrote and this run no longer has (Connect's removed task)", async () => {
    const kafka = new InMemoryKafka();
    const first = await open(kafka);
    first.observe(running([0, 1]));
    await first.close();
    expect(latest(kafka).get('status-task-MirrorSourceConnector-1')).toContain('"RUNNING"');

    // The next run has one task only (e.g. stopped and resumed with fewer partitions).
    const second = await open(kafka);
    second.observe(running([0]));
    await second.close();
    const after = latest(kafka);
    expect(after.get('status-task-MirrorSourceConnector-1')).toBeNull();
    expect(after.get('status-task-MirrorSourceConnector-0')).toContain('"RUNNING"');
  });
});
