import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupMember, type GroupMemberHandlers } from '../../../src/connect/membership-group-member.ts';
import type { GroupCoordinator, GroupJoinResult } from '../../../src/kafka/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const SESSION_MS = 10_000;
const HEARTBEAT_MS = 1_000;

function kafkaError(name: string, details: Record<string, unknown> = {}): KafkaPortError {
  return new KafkaPortError(`KAFKA_${name}`, name, details);
}

/** A coordinator whose answers the test scripts; it records every call in order. */
class FakeCoordinator implements GroupCoordinator {
  readonly options = { groupId: 'g', sessionTimeoutMs: SESSION_MS, rebalanceTimeoutMs: 30_000, protocolType: 'mm2ts' };
  readonly calls: string[] = [];
  generation = 1;
  /** Thrown by the next heartbeats while set. */
  heartbeatError: (() => Error) | undefined;
  joinErrors: Error[] = [];

  async join(memberId: string): Promise<GroupJoinResult> {
    this.calls.push(`join(${memberId})`);
    const err = this.joinErrors.shift();
    if (err) throw err;
    const id = memberId || 'm-1';
    return { memberId: id, generationId: this.generation, leaderId: id, protocolName: 'p', members: [] };
  }
  async sync(generationId: number): Promise<Buffer> {
    this.calls.push(`sync(${generationId})`);
    return Buffer.from(String(generationId));
  }
  async heartbeat(generationId: number): Promise<void> {
    this.calls.push(`heartbeat(${generationId})`);
    if (this.heartbeatError) throw this.heartbeatError();
  }
  async leave(memberId: string): Promise<void> {
    this.calls.push(`leave(${memberId})`);
  }
  async close(): Promise<void> {}
}

function handlers(overrides: Partial<GroupMemberHandlers> = {}): GroupMemberHandlers & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    metadata: () => ({ protocol: 'p', metadata: Buffer.alloc(0) }),
    assign: () => new Map(),
    assigned: async (bytes) => {
      events.push(`assigned(${bytes.toString()})`);
      return false;
    },
    lost: async (reason) => {
      events.push(`lost(${reason})`);
    },
    ...overrides,
  };
}

describe('GroupMember (join, sync, heartbeat, rejoin)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  function member(coordinator: FakeCoordinator, h: GroupMemberHandlers, leaveOnStop = true): GroupMember {
    return new GroupMember(coordinator, h, {
      heartbeatIntervalMs: HEARTBEAT_MS,
      sessionTimeoutMs: SESSION_MS,
      logger: silentLogger(),
      leaveOnStop,
      clock: () => Date.now(),
    });
  }

  it('takes the member id the coordinator hands out (MEMBER_ID_REQUIRED), syncs and heartbeats', async () => {
    const c = new FakeCoordinator();
    c.joinErrors.push(kafkaError('MEMBER_ID_REQUIRED', { memberId: 'given-1' }));
    const h = handlers();
    const m = member(c, h);
    m.start();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(c.calls.slice(0, 5)).toEqual(['join()', 'join(given-1)', 'sync(1)', 'heartbeat(1)', 'heartbeat(1)']);
    expect(m.generation()).toEqual({ memberId: 'given-1', generationId: 1, leaderId: 'given-1' });
    await m.stop();
    expect(c.calls.at(-1)).toBe('leave(given-1)');
  });

  it('revoke → flush → join: keeps heartbeating while routes stop, and rejoins only once they stopped', async () => {
    const c = new FakeCoordinator();
    let release: () => void = () => {};
    let first = true;
    const h = handlers({
      assigned: async () => {
        if (!first) return false;
        first = false;
        // Stopping a revoked route (drain, flush) takes 4 heartbeat intervals.
        await new Promise<void>((r) => (release = r));
        return true;
      },
    });
    const m = member(c, h);
    m.start();
    await vi.advanceTimersByTimeAsync(4_500);
    expect(c.calls.filter((x) => x.startsWith('join'))).toHaveLength(1);
    expect(c.calls.filter((x) => x.startsWith('heartbeat'))).toHaveLength(4);
    c.generation = 2;
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls.slice(-2)).toEqual(['join(m-1)', 'sync(2)']);
    await m.stop();
  });

  it('a rebalance (REBALANCE_IN_PROGRESS) waits for the assignment being acted on, then rejoins with the same id', async () => {
    const c = new FakeCoordinator();
    let release: () => void = () => {};
    let first = true;
    const h = handlers({
      assigned: async () => {
        if (first) {
          first = false;
          await new Promise<void>((r) => (release = r));
        }
        return false;
      },
    });
    const m = member(c, h);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    c.heartbeatError = () => kafkaError('REBALANCE_IN_PROGRESS');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(c.calls.filter((x) => x.startsWith('join'))).toHaveLength(1);
    c.heartbeatError = undefined;
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls.filter((x) => x.startsWith('join'))).toEqual(['join()', 'join(m-1)']);
    await m.stop();
  });

  it('stops its units by itself after failing heartbeats for 60 % of the session timeout, before the coordinator could expire it', async () => {
    const c = new FakeCoordinator();
    const h = handlers();
    const m = member(c, h);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    c.heartbeatError = () => new KafkaPortError('ERR_KAFKA_CONNECTION', 'connection refused', { retriable: true });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.events.filter((e) => e.startsWith('lost'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(h.events.filter((e) => e.startsWith('lost'))).toHaveLength(1);
    expect(h.events.find((e) => e.startsWith('lost'))).toMatch(/^lost\(no heartbeat confirmed for 6\d\d\d ms\)$/);
    await m.stop();
  });

  it('a member the coordinator no longer knows (UNKNOWN_MEMBER_ID) stops everything and joins as a new member', async () => {
    const c = new FakeCoordinator();
    const h = handlers();
    const m = member(c, h);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    c.heartbeatError = () => kafkaError('UNKNOWN_MEMBER_ID');
    await vi.advanceTimersByTimeAsync(1_000);
    c.heartbeatError = undefined;
    await vi.advanceTimersByTimeAsync(6_000);
    expect(h.events.some((e) => e.includes('UNKNOWN_MEMBER_ID'))).toBe(true);
    expect(c.calls.filter((x) => x.startsWith('join'))).toEqual(['join()', 'join()']);
    await m.stop();
  });

  it('a static member does not leave at stop (its place waits for it for the session timeout)', async () => {
    const c = new FakeCoordinator();
    const m = member(c, handlers(), false);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    await m.stop();
    expect(c.calls.some((x) => x.startsWith('leave'))).toBe(false);
  });

  it('a static member whose instance id another process took (FENCED_INSTANCE_ID) stops its units and waits a session timeout before rejoining', async () => {
    const c = new FakeCoordinator();
    const h = handlers();
    const m = member(c, h, false);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    c.heartbeatError = () => kafkaError('FENCED_INSTANCE_ID');
    await vi.advanceTimersByTimeAsync(1_000);
    c.heartbeatError = undefined;
    expect(h.events.some((e) => e.includes('FENCED_INSTANCE_ID'))).toBe(true);
    await vi.advanceTimersByTimeAsync(SESSION_MS - 1_000);
    expect(c.calls.filter((x) => x.startsWith('join'))).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(c.calls.filter((x) => x.startsWith('join'))).toHaveLength(2);
    await m.stop();
  });

  it('holds its lease for a session timeout after the last confirmed heartbeat, and not once the coordinator said it is gone', async () => {
    const c = new FakeCoordinator();
    const m = member(c, handlers(), false);
    expect(m.holdsLease()).toBe(false);
    m.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(m.holdsLease()).toBe(true);
    const refused = (): KafkaPortError =>
      new KafkaPortError('ERR_KAFKA_CONNECTION', 'connection refused', { retriable: true });
    c.heartbeatError = refused;
    c.joinErrors = Array.from({ length: 50 }, refused);
    await vi.advanceTimersByTimeAsync(SESSION_MS - 1_100);
    // Self-fenced already (its units stop), but the coordinator cannot have expired it: writes still go.
    expect(m.holdsLease()).toBe(true);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(m.holdsLease()).toBe(false);
    c.heartbeatError = undefined;
    c.joinErrors = [];
    await vi.advanceTimersByTimeAsync(6_000);
    expect(m.holdsLease()).toBe(true);
    c.heartbeatError = () => kafkaError('UNKNOWN_MEMBER_ID');
    c.joinErrors = Array.from({ length: 10 }, () => kafkaError('COORDINATOR_NOT_AVAILABLE'));
    await vi.advanceTimersByTimeAsync(1_050);
    expect(m.holdsLease()).toBe(false);
    await m.stop();
  });
});
