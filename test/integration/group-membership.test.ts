import { afterAll, describe, expect, it } from 'vitest';
import { GroupMember, type GroupGeneration } from '../../src/connect/membership-group-member.ts';
import { kafkaErrorName, type GroupMemberMetadata, type KafkaCluster } from '../../src/kafka/index.ts';
import { createLogger } from '../../src/util/logger.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

/** Waits until `probe` holds (checked every 100 ms), or fails saying what it waited for. */
function until(probe: () => boolean, options: { timeoutMs: number; what: string }): Promise<unknown> {
  return waitFor(
    options.what,
    async () => probe(),
    (ok) => ok,
    options.timeoutMs,
    100,
  );
}

const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' });
/** The brokers' group.min.session.timeout.ms (6000) is the lowest they accept. */
const SESSION_TIMEOUT_MS = 6_000;
const HEARTBEAT_MS = 500;

/** A member whose leader gives every member the list of member ids, so each sees the whole group. */
class TestMember {
  readonly assignments: { generation: GroupGeneration; members: string[] }[] = [];
  lostReasons: string[] = [];
  readonly member: GroupMember;

  constructor(
    name: string,
    coordinator: Awaited<ReturnType<NonNullable<KafkaCluster['groupCoordinator']>>>,
    leaveOnStop = true,
  ) {
    this.member = new GroupMember(
      coordinator,
      {
        metadata: () => ({ protocol: 'test-v1', metadata: Buffer.from(name) }),
        assign: (members: readonly GroupMemberMetadata[]) => {
          const everyone = members.map((m) => m.metadata.toString()).sort();
          return new Map(members.map((m) => [m.memberId, Buffer.from(JSON.stringify(everyone))]));
        },
        assigned: async (bytes, generation) => {
          this.assignments.push({ generation, members: JSON.parse(bytes.toString()) as string[] });
          return false;
        },
        lost: async (reason) => {
          this.lostReasons.push(reason);
        },
      },
      { heartbeatIntervalMs: HEARTBEAT_MS, sessionTimeoutMs: SESSION_TIMEOUT_MS, logger, leaveOnStop },
    );
  }

  latest(): { generation: GroupGeneration; members: string[] } | undefined {
    return this.assignments.at(-1);
  }
}

describe('group membership through the Kafka port (JoinGroup/SyncGroup/Heartbeat/LeaveGroup)', () => {
  const { clusters } = testKafka();
  const opened: KafkaCluster[] = [];
  const members: TestMember[] = [];

  afterAll(async () => {
    await Promise.allSettled(members.map((m) => m.member.stop()));
    await Promise.all(opened.map((c) => c.close()));
  });

  async function newMember(groupId: string, name: string, leaveOnStop = true, instance?: string): Promise<TestMember> {
    const cluster = openTestCluster(clusters['B']!);
    opened.push(cluster);
    const coordinator = await cluster.groupCoordinator!({
      groupId,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'mm2ts',
      ...(instance !== undefined ? { groupInstanceId: instance } : {}),
    });
    const m = new TestMember(name, coordinator, leaveOnStop);
    members.push(m);
    m.member.start();
    return m;
  }

  it('two members join one generation with one leader; a member that stops heartbeating is removed within the session timeout', async () => {
    const groupId = uniqueName('mm2ts-membership');
    const a = await newMember(groupId, 'a');
    await until(() => a.latest()?.members.length === 1, { timeoutMs: 15_000, what: 'a alone in the group' });
    const b = await newMember(groupId, 'b', false);
    await until(() => a.latest()?.members.join() === 'a,b' && b.latest()?.members.join() === 'a,b', {
      timeoutMs: 15_000,
      what: 'both members in one generation',
    });
    const ga = a.latest()!.generation;
    const gb = b.latest()!.generation;
    expect(ga.generationId).toBe(gb.generationId);
    expect(ga.leaderId).toBe(gb.leaderId);
    expect([ga.memberId, gb.memberId]).toContain(ga.leaderId);
    expect(ga.memberId).not.toBe(gb.memberId);

    // b stops without leaving (as a kill -9 would): the coordinator expires it after the session timeout.
    const stoppedAt = Date.now();
    await b.member.stop();
    await until(() => a.latest()?.members.join() === 'a', {
      timeoutMs: SESSION_TIMEOUT_MS + 10_000,
      what: 'a alone again',
    });
    const tookMs = Date.now() - stoppedAt;
    expect(tookMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1_000);
    expect(tookMs).toBeLessThan(SESSION_TIMEOUT_MS + 3 * HEARTBEAT_MS + 3_000);
    expect(a.lostReasons).toEqual([]);
  });

  it('a member that leaves is gone at once, not after the session timeout', async () => {
    const groupId = uniqueName('mm2ts-membership');
    const a = await newMember(groupId, 'a');
    const b = await newMember(groupId, 'b');
    await until(() => a.latest()?.members.join() === 'a,b', { timeoutMs: 15_000, what: 'both members' });
    const leftAt = Date.now();
    await b.member.stop();
    await until(() => a.latest()?.members.join() === 'a', { timeoutMs: 10_000, what: 'a alone' });
    expect(Date.now() - leftAt).toBeLessThan(SESSION_TIMEOUT_MS - 1_000);
  });

  it('refuses to join a group of another protocol type (a consumer group, a Connect group)', async () => {
    const groupId = uniqueName('mm2ts-membership');
    await newMember(groupId, 'a');
    await until(() => members.at(-1)!.latest() !== undefined, { timeoutMs: 15_000, what: 'a joined' });
    const cluster = openTestCluster(clusters['B']!);
    opened.push(cluster);
    const connect = await cluster.groupCoordinator!({
      groupId,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'connect',
    });
    const err = await connect.join('', [{ name: 'sessioned', metadata: Buffer.alloc(0) }]).catch((e: unknown) => e);
    expect(kafkaErrorName(err)).toBe('INCONSISTENT_GROUP_PROTOCOL');
    await connect.close();
  });

  it('a static member (group.instance.id) that restarts within the session timeout keeps its place without a new generation', async () => {
    const groupId = uniqueName('mm2ts-membership');
    const a = await newMember(groupId, 'a');
    const b = await newMember(groupId, 'b', false, 'host-b');
    await until(() => a.latest()?.members.join() === 'a,b', { timeoutMs: 15_000, what: 'both members' });
    const generation = a.latest()!.generation.generationId;
    await b.member.stop();
    const b2 = await newMember(groupId, 'b', false, 'host-b');
    await until(() => b2.latest() !== undefined, { timeoutMs: 15_000, what: 'b back' });
    expect(b2.latest()!.members.join()).toBe('a,b');
    // Same metadata, same instance id: the coordinator hands back the assignment, a keeps its generation.
    await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 1_000));
    expect(a.latest()!.generation.generationId).toBe(generation);
  });
});
