import { describe, expect, it } from 'vitest';
import { HeartbeatEmitter } from '../../../src/connectors/heartbeat/index.ts';
import { decodeHeartbeat } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

function emitter(sink: InMemoryKafka, emitHeartbeats: { enabled: boolean; intervalSeconds: number }) {
  return {
    admin: sink,
    emitter: new HeartbeatEmitter({
      cluster: sink.cluster(),
      topic: 'heartbeats',
      sourceClusterAlias: 'A',
      targetClusterAlias: 'B',
      emitHeartbeats,
      replicationFactor: 3,
      logger: silentLogger(),
    }),
  };
}

describe('HeartbeatEmitter', () => {
  it('ensures the topic, then emits Heartbeat{S, T, now} on partition 0 with the record timestamp = now', async () => {
    const sink = new InMemoryKafka();
    const { admin, emitter: e } = emitter(sink, { enabled: true, intervalSeconds: 0.05 });
    await e.start();
    expect(admin.created).toEqual([
      { name: 'heartbeats', partitions: 1, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } },
    ]);
    await new Promise((r) => setTimeout(r, 280));
    await e.stop();
    const records = sink.records('heartbeats');
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThanOrEqual(6);
    for (const r of records) {
      const h = decodeHeartbeat(r.key, r.value);
      expect(r.partition).toBe(0);
      expect({ source: h.sourceClusterAlias, target: h.targetClusterAlias }).toEqual({ source: 'A', target: 'B' });
      expect(BigInt(r.timestamp!)).toBe(h.timestamp);
    }
    expect(e.stats().emitted).toBe(records.length);
    const count = records.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(sink.records('heartbeats')).toHaveLength(count); // stopped means stopped
  });

  it('keeps going after a failed send', async () => {
    const sink = new InMemoryKafka();
    sink.inject({ op: 'send', call: 1, error: new Error('target down') });
    const { emitter: e } = emitter(sink, { enabled: true, intervalSeconds: 0.03 });
    await e.start();
    await new Promise((r) => setTimeout(r, 150));
    await e.stop();
    expect(e.stats().failed).toBe(1);
    expect(e.stats().emitted).toBeGreaterThanOrEqual(2);
  });

  it.each([
    { enabled: false, intervalSeconds: 1 },
    { enabled: true, intervalSeconds: -1 },
  ])('creates the topic but emits nothing when disabled (%o)', async (setting) => {
    const sink = new InMemoryKafka();
    const { admin, emitter: e } = emitter(sink, setting);
    await e.start();
    expect(e.intervalMs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    await e.stop();
    expect(admin.created).toHaveLength(1);
    expect(sink.sends).toHaveLength(0);
  });
});
