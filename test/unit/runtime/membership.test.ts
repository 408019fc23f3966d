import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadMirrorMakerConfig } from '../../../src/config/index.ts';
import type {
  GroupCoordinator,
  GroupCoordinatorOptions,
  GroupJoinResult,
  KafkaCluster,
} from '../../../src/kafka/index.ts';
import { decodeMetadata, encodeJson, type MemberAssignment } from '../../../src/runtime/membership-assignor.ts';
import type { RouteShare } from '../../../src/runtime/route-runtime.ts';
import { membershipSettings } from '../../../src/runtime/membership-config.ts';
import { Membership } from '../../../src/runtime/membership.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'membership-'));
const file = join(dir, 'mm2.properties');
writeFileSync(
  file,
  [
    'clusters = A, B',
    'A.bootstrap.servers = a:9092',
    'B.bootstrap.servers = b:9092',
    'A->B.enabled = true',
    'B->A.enabled = true',
    'mm2ts.cluster.enabled = true',
    'mm2ts.group.session.timeout.ms = 6000',
  ].join('\n'),
);
const config = loadMirrorMakerConfig(file);

/** A coordinator that makes this member the leader of a group of one, or hands out a scripted assignment. */
class LoneCoordinator implements GroupCoordinator {
  options!: GroupCoordinatorOptions;
  generation = 0;
  metadata: Buffer[] = [];
  next: MemberAssignment | undefined;
  async join(memberId: string, protocols: { name: string; metadata: Buffer }[]): Promise<GroupJoinResult> {
    this.metadata.push(protocols[0]!.metadata);
    const id = memberId || 'm-1';
    this.generation++;
    return {
      memberId: id,
      generationId: this.generation,
      leaderId: id,
      protocolName: protocols[0]!.name,
      members: [{ memberId: id, groupInstanceId: null, metadata: protocols[0]!.metadata }],
    };
  }
  async sync(_g: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]): Promise<Buffer> {
    if (this.next) return encodeJson(this.next);
    return assignments.find((a) => a.memberId === memberId)!.assignment;
  }
  async heartbeat(): Promise<void> {
    if (this.next) throw new KafkaPortError('KAFKA_REBALANCE_IN_PROGRESS', 'rebalance', { retriable: true });
  }
  async leave(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('Membership (the process in its scale-out group)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function started(coordinator: LoneCoordinator) {
    const runs: string[][] = [];
    const routes = {
      assign: async (shares: ReadonlyMap<string, RouteShare>) => {
        runs.push([...shares.keys()].sort());
      },
    };
    const cluster = {
      groupCoordinator: async (options: GroupCoordinatorOptions) => {
        coordinator.options = options;
        return coordinator;
      },
      close: async () => {},
    } as unknown as KafkaCluster;
    const membership = new Membership(membershipSettings(config)!, config, routes, silentLogger(), new Registry());
    await membership.start(cluster);
    return { membership, runs };
  }

  it('joins with protocol type mm2ts, runs what it is assigned, and shows it', async () => {
    const c = new LoneCoordinator();
    const { membership, runs } = await started(c);
    await vi.advanceTimersByTimeAsync(10);
    expect(c.options.protocolType).toBe('mm2ts');
    expect(c.options.groupId).toBe('mm2ts-A-B');
    expect(runs.at(-1)).toEqual(['A->B', 'B->A']);
    const status = membership.status();
    expect(status).toMatchObject({ state: 'STABLE', generation: 1, leader: true, assignment: ['A->B', 'B->A'] });
    expect(status.members).toEqual([
      {
        memberId: 'm-1',
        instance: status.instance,
        units: ['A->B', 'B->A'],
        flows: ['A->B', 'B->A'],
        partitions: {},
        generation: 1,
      },
    ]);
    expect(membership.readiness({ ready: true, message: '2 route(s) running', notRunning: [] })).toMatchObject({
      ready: true,
      message: 'member of group mm2ts-A-B running 2 unit(s): 2 route(s) running',
    });
    // The metadata says what it runs, for the next generation's sticky, two-phase assignment.
    await membership.stop();
    expect(decodeMetadata(c.metadata[0]!)!.owned).toEqual([]);
  });

  it('a refused member stops its routes, is not ready, and says why', async () => {
    const c = new LoneCoordinator();
    const { membership, runs } = await started(c);
    await vi.advanceTimersByTimeAsync(10);
    c.next = { v: 1, units: [], refused: 'its configuration differs in: topics', members: [] };
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs.at(-1)).toEqual([]);
    expect(membership.status()).toMatchObject({ state: 'REFUSED', refused: 'its configuration differs in: topics' });
    const ready = membership.readiness({ ready: true, message: '0 route(s)', notRunning: [] });
    expect(ready.ready).toBe(false);
    expect(ready.message).toContain('refuses this member work: its configuration differs in: topics');
    // It claimed both routes at the join it was refused at, and none once it had stopped them.
    expect(decodeMetadata(c.metadata[1]!)!.owned).toEqual(['A->B', 'B->A']);
    expect(decodeMetadata(c.metadata.at(-1)!)!.owned).toEqual([]);
    await membership.stop();
  });

  it('opens the replicating routes whose partitions the group does not know yet with no unit, so its tasks start as soon as it gets some', async () => {
    const c = new LoneCoordinator();
    const shares: Record<string, RouteShare>[] = [];
    const cluster = {
      groupCoordinator: async (options: GroupCoordinatorOptions) => {
        c.options = options;
        return c;
      },
      close: async () => {},
    } as unknown as KafkaCluster;
    const routes = {
      assign: async (given: ReadonlyMap<string, RouteShare>) => void shares.push(Object.fromEntries(given)),
    };
    const membership = new Membership(membershipSettings(config)!, config, routes, silentLogger(), new Registry());
    // Another member runs both flows; nobody listed their partitions yet.
    c.next = { v: 1, units: [], members: [] };
    await membership.start(cluster);
    await vi.advanceTimersByTimeAsync(1_000);
    const empty = { flow: false, partitions: [] };
    expect(shares.at(-1)).toEqual({ 'A->B': empty, 'B->A': empty });
    expect(membership.status().assignment).toEqual([]);
    // The listing came: it runs what it is given, and nothing of a route it got no unit of.
    c.next = { v: 1, units: ['A->B:orders:0'], members: [], known: { 'A->B': ['orders:0'], 'B->A': ['x:0'] } };
    await vi.advanceTimersByTimeAsync(1_000);
    expect(shares.at(-1)).toEqual({ 'A->B': { flow: false, partitions: [{ topic: 'orders', partition: 0 }] } });
    // A refused member opens nothing.
    c.next = { v: 1, units: [], members: [], refused: 'its configuration differs' };
    await vi.advanceTimersByTimeAsync(3_000);
    expect(shares.at(-1)).toEqual({});
    await membership.stop();
  });

  it('while the process drains at stop it keeps claiming its routes and acts on no assignment', async () => {
    const c = new LoneCoordinator();
    const { membership, runs } = await started(c);
    await vi.advanceTimersByTimeAsync(10);
    const before = runs.length;
    membership.drain();
    c.next = { v: 1, units: [], members: [] };
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs.length).toBe(before);
    // Every rejoin meanwhile still claims both routes: the leader gives them to nobody else yet.
    expect(c.metadata.length).toBeGreaterThan(2);
    for (const m of c.metadata.slice(1)) expect(decodeMetadata(m)!.owned).toEqual(['A->B', 'B->A']);
    await membership.stop();
  });
});
