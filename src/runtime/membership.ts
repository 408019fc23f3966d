import type { LoadedConfig } from '../config/index.ts';
import { GroupMember, type GroupGeneration } from '../connect/membership-group-member.ts';
import { openKafkaCluster, type KafkaAdmin, type KafkaCluster } from '../kafka/index.ts';
import type { Registry } from 'prom-client';
import { describeError, KafkaPortError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import type { SourceTaskMetrics } from '../connectors/source/source-task-ports.ts';
import type { TopicPartition } from '../records/index.ts';
import {
  PROTOCOL_TYPE,
  ROUTES_PROTOCOL,
  assignRoutes,
  decodeAssignment,
  decodeMetadata,
  encodeJson,
  parsePartitionUnit,
  type GroupMemberView,
  type MemberAssignment,
} from './membership-assignor.ts';
import { LoadMeter } from './membership-load.ts';
import { BalanceWatch, SourceRates, bytesPerSecond, wouldMove, type SourceEndOffsets } from './membership-balance.ts';
import { clientSettings } from './route-clients.ts';
import type { ScaleOutHooks } from './driver.ts';
import type { RouteShare } from './route-runtime.ts';
import { configFingerprint, instanceName, membershipSettings, type MembershipSettings } from './membership-config.ts';
import type { RouteFence } from './membership-fence.ts';
import { MembershipMetrics } from './membership-metrics.ts';
import type { Readiness } from './readiness.ts';

/** Rebalances wait this long at most for every member to rejoin (each first stops what it gives back). */
const REBALANCE_TIMEOUT_MS = 30_000;

/** What the process runs: Driver's gate (src/runtime/driver.ts), a share per route. */
export interface AssignableRoutes {
  assign(shares: ReadonlyMap<string, RouteShare>): Promise<void>;
}

/** `/status`'s `member`: this process's place in the scale-out group. */
export interface MemberStatus {
  groupId: string;
  groupCluster: string;
  instance: string;
  /** JOINING until the first assignment; REFUSED while the group refuses it work; LOST after its membership lapsed. */
  state: 'JOINING' | 'STABLE' | 'REFUSED' | 'LOST';
  memberId?: string;
  generation?: number;
  leader?: boolean;
  /** The units this member runs: flow units (route names) and partition units (`route:topic:partition`). */
  assignment: string[];
  /** The routes whose flow unit this member runs. */
  flows: string[];
  /** The source partitions (`topic:partition`) this member copies, per route. */
  partitions: Record<string, string[]>;
  configHash: string;
  refused?: string;
  /** Every member and its routes, as the leader assigned them last. */
  members?: MemberAssignment['members'];
}

/**
 * This process as a member of the scale-out group (docs/scale-out.md): the routes of the file are
 * the units; the leader shares them (src/runtime/membership-assignor.ts) and this member runs
 * exactly those it is given, through the driver's gate. A route it gives back is stopped (drained,
 * positions and offset-syncs flushed) before it rejoins, so the next owner starts where it stopped.
 */
export class Membership {
  private readonly settings: MembershipSettings;
  private readonly routes: AssignableRoutes;
  private readonly logger: Logger;
  private readonly metrics: MembershipMetrics;
  private readonly instance: string;
  private config: LoadedConfig;
  private fingerprint: { configHash: string; keyHashes: Record<string, string> };
  private member: GroupMember | undefined;
  private cluster: KafkaCluster | undefined;
  /** Routes running or still stopping here: what the metadata claims. */
  private owned = new Set<string>();
  private state: MemberStatus['state'] = 'JOINING';
  private last: { generation: GroupGeneration; assignment: MemberAssignment } | undefined;
  /** The process is stopping its routes: keep claiming them until {@link stop}, act on nothing. */
  private draining = false;
  /** Per route, the source partitions (`topic:partition`) this member's flow unit last listed. */
  private readonly listings = new Map<string, string[]>();
  /** Per route, the partitions the last assignment said the group knows (reported back at the next join). */
  private heard: Record<string, string[]> = {};
  /** Bytes copied and lag per partition unit, for the load the metadata reports. */
  readonly meter = new LoadMeter();
  /** Leader only: the members' metadata it last assigned from, and what it gave each. */
  private led: { views: GroupMemberView[]; out: Map<string, MemberAssignment>; leaderId: string } | undefined;
  /** Leader only: bytes/s per partition unit from its last balance check, and when it was taken. */
  private observed: { at: number; bytes: Map<string, number> } | undefined;
  private readonly rates: SourceRates;
  private readonly watch = new BalanceWatch();
  private balanceTimer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Source admins of the balance check, per route (opened on first use). */
  private readonly sourceAdmins = new Map<string, { cluster: KafkaCluster; admin: Promise<KafkaAdmin> }>();

  constructor(
    settings: MembershipSettings,
    config: LoadedConfig,
    routes: AssignableRoutes,
    logger: Logger,
    registry: Registry,
    sourceEnds?: SourceEndOffsets,
  ) {
    this.settings = settings;
    this.config = config;
    this.routes = routes;
    this.logger = logger.child({ group: settings.groupId });
    this.metrics = new MembershipMetrics(registry);
    this.instance = instanceName(settings);
    this.fingerprint = configFingerprint(config);
    this.rates = new SourceRates(sourceEnds ?? ((route, topic) => this.sourceEndOffsets(route, topic)));
  }

  /** Joins the group on `cluster` (default: the group cluster of the settings) in the background. */
  async start(cluster: KafkaCluster = openKafkaCluster(this.settings.client, this.logger)): Promise<void> {
    this.cluster = cluster;
    if (!cluster.groupCoordinator)
      throw new KafkaPortError('ERR_GROUP_UNSUPPORTED', 'this Kafka port has no group membership');
    const coordinator = await cluster.groupCoordinator({
      groupId: this.settings.groupId,
      ...(this.settings.groupInstanceId !== undefined ? { groupInstanceId: this.settings.groupInstanceId } : {}),
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
      protocolType: PROTOCOL_TYPE,
    });
    this.member = new GroupMember(
      coordinator,
      {
        metadata: () => ({
          protocol: ROUTES_PROTOCOL,
          metadata: encodeJson({
            v: 1,
            instance: this.instance,
            ...this.fingerprint,
            capacity: this.settings.capacity,
            units: this.config.routes.map((r) => r.name),
            owned: [...this.owned].sort(),
            partitions: { ...this.heard, ...Object.fromEntries(this.listings) },
            ...this.meter.report(),
          }),
        }),
        assign: (members, generation) => {
          const views = members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) }));
          const observed = this.freshObserved();
          const out = assignRoutes(views, generation.leaderId, generation.generationId, observed);
          this.led = { views, out, leaderId: generation.leaderId };
          this.watch.reset();
          this.logger.info(
            {
              generation: generation.generationId,
              assignment: Object.fromEntries([...out].map(([id, a]) => [id, a.refused ? 'refused' : a.units])),
            },
            'assigned the routes to the members',
          );
          return new Map([...out].map(([id, a]) => [id, encodeJson(a)]));
        },
        assigned: (bytes, generation) => this.onAssignment(decodeAssignment(bytes), generation),
        lost: async (reason) => {
          if (this.draining) return;
          this.state = 'LOST';
          this.metrics.lost.inc();
          this.metrics.generation.set(-1);
          await this.runOnly(new Set(), reason);
        },
      },
      {
        heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        logger: this.logger,
        leaveOnStop: this.settings.groupInstanceId === undefined,
      },
    );
    this.logger.info(
      { instance: this.instance, groupCluster: this.settings.groupCluster, configHash: this.fingerprint.configHash },
      'joining the scale-out group',
    );
    this.member.start();
    const every = this.settings.rebalanceCheckIntervalMs;
    if (every > 0) {
      this.balanceTimer = setInterval(() => void this.checkBalance(), every);
      this.balanceTimer.unref();
    }
  }

  /** The leader's last balance check, while recent enough to stand for the loads now. */
  private freshObserved(): Map<string, number> | undefined {
    const o = this.observed;
    if (o === undefined || performance.now() - o.at > 2 * this.settings.rebalanceCheckIntervalMs) return undefined;
    return o.bytes;
  }

  /**
   * Leader only, every `mm2ts.cluster.rebalance.check.interval.ms`: measures the records/s arriving
   * at each source partition, and rejoins (a rebalance) when the last assignment would move a unit
   * at these loads at two checks in a row ({@link BalanceWatch}). A balanced group never rebalances
   * for it; a burst or a catch-up that passes within one interval moves nothing.
   */
  async checkBalance(): Promise<void> {
    const led = this.led;
    const generation = this.member?.generation();
    if (this.checking || this.draining || this.state !== 'STABLE' || !led || generation?.leaderId !== led.leaderId)
      return;
    if (generation.memberId !== generation.leaderId) return;
    this.checking = true;
    try {
      const units = [...led.out.values()].flatMap((a) => a.units);
      const rates = await this.rates.sample(units);
      if (rates.size === 0 || this.led !== led) return;
      const bytes = bytesPerSecond(led.views, rates);
      this.observed = { at: performance.now(), bytes };
      const imbalanced = wouldMove(led.views, led.out, led.leaderId, bytes);
      if (!this.watch.checked(imbalanced)) return;
      this.logger.info(
        { bytesPerSecond: Object.fromEntries([...bytes].map(([u, b]) => [u, Math.round(b)])) },
        'the load is out of balance at two checks in a row: rebalancing',
      );
      this.metrics.balanceRebalances.inc();
      this.member?.rejoin();
    } catch (err) {
      this.logger.warn(
        { err: describeError(err) },
        'could not measure the load of the source partitions; the balance is checked again later',
      );
    } finally {
      this.checking = false;
    }
  }

  /** End offsets of a source topic of `route`, by the route's source admin (opened once). */
  private async sourceEndOffsets(route: string, topic: string): Promise<Map<number, bigint>> {
    let entry = this.sourceAdmins.get(route);
    if (!entry) {
      const config = this.config.routes.find((r) => r.name === route);
      if (!config) return new Map();
      const cluster = openKafkaCluster(clientSettings(config, 'source.replication-source-admin'), this.logger);
      entry = { cluster, admin: cluster.admin() };
      // A failed open is forgotten (and its connection closed): the next check opens it again.
      entry.admin.catch(() => {
        this.sourceAdmins.delete(route);
        void cluster.close().catch(() => {});
      });
      this.sourceAdmins.set(route, entry);
    }
    const offsets = await (await entry.admin).listOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, o.latest]));
  }

  private async onAssignment(assignment: MemberAssignment, generation: GroupGeneration): Promise<boolean> {
    if (this.draining) return false;
    const started = performance.now();
    this.metrics.rebalances.inc();
    this.metrics.generation.set(generation.generationId);
    if (assignment.refused !== undefined) {
      if (this.state !== 'REFUSED' || this.last?.assignment.refused !== assignment.refused)
        this.logger.error(
          { configHash: this.fingerprint.configHash },
          `the group refuses this member work: ${assignment.refused}`,
        );
      this.state = 'REFUSED';
      this.metrics.configMismatch.set(1);
    } else {
      this.state = 'STABLE';
      this.metrics.configMismatch.set(0);
    }
    this.last = { generation, assignment };
    if (generation.leaderId !== generation.memberId) this.led = undefined;
    this.heard = assignment.known ?? this.heard;
    const wanted = new Set(assignment.units);
    const revoked = [...this.owned].filter((u) => !wanted.has(u));
    await this.runOnly(wanted, `generation ${generation.generationId}`, this.unlisted(assignment));
    this.metrics.rebalanceSeconds.observe((performance.now() - started) / 1000);
    return revoked.length > 0;
  }

  /**
   * The replicating routes whose partitions the group does not know yet (the first start of a
   * group, a route a reload added), when this member may take work: their flow member lists the
   * partitions first and triggers the next generation, which assigns them. Meanwhile this member
   * opens those routes with no unit (the offsets store read, the source connector built, no
   * task), so its tasks start as soon as that generation gives it partitions instead of one route
   * start later; a route it then gets nothing of stops again.
   */
  private unlisted(assignment: MemberAssignment): string[] {
    if (assignment.refused !== undefined || this.settings.capacity <= 0) return [];
    const known = assignment.known ?? {};
    return this.config.routes.filter((r) => r.settings.enabled && known[r.name] === undefined).map((r) => r.name);
  }

  /**
   * Runs exactly `units`: revoked ones stop first (a route stops, a partition's task drains and
   * flushes), claimed as owned until they have; routes and tasks that stay run on. `opened`:
   * routes to run with no unit besides (see {@link unlisted}).
   */
  private async runOnly(units: ReadonlySet<string>, why: string, opened: readonly string[] = []): Promise<void> {
    const revoked = [...this.owned].filter((u) => !units.has(u));
    const added = [...units].filter((u) => !this.owned.has(u));
    if (revoked.length > 0 || added.length > 0)
      this.logger.info({ revoked, added, why }, 'changing the units this member runs');
    for (const u of added) this.owned.add(u);
    const isFlow = (u: string): boolean => parsePartitionUnit(u) === undefined;
    this.metrics.routesMoved.inc({ direction: 'in' }, added.filter(isFlow).length);
    this.metrics.partitionsMoved.inc({ direction: 'in' }, added.filter((u) => !isFlow(u)).length);
    const shares = sharesOf(
      units,
      this.config.routes.map((r) => r.name),
    );
    this.metrics.assignedRoutes.set(shares.size);
    this.metrics.assignedPartitions.set([...units].filter((u) => !isFlow(u)).length);
    for (const route of opened) if (!shares.has(route)) shares.set(route, { flow: false, partitions: [] });
    await this.routes.assign(shares);
    for (const u of revoked) this.owned.delete(u);
    this.metrics.routesMoved.inc({ direction: 'out' }, revoked.filter(isFlow).length);
    this.metrics.partitionsMoved.inc({ direction: 'out' }, revoked.filter((u) => !isFlow(u)).length);
  }

  /** The hooks the driver gives each gated route: the fence, the flow's listings, the load meter. */
  hooks(): ScaleOutHooks {
    return {
      fence: (route) => this.fence(route),
      listed: (route, partitions) => this.listed(route, partitions),
      meter: (route, metrics: SourceTaskMetrics | undefined) => this.meter.wrap(route, metrics),
    };
  }

  /**
   * The flow unit of `route` listed its source partitions: the metadata reports them, and when
   * they changed while this member holds the flow, it rejoins so the leader assigns the new ones.
   */
  private listed(route: string, partitions: readonly TopicPartition[]): void {
    const next = partitions.map((tp) => `${tp.topic}:${tp.partition}`).sort();
    const before = this.listings.get(route);
    if (before && before.join() === next.join()) return;
    this.listings.set(route, next);
    if (this.draining || !this.owned.has(route)) return;
    this.logger.info({ route, partitions: next.length }, 'the flow listed new source partitions: rebalancing');
    this.member?.rejoin();
  }

  /** True while this member runs some unit of `route` (its flow or one of its partitions). */
  private runsPartOf(route: string): boolean {
    for (const u of this.owned) if (u === route || parsePartitionUnit(u)?.route === route) return true;
    return false;
  }

  /** The fence of one route's writes: this member runs part of it and holds its generation's lease. */
  fence(route: string): RouteFence {
    let warnedAt = 0;
    return {
      holds: () => this.runsPartOf(route) && this.member?.holdsLease() === true,
      debug: (what, fields) =>
        this.logger.debug({ route, generation: this.member?.generation()?.generationId, ...fields }, what),
      skipped: (what) => {
        this.metrics.fencedWrites.inc({ what });
        if (performance.now() - warnedAt < 10_000) return;
        warnedAt = performance.now();
        this.logger.warn(
          { route, what },
          'write skipped: this member may no longer hold the route (its group session may have expired)',
        );
      },
    };
  }

  /** A reload changed the file: the group compares the new configuration at the next generation. */
  configChanged(config: LoadedConfig): void {
    this.config = config;
    const next = configFingerprint(config);
    if (next.configHash === this.fingerprint.configHash) return;
    this.fingerprint = next;
    this.member?.rejoin();
  }

  status(): MemberStatus {
    const generation = this.member?.generation();
    return {
      groupId: this.settings.groupId,
      groupCluster: this.settings.groupCluster,
      instance: this.instance,
      state: this.state,
      ...(generation
        ? {
            memberId: generation.memberId,
            generation: generation.generationId,
            leader: generation.leaderId === generation.memberId,
          }
        : {}),
      assignment: [...this.owned].sort(),
      flows: [...this.owned].filter((u) => parsePartitionUnit(u) === undefined).sort(),
      partitions: Object.fromEntries(
        [
          ...sharesOf(
            this.owned,
            this.config.routes.map((r) => r.name),
          ),
        ]
          .filter(([, share]) => share.partitions.length > 0)
          .map(([route, share]) => [route, share.partitions.map((tp) => `${tp.topic}:${tp.partition}`)]),
      ),
      configHash: this.fingerprint.configHash,
      ...(this.state === 'REFUSED' && this.last?.assignment.refused ? { refused: this.last.assignment.refused } : {}),
      ...(this.last ? { members: this.last.assignment.members } : {}),
    };
  }

  /** Not ready while joining, refused or lost; otherwise as ready as the routes it runs. */
  readiness(routes: Readiness): Readiness {
    const group = `group ${this.settings.groupId}`;
    switch (this.state) {
      case 'JOINING':
        return { ready: false, message: `joining the scale-out ${group}`, notRunning: routes.notRunning };
      case 'REFUSED':
        return {
          ready: false,
          message: `the scale-out ${group} refuses this member work: ${this.last?.assignment.refused ?? ''}`,
          notRunning: routes.notRunning,
        };
      case 'LOST':
        return {
          ready: false,
          message: `lost its place in the scale-out ${group}; rejoining`,
          notRunning: routes.notRunning,
        };
      case 'STABLE':
        return { ...routes, message: `member of ${group} running ${this.owned.size} unit(s): ${routes.message}` };
    }
  }

  /**
   * The process stops its routes now: the member goes on heartbeating and rejoining, still claiming
   * every route it ran, so no other member is given one before it is drained and flushed; it
   * neither starts nor stops routes itself any more.
   */
  drain(): void {
    this.draining = true;
  }

  /** Leaves the group (a static member stays until its session expires). Call after the routes stopped. */
  async stop(): Promise<void> {
    if (this.balanceTimer) clearInterval(this.balanceTimer);
    await this.member?.stop();
    await this.cluster?.close();
    for (const { cluster, admin } of this.sourceAdmins.values()) {
      await admin.then((a) => a.close()).catch(() => {});
      await cluster.close().catch(() => {});
    }
    this.sourceAdmins.clear();
  }
}

/**
 * The process's membership when the file enables scale-out (`mm2ts.cluster.enabled`), already
 * joining; undefined otherwise. `driver` then runs only the routes the group assigns it.
 */
export async function startMembership(
  config: LoadedConfig,
  driver: AssignableRoutes & { gateRoutes(hooks: ScaleOutHooks): void },
  logger: Logger,
  registry: Registry,
): Promise<Membership | undefined> {
  const settings = membershipSettings(config);
  if (settings === null) return undefined;
  const membership = new Membership(settings, config, driver, logger, registry);
  driver.gateRoutes(membership.hooks());
  await membership.start();
  return membership;
}

/** The share of each route the units name: its flow unit, and its partition units as partitions. */
export function sharesOf(units: Iterable<string>, routes: readonly string[]): Map<string, RouteShare> {
  const known = new Set(routes);
  const shares = new Map<string, { flow: boolean; partitions: TopicPartition[] }>();
  const of = (route: string) => {
    let share = shares.get(route);
    if (!share) shares.set(route, (share = { flow: false, partitions: [] }));
    return share;
  };
  for (const u of units) {
    const p = parsePartitionUnit(u);
    if (p === undefined) {
      if (known.has(u)) of(u).flow = true;
    } else if (known.has(p.route)) of(p.route).partitions.push({ topic: p.topic, partition: p.partition });
  }
  for (const share of shares.values())
    share.partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return shares;
}
