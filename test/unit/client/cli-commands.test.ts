import { describe, expect, it } from 'vitest';
import { clientProperties, table, toJson } from '../../../src/cli/commands/cluster-args.ts';
import { dumpRecord, inferDumpType } from '../../../src/cli/commands/dump-format.ts';
import { formatTopology, topologyOf } from '../../../src/cli/commands/topology.ts';
import { runTranslate } from '../../../src/cli/commands/translate.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { main as mm2 } from '../../../src/cli/mm2.ts';
import type { ConsumedRecord } from '../../../src/kafka/port.ts';
import {
  DefaultReplicationPolicy,
  encodeCheckpointKey,
  encodeCheckpointValue,
  encodeHeartbeatKey,
  encodeHeartbeatValue,
  encodeMirrorSourcePartitionKey,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  encodeSourceOffsetValue,
  MirrorClient,
} from '../../../src/index.ts';
import { exactCheckpointHeader } from '../../../src/records/index.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const consumed = (key: Buffer | null, value: Buffer | null): ConsumedRecord => ({
  topic: 't',
  partition: 0,
  offset: 3n,
  timestamp: 1_700_000_000_000,
  timestampType: 'CreateTime',
  key,
  value,
  headers: [],
});

describe('mm2 dump record formatting', () => {
  it('infers the record type from MM2 topic names with any separator', () => {
    expect(inferDumpType('mm2-offset-syncs.B.internal')).toBe('offset-sync');
    expect(inferDumpType('mm2-offset-syncs_B_internal')).toBe('offset-sync');
    expect(inferDumpType('A.checkpoints.internal')).toBe('checkpoint');
    expect(inferDumpType('A_checkpoints_internal')).toBe('checkpoint');
    expect(inferDumpType('heartbeats')).toBe('heartbeat');
    expect(inferDumpType('B.A.heartbeats')).toBe('heartbeat');
    expect(inferDumpType('myheartbeats')).toBeUndefined();
    expect(inferDumpType('mm2-offsets.A.internal')).toBe('source-offset');
    expect(inferDumpType('orders')).toBeUndefined();
  });

  it("prints Java's toString texts and JSON with exact int64 values", () => {
    const sync = { topicPartition: { topic: 't', partition: 0 }, upstreamOffset: 5n, downstreamOffset: 7n };
    const s = dumpRecord('offset-sync', consumed(encodeOffsetSyncKey(sync), encodeOffsetSyncValue(sync)));
    expect(s.text).toBe('OffsetSync{topicPartition=t-0, upstreamOffset=5, downstreamOffset=7}');
    const checkpoint = {
      consumerGroupId: 'g',
      topicPartition: { topic: 'A.t', partition: 0 },
      upstreamOffset: 9_007_199_254_740_993n,
      downstreamOffset: 8n,
      metadata: 'm',
    };
    const c = dumpRecord('checkpoint', consumed(encodeCheckpointKey(checkpoint), encodeCheckpointValue(checkpoint)));
    expect(c.text).toBe(
      'Checkpoint{consumerGroupId=g, topicPartition=A.t-0, upstreamOffset=9007199254740993, downstreamOffset=8, metadata=m}',
    );
    expect(toJson(c.json)).toBe(
      '{"partition":0,"offset":3,"timestamp":1700000000000,"checkpoint":{"consumerGroupId":"g","topic":"A.t","partition":0,"upstreamOffset":9007199254740993,"downstreamOffset":8,"metadata":"m"}}',
    );
    const hb = { sourceClusterAlias: 'A', targetClusterAlias: 'B', timestamp: 1_700_000_000_000n };
    expect(dumpRecord('heartbeat', consumed(encodeHeartbeatKey(hb), encodeHeartbeatValue(hb))).text).toBe(
      'Heartbeat{sourceClusterAlias=A, targetClusterAlias=B, timestamp=1700000000000}',
    );
    const key = encodeMirrorSourcePartitionKey({
      sourceClusterAlias: 'A',
      topicPartition: { topic: 't', partition: 0 },
    });
    const so = dumpRecord('source-offset', consumed(key, encodeSourceOffsetValue(123n)));
    expect(so.text).toBe('["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"t"}]\t{"offset":123}');
    expect(toJson(so.json)).toContain(
      '"sourceOffset":{"connector":"MirrorSourceConnector","partition":{"cluster":"A","partition":0,"topic":"t"},"offset":123}',
    );
    expect(() => dumpRecord('checkpoint', consumed(Buffer.from([0]), Buffer.from([0])))).toThrow(/Checkpoint/);
  });
});

describe('mm2 translate / topology helpers', () => {
  it('builds Java client properties: --command-config under --bootstrap/--policy/--separator', () => {
    expect(clientProperties({ bootstrap: 'b:1', policy: 'identity', separator: '_' })).toEqual(
      new Map([
        ['bootstrap.servers', 'b:1'],
        ['replication.policy.class', 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy'],
        ['replication.policy.separator', '_'],
      ]),
    );
    expect(() => clientProperties({})).toThrow(/missing --bootstrap/);
  });

  it('topology view and text', () => {
    const view = topologyOf(
      new DefaultReplicationPolicy(),
      ['heartbeats', 'A.heartbeats', 'A.C.heartbeats', 'A.checkpoints.internal', 'A.orders', 'A.C.x', 'local'],
      'b:9092',
      'DefaultReplicationPolicy',
    );
    expect(view.upstreamClusters).toEqual([
      { alias: 'A', hops: 1 },
      { alias: 'C', hops: 2 },
    ]);
    expect(view.remoteTopics).toEqual({ A: ['A.C.x', 'A.C.heartbeats', 'A.heartbeats', 'A.orders'].sort() });
    expect(formatTopology(view)).toEqual([
      'cluster             b:9092',
      'replication policy  DefaultReplicationPolicy',
      'upstream clusters',
      '  A                 1 hop',
      '  C                 2 hops',
      'heartbeat topics    A.C.heartbeats, A.heartbeats, heartbeats',
      'checkpoint topics   A.checkpoints.internal',
      'remote topics',
      '  from A            4: A.C.heartbeats, A.C.x, A.heartbeats, A.orders',
    ]);
    expect(table(['A', 'BB'], [['xxx', 'y']])).toEqual(['A    BB', 'xxx  y']);
  });
});

describe('mm2 dump/translate/topology argument errors exit 255 and say what is valid', () => {
  it.each([
    [['dump', '--topic', 'heartbeats'], /missing --bootstrap/],
    [
      ['dump', '--bootstrap', 'b:1', '--topic', 'orders'],
      /cannot tell the record type .* pass --type offset-sync\|checkpoint/,
    ],
    [
      ['dump', '--bootstrap', 'b:1', '--topic', 'x', '--type', 'nope'],
      /--type nope: expected one of offset-sync, checkpoint, heartbeat, source-offset/,
    ],
    [['dump', '--bootstrap', 'b:1', '--topic', 'heartbeats', '--max', '0'], /--max 0: expected a whole number >= 1/],
    [['translate', '--bootstrap', 'b:1', '--group', 'g'], /missing --source/],
    [
      ['translate', '--bootstrap', 'b:1', '--source', 'A', '--policy', 'com.x.Y'],
      /Unknown replication.policy.class 'com.x.Y'/,
    ],
    [['topology', '--bootstrap', 'b:1', '--bogus'], /Unknown option '--bogus'/],
  ])('%j', async (argv, message) => {
    const io = capture();
    expect(await mm2(argv, io)).toBe(255);
    expect(io.stderr.join('\n')).toMatch(message);
    expect(io.stderr.join('\n')).toContain('usage: mm2 ');
  });
});

describe('mm2 translate output', () => {
  const CHECKPOINTS = 'A.checkpoints.internal';

  /** Runs `mm2 translate` against an in-memory target whose checkpoints topic holds `records`. */
  async function translateOn(
    records: { group: string; upstream: bigint; downstream: bigint; exact: boolean }[],
    args: string[],
  ) {
    const kafka = new InMemoryKafka();
    kafka.addTopic(CHECKPOINTS);
    kafka.produce(
      CHECKPOINTS,
      records.map((r) => {
        const c = {
          consumerGroupId: r.group,
          topicPartition: { topic: 'A.t', partition: 0 },
          upstreamOffset: r.upstream,
          downstreamOffset: r.downstream,
          metadata: '',
        };
        return {
          partition: 0,
          key: encodeCheckpointKey(c),
          value: encodeCheckpointValue(c),
          ...(r.exact ? { headers: [exactCheckpointHeader()] } : {}),
        };
      }),
    );
    const io = capture();
    const code = await runTranslate(
      ['--bootstrap', 'local:9092', '--source', 'A', '--timeout-ms', '5000', ...args],
      io,
      (props) => new MirrorClient(Object.fromEntries(props), { openCluster: (settings) => kafka.cluster(settings) }),
    );
    return { code, io };
  }

  it('EXACT is yes only for checkpoints marked exact by the checkpoint runtime', async () => {
    const { code, io } = await translateOn(
      [
        { group: 'caught-up', upstream: 150n, downstream: 150n, exact: true },
        { group: 'behind', upstream: 250n, downstream: 201n, exact: false },
      ],
      [],
    );
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      'GROUP      TOPIC  PARTITION  OFFSET  UPSTREAM-OFFSET  EXACT  METADATA',
      'behind     A.t    0          201     250              no',
      'caught-up  A.t    0          150     150              yes',
    ]);
    const json = await translateOn([{ group: 'g', upstream: 7n, downstream: 7n, exact: true }], ['--json']);
    expect(JSON.parse(json.io.stdout.join('\n'))).toMatchObject([{ group: 'g', downstreamOffset: 7, exact: true }]);
  });

  it('an unknown group exits 2 naming the group, the cluster and the groups that have checkpoints', async () => {
    const { code, io } = await translateOn(
      [
        { group: 'orders', upstream: 1n, downstream: 1n, exact: true },
        { group: 'billing', upstream: 1n, downstream: 1n, exact: false },
      ],
      ['--group', 'ordres'],
    );
    expect(code).toBe(2);
    expect(io.stdout).toEqual([]);
    expect(io.stderr.join('\n')).toMatch(
      /^ERROR no checkpoints for group 'ordres' from cluster 'A' in A\.checkpoints\.internal; groups with checkpoints there: billing, orders \(see them all with: mm2 dump .*--topic A\.checkpoints\.internal --from-beginning\)$/,
    );
    const empty = await translateOn([], ['--group', 'orders']);
    expect(empty.code).toBe(2);
    expect(empty.io.stderr.join('\n')).toMatch(/group 'orders' from cluster 'A'.*no group has checkpoints there yet/);
  });
});
