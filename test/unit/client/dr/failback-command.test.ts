import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runFailback, type FailbackDeps } from '../../../../src/cli/commands/failback.ts';
import type { ProducerRecord } from '../../../../src/kafka/index.ts';
import {
  RUN_START_HEADER,
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
} from '../../../../src/records/index.ts';
import { InMemoryKafka } from '../../../support/in-memory-kafka.ts';

const SYNCS = 'mm2-offset-syncs.B.internal'; // A->B's, on A (offset-syncs.topic.location = source)

function sync(topic: string, partition: number, u: bigint, d: bigint, runStart?: bigint): ProducerRecord {
  const s = { topicPartition: { topic, partition }, upstreamOffset: u, downstreamOffset: d };
  const value = Buffer.alloc(8);
  if (runStart !== undefined) value.writeBigInt64BE(runStart, 0);
  return {
    partition: 0,
    key: encodeOffsetSyncKey(s),
    value: encodeOffsetSyncValue(s),
    ...(runStart !== undefined ? { headers: [{ key: RUN_START_HEADER, value }] } : {}),
  };
}

function data(count: number, tag: string): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    partition: 0,
    key: null,
    value: Buffer.from(`${tag}-${i}`),
    timestamp: 1_700_000_000_000 + i,
  }));
}

interface Bed {
  a: InMemoryKafka;
  b: InMemoryKafka;
  file: (extra?: string[], routes?: { forward?: boolean; reverse?: boolean }) => string;
  run: (args: string[]) => Promise<{ code: number; out: string[]; err: string[]; audit: object[] }>;
}

function bed(): Bed {
  const a = new InMemoryKafka();
  const b = new InMemoryKafka();
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-failback-unit-'));
  const audit: object[] = [];
  const deps: FailbackDeps = {
    openCluster: (settings) => (settings.bootstrapServers[0] === 'a:9092' ? a : b).cluster(settings),
    audit: () => ({
      append: (e) => {
        audit.push(e);
        return Promise.resolve();
      },
    }),
  };
  return {
    a,
    b,
    file: (extra = [], routes = {}) => {
      const path = join(dir, `mm2-${Math.random().toString(36).slice(2)}.properties`);
      writeFileSync(
        path,
        [
          'clusters = A, B',
          'A.bootstrap.servers = a:9092',
          'B.bootstrap.servers = b:9092',
          `A->B.enabled = ${routes.forward ?? true}`,
          `B->A.enabled = ${routes.reverse ?? true}`,
          ...extra,
        ].join('\n'),
      );
      return path;
    },
    run: async (args) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runFailback(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
      return { code, out, err, audit };
    },
  };
}

describe('mm2 failback (in-memory clusters; A is S, B is T)', () => {
  let t: Bed;
  beforeEach(() => {
    t = bed();
    // A's orders (300 records) copied to B's A.orders; Java-style syncs (no run start) every 101.
    t.a.addTopic('orders');
    t.a.produce('orders', data(300, 'o'));
    t.b.addTopic('A.orders');
    t.b.produce('A.orders', data(300, 'o'));
    t.a.addTopic(SYNCS);
    t.a.produce(SYNCS, [sync('orders', 0, 0n, 0n), sync('orders', 0, 101n, 101n), sync('orders', 0, 202n, 202n)]);
  });

  async function commitOnB(group: string, offset: bigint): Promise<void> {
    const admin = await t.b.cluster().admin();
    await admin.commitGroupOffsets(group, [{ topic: 'A.orders', partition: 0, offset }]);
  }
  async function offsetsOnA(group: string): Promise<string[]> {
    const admin = await t.a.cluster().admin();
    return (await admin.fetchGroupOffsets(group)).map((o) => `${o.topic}-${o.partition}@${o.offset}`);
  }

  it('plans (changing nothing), then commits: exact past the last sync by matching records, a counted lower bound between Java syncs', async () => {
    await commitOnB('app', 150n);
    await commitOnB('app2', 250n);
    const file = t.file();
    const plan = await t.run([file, '--from', 'B', '--to', 'A']);
    expect(plan.code, plan.err.join('\n')).toBe(0);
    const text = plan.out.join('\n');
    expect(text).toMatch(/Group app \(on B: Empty, on A: none\): commit on A, re-reads at most 48/);
    expect(text).toMatch(/A\.orders\s+0\s+150\s+orders\s+102\s+lower bound\s+<=48/);
    expect(text).toMatch(/A\.orders\s+0\s+250\s+orders\s+250\s+yes\s+0/);
    expect(await offsetsOnA('app')).toEqual([]);
    expect(plan.audit).toEqual([]);

    const done = await t.run([file, '--from', 'B', '--to', 'A', '--execute']);
    expect(done.code, done.err.join('\n')).toBe(0);
    expect(await offsetsOnA('app')).toEqual(['orders-0@102']);
    expect(await offsetsOnA('app2')).toEqual(['orders-0@250']);
    expect(done.audit).toHaveLength(2);
  });

  it("T's own records: pending (exit 3, nothing committed) until T->S's syncs pass the position, then exact", async () => {
    t.b.addTopic('own');
    t.b.produce('own', data(40, 'b'));
    t.a.addTopic('B.own');
    t.a.produce('B.own', data(40, 'b'));
    const backSyncs = 'mm2-offset-syncs.A.internal'; // B->A's, on B
    t.b.addTopic(backSyncs);
    t.b.produce(backSyncs, [sync('own', 0, 0n, 0n, 0n)]); // 1..39 copied, their sync still delayed
    const admin = await t.b.cluster().admin();
    await admin.commitGroupOffsets('app', [{ topic: 'own', partition: 0, offset: 25n }]);
    const file = t.file();
    const early = await t.run([file, '--from', 'B', '--to', 'A', '--execute']);
    expect(early.code).toBe(3);
    expect(early.out.join('\n')).toMatch(/own\s+0\s+25\s+B\.own\s+-\s+pending/);
    expect(await offsetsOnA('app')).toEqual([]);
    t.b.produce(backSyncs, [sync('own', 0, 39n, 39n, 0n)]); // the idle partition's last sync
    const done = await t.run([file, '--from', 'B', '--to', 'A', '--execute']);
    expect(done.code, done.out.join('\n')).toBe(0);
    expect(await offsetsOnA('app')).toEqual(['B.own-0@25']);
  });

  it('--groups selects groups by full match; --json prints the plan', async () => {
    await commitOnB('app', 150n);
    await commitOnB('app2', 250n);
    const r = await t.run([t.file(), '--from', 'B', '--to', 'A', '--groups', 'app2', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out.join('\n')) as { groups: { group: string }[]; naming: string };
    expect(plan.naming).toBe('prefix');
    expect(plan.groups.map((g) => g.group)).toEqual(['app2']);
  });

  describe('refusals change nothing (exit 1)', () => {
    beforeEach(async () => {
      await commitOnB('app', 150n);
      const admin = await t.a.cluster().admin();
      await admin.commitGroupOffsets('app', [{ topic: 'orders', partition: 0, offset: 7n }]);
    });

    const refused = async (args: string[], code: string | RegExp) => {
      const r = await t.run([...args, '--execute']);
      expect(r.code, [...r.out, ...r.err].join('\n')).toBe(1);
      expect([...r.out, ...r.err].join('\n')).toMatch(code);
      expect(await offsetsOnA('app')).toEqual(['orders-0@7']);
      expect(r.audit).toEqual([]);
    };

    it('the group is active on S', async () => {
      t.a.setGroupState('app', 'Stable');
      await refused(
        [t.file(), '--from', 'B', '--to', 'A'],
        /REFUSED GROUP_ACTIVE_ON_SOURCE: group 'app' is Stable on A/,
      );
    });
    it('the group is active on T', async () => {
      t.b.setGroupState('app', 'Stable');
      await refused([t.file(), '--from', 'B', '--to', 'A'], /REFUSED GROUP_ACTIVE_ON_TARGET/);
    });
    it('no route T->S in the file', async () => {
      await refused([t.file([], { reverse: false }), '--from', 'B', '--to', 'A'], /REFUSED NO_REVERSE_ROUTE/);
    });
    it('identity naming with both routes enabled', async () => {
      const identity = ['replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy'];
      await refused([t.file(identity), '--from', 'B', '--to', 'A'], /REFUSED BOTH_ROUTES_WITH_IDENTITY/);
    });
    it('no offset syncs to reverse', async () => {
      await refused(
        [t.file(['offset-syncs.topic.location = target']), '--from', 'B', '--to', 'A'],
        /REFUSED NO_OFFSET_SYNCS: no offset syncs of A->B to reverse: mm2-offset-syncs.A.internal on B does not exist/,
      );
    });
    it('no group matches', async () => {
      await refused([t.file(), '--from', 'B', '--to', 'A', '--groups', 'nope.*'], /REFUSED NO_GROUPS/);
    });
    it('a position older than every sync kept', async () => {
      const fresh = bed();
      fresh.a.addTopic('orders');
      fresh.a.produce('orders', data(300, 'o'));
      fresh.b.addTopic('A.orders');
      fresh.b.produce('A.orders', data(300, 'o'));
      fresh.a.addTopic(SYNCS);
      fresh.a.produce(SYNCS, [sync('orders', 0, 200n, 200n)]);
      t = fresh;
      await commitOnB('app', 150n);
      const admin = await t.a.cluster().admin();
      await admin.commitGroupOffsets('app', [{ topic: 'orders', partition: 0, offset: 7n }]);
      await refused([t.file(), '--from', 'B', '--to', 'A'], /REFUSED UNTRANSLATABLE/);
    });
    it('an unknown alias', async () => {
      await refused([t.file(), '--from', 'C', '--to', 'A'], /REFUSED unknown cluster alias 'C'/);
    });
  });

  it('identity naming: sets T->S start positions in Connect format and reports records that never reached T', async () => {
    const id = bed();
    id.a.addTopic('inv');
    id.a.produce('inv', data(50, 'i')); // 0..49 reached B...
    id.a.produce('inv', data(3, 'lost')); // ...50..52 never did
    id.b.addTopic('inv');
    id.b.produce('inv', data(50, 'i'));
    id.b.produce('inv', data(10, 'on-B')); // written on B after the failover
    id.a.addTopic(SYNCS);
    id.a.produce(SYNCS, [sync('inv', 0, 40n, 40n, 0n)]); // 41..49 copied after the last sync
    const admin = await id.b.cluster().admin();
    await admin.commitGroupOffsets('app', [{ topic: 'inv', partition: 0, offset: 45n }]);
    t = id;
    const file = t.file(['replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy'], {
      forward: false,
    });
    const r = await t.run([file, '--from', 'B', '--to', 'A', '--execute']);
    expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/inv\s+0\s+50\s+-\s+set/);
    expect(text).toContain('inv-0: offsets 50..52 (3)');
    expect(text).toMatch(/inv\s+0\s+45\s+inv\s+45\s+yes\s+0/);
    const stored = t.a.records('mm2-offsets.B.internal').map((rec) => ({
      key: decodeSourceOffsetKey(rec.key),
      offset: decodeSourceOffsetValue(rec.value),
    }));
    expect(stored).toEqual([
      {
        key: { connectorName: 'MirrorSourceConnector', partition: { cluster: 'B', partition: 0n, topic: 'inv' } },
        offset: 49n,
      },
    ]);
    expect(await offsetsOnA('app')).toEqual(['inv-0@45']);
  });
});
