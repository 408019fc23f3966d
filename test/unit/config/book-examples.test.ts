import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMirrorMakerConfig } from '../../../src/config/load.ts';

const example = (name: string) => fileURLToPath(new URL(`../../../config/${name}`, import.meta.url));

describe('the book examples (E2E-1..3) and the demo', () => {
  it('E2E-3: eu/us both ways gives 2 routes and 6 connectors; --clusters selects by target', () => {
    const all = loadMirrorMakerConfig(example('book-dedicated.properties'));
    expect(all.routes.map((r) => r.name)).toEqual(['eu->us', 'us->eu']);
    expect(
      all.routes.flatMap((r) => Object.values(r.connectors).map((c) => `${r.name}.${c.get('name')?.value}`)),
    ).toHaveLength(6);
    const us = all.routes[0]!.settings;
    expect(us.topics.matches('anything')).toBe(true);
    expect(all.routes[1]!.settings.topics.matches('inventory')).toBe(true);
    expect(all.routes[1]!.settings.topics.matches('orders')).toBe(false);
    expect(
      loadMirrorMakerConfig(example('book-dedicated.properties'), { clusters: ['eu'] }).routes.map((r) => r.name),
    ).toEqual(['us->eu']);
    expect(loadMirrorMakerConfig(example('book-dedicated.properties'), { clusters: ['eu', 'us'] }).routes).toHaveLength(
      2,
    );
    expect(() => loadMirrorMakerConfig(example('book-dedicated.properties'), { clusters: ['xx'] })).toThrow(
      /unknown cluster alias/,
    );
  });

  it('E2E-1: identity policy DR route with typed settings; the reverse pair is heartbeat-only', () => {
    const cfg = loadMirrorMakerConfig(example('book-dr-identity.properties'));
    const [east, west] = cfg.routes;
    expect(east!.name).toBe('east-kafka->west-kafka');
    expect(east!.enabled).toBe(true);
    expect(west!.enabled).toBe(false);
    expect(east!.settings).toMatchObject({
      replicationPolicy: { kind: 'builtin', name: 'IdentityReplicationPolicy' },
      replicationFactor: -1,
      checkpointsTopicReplicationFactor: -1,
      tasksMax: 10,
      syncGroupOffsets: { enabled: true, intervalSeconds: 60 },
      syncTopicAcls: { enabled: false, intervalSeconds: 600 },
      refreshTopics: { enabled: true, intervalSeconds: 10 },
      offsetSyncsTopicLocation: 'source',
    });
    expect(east!.settings.worker).toMatchObject({
      groupId: 'east-kafka-mm2',
      offsetStorageTopic: 'mm2-offsets.east-kafka.internal',
    });
    expect(east!.clients.get('source.replication-consumer')?.settings).toMatchObject({
      bootstrapServers: ['east-kafka0:9092'],
      clientId: 'east-kafka->west-kafka|MirrorSourceConnector|replication-consumer',
    });
    expect(cfg.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('E2E-2: bidirectional default policy, checkpoints off, heartbeats on', () => {
    const cfg = loadMirrorMakerConfig(example('book-geo-bidirectional.properties'));
    expect(
      cfg.routes.map((r) => [r.name, r.enabled, r.settings.emitCheckpoints.enabled, r.settings.emitHeartbeats.enabled]),
    ).toEqual([
      ['east-kafka->west-kafka', true, false, true],
      ['west-kafka->east-kafka', true, false, true],
    ]);
    expect(cfg.routes[0]!.settings.topics.matches('sales')).toBe(true);
    expect(cfg.routes[1]!.settings.topics.matches('sales')).toBe(false);
  });

  it('the demo file loads without warnings', () => {
    const cfg = loadMirrorMakerConfig(example('demo.properties'));
    expect(cfg.clusters).toEqual(['eu', 'us']);
    expect(cfg.diagnostics).toEqual([]);
  });
});
