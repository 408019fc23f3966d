/**
 * What the members of a scale-out group tell each other (protocol `mm2ts-routes` v1) and how the
 * leader shares the work among them. Pure functions: src/runtime/membership.ts does the I/O.
 *
 * Two kinds of unit: a route's **flow unit**, named like the route (`A->B`: its topic, config and
 * ACL sync, partition listing, checkpoint and heartbeat connectors — what runs once per flow), and
 * its **partition units** (`A->B:orders:3`, see {@link partitionUnit}): one source partition each,
 * copied by a source task of the member that holds it. The leader knows a route's partitions
 * from the members' metadata (the flow unit's holder reports what it listed); a partition nobody
 * reported yet is assigned at the rebalance its report triggers.
 *
 * The assignment is cooperative (the idea of KIP-429): a route still claimed by one member is never
 * handed to another in the same generation. Its owner first gets an assignment without it, stops
 * it (drain, flush positions and offset-syncs) and rejoins; only the next generation gives it to
 * its new member. So a route never runs on two live members at once, and routes that do not move
 * keep running through every rebalance.
 */

export const ROUTES_PROTOCOL = 'mm2ts-routes';
export const PROTOCOL_TYPE = 'mm2ts';

export interface MemberMetadata {
  v: 1;
  /** `mm2ts.group.instance.id` or the host name and process id: for people, in /status and logs. */
  instance: string;
  /** The hash of the member's resolved configuration (src/runtime/membership-config.ts). */
  configHash: string;
  /** Per-key hashes of the non-secret keys, so the leader can say which keys differ. */
  keyHashes: Record<string, string>;
  capacity: number;
  /** The routes this member's file selects. */
  units: string[];
  /** The units (flow and partition) this member runs now (or is still stopping). */
  owned: string[];
  /** Per route, the source partitions (`topic:partition`) this member listed when it last ran the route's flow unit. */
  partitions?: Record<string, string[]>;
  /** Observed bytes/s copied per partition unit this member runs (since its previous report). */
  load?: Record<string, number>;
  /** Observed lag (records) per partition unit this member runs. */
  lag?: Record<string, number>;
  /** Observed records/s copied per partition unit (with `load`: the bytes per record). */
  records?: Record<string, number>;
}

export interface MemberAssignment {
  v: 1;
  units: string[];
  /** Set when the member may take no work, saying why. */
  refused?: string;
  /** Every member and its routes, as the leader saw them (for /status). */
  members: MemberOverview[];
  /**
   * Per route, the source partitions (`topic:partition`) the leader knows: every member reports
   * them back, so they stay known when the flow unit's member dies before another one listed them.
   */
  known?: Record<string, string[]>;
}

/** One member as the leader assigned it (`/status`'s `member.members`). */
export interface MemberOverview {
  memberId: string;
  instance: string;
  /** Every unit, flow and partition. */
  units: string[];
  /** The flow units (routes whose once-per-flow work it runs). */
  flows?: string[];
  /** The partition units per route (`topic:partition`). */
  partitions?: Record<string, string[]>;
  /** Bytes/s it reported for the partitions it keeps (sum). */
  bytesPerSecond?: number;
  /** The generation of this assignment. */
  generation?: number;
  refused?: boolean;
}

/**
 * Sticky first: a unit moves only while the busiest and the idlest member (load per capacity)
 * differ by more than this share of the fair part, and only when the move makes the pair more even.
 */
export const IMBALANCE_THRESHOLD = 0.2;

/**
 * What a flow unit weighs, as a share of an average partition. Its work copies no records: a
 * partition listing and config sync every few seconds, a heartbeat record a second, checkpoints
 * per consumer group — far less than a partition under load. Weighing it as a whole partition
 * left its member one partition short (12 equal partitions on three members spread 5/3/4); this
 * small share only breaks ties, so the flow's member takes no more partitions than the others.
 */
export const FLOW_WEIGHT_SHARE = 0.05;

/** The partition unit of `topic`-`partition` of `route`. */
export function partitionUnit(route: string, topic: string, partition: number): string {
  return `${route}:${topic}:${partition}`;
}

/** The route, topic and partition of a partition unit; undefined for a flow unit (a route name). */
export function parsePartitionUnit(unit: string): { route: string; topic: string; partition: number } | undefined {
  // Topic names cannot hold ':' (Kafka's legal characters are [a-zA-Z0-9._-]); a route name ends the unit otherwise.
  const last = unit.lastIndexOf(':');
  if (last < 0) return undefined;
  const before = unit.lastIndexOf(':', last - 1);
  if (before < 0) return undefined;
  const partition = Number(unit.slice(last + 1));
  if (!Number.isInteger(partition)) return undefined;
  return { route: unit.slice(0, before), topic: unit.slice(before + 1, last), partition };
}

export function encodeJson(value: MemberMetadata | MemberAssignment): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeMetadata(bytes: Buffer): MemberMetadata | undefined {
  try {
    const m = JSON.parse(bytes.toString('utf8')) as Partial<MemberMetadata>;
    if (m.v !== 1 || typeof m.configHash !== 'string' || !Array.isArray(m.units) || !Array.isArray(m.owned))
      return undefined;
    return {
      v: 1,
      instance: String(m.instance ?? '?'),
      configHash: m.configHash,
      keyHashes: m.keyHashes ?? {},
      capacity: typeof m.capacity === 'number' ? m.capacity : 1,
      units: m.units.map(String),
      owned: m.owned.map(String),
      ...(m.partitions && typeof m.partitions === 'object' ? { partitions: m.partitions } : {}),
      ...(m.load && typeof m.load === 'object' ? { load: m.load } : {}),
      ...(m.lag && typeof m.lag === 'object' ? { lag: m.lag } : {}),
      ...(m.records && typeof m.records === 'object' ? { records: m.records } : {}),
    };
  } catch {
    return undefined;
  }
}

export function decodeAssignment(bytes: Buffer): MemberAssignment {
  if (bytes.length === 0) return { v: 1, units: [], members: [] };
  const a = JSON.parse(bytes.toString('utf8')) as MemberAssignment;
  return {
    v: 1,
    units: a.units ?? [],
    members: a.members ?? [],
    ...(a.refused ? { refused: a.refused } : {}),
    ...(a.known && typeof a.known === 'object' ? { known: a.known } : {}),
  };
}

export interface GroupMemberView {
  memberId: string;
  /** Undefined when the metadata could not be read (another version): such a member takes no work. */
  metadata: MemberMetadata | undefined;
}

/** The keys whose values differ between two members (secret keys are hashed together under `(secret keys)`). */
export function differingKeys(a: MemberMetadata, b: MemberMetadata): string[] {
  const names = new Set([...Object.keys(a.keyHashes), ...Object.keys(b.keyHashes)]);
  return [...names].filter((k) => a.keyHashes[k] !== b.keyHashes[k]).sort();
}

/**
 * The leader's assignment. The configuration most members run is the group's (a tie goes to the
 * leader's); members with another configuration get nothing and are told why. Each eligible member
 * keeps what it runs up to its share (capacity-weighted), routes nobody runs go to the least loaded
 * member, and routes a member runs beyond its share or may no longer run are withheld for one
 * generation, until their owner has stopped them. Partition units are shared by load
 * ({@link assignPartitions}), with the same two phases. `observed`: bytes/s per partition unit the
 * leader measured itself (src/runtime/membership-balance.ts); they win over what the members report.
 */
export function assignRoutes(
  members: readonly GroupMemberView[],
  leaderId: string,
  generation?: number,
  observed?: ReadonlyMap<string, number>,
): Map<string, MemberAssignment> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const counts = new Map<string, number>();
  for (const m of sorted)
    if (m.metadata) counts.set(m.metadata.configHash, (counts.get(m.metadata.configHash) ?? 0) + 1);
  const leaderHash = sorted.find((m) => m.memberId === leaderId)?.metadata?.configHash;
  let groupHash: string | undefined;
  for (const [hash, n] of counts) {
    const best = groupHash === undefined ? -1 : counts.get(groupHash)!;
    if (n > best || (n === best && hash === leaderHash)) groupHash = hash;
  }
  const reference = sorted.find((m) => m.metadata?.configHash === groupHash)?.metadata;
  const refusals = new Map<string, string>();
  for (const m of sorted) {
    if (!m.metadata) {
      refusals.set(m.memberId, 'its membership metadata is not protocol mm2ts-routes v1 (another version?)');
    } else if (m.metadata.configHash !== groupHash && reference) {
      const keys = differingKeys(m.metadata, reference);
      refusals.set(
        m.memberId,
        `its configuration (hash ${m.metadata.configHash}) differs from the group's (hash ${groupHash}, run by ${counts.get(groupHash!)} member(s))` +
          (keys.length > 0 ? ` in: ${keys.join(', ')}` : '') +
          '; it takes no routes until it runs the same file',
      );
    }
  }
  const eligible = sorted.filter((m) => !refusals.has(m.memberId) && (m.metadata?.capacity ?? 0) > 0);
  const units = [...(reference?.units ?? [])].sort();
  const valid = new Set(units);
  const claimedBy = new Map<string, string[]>();
  for (const m of sorted)
    for (const u of m.metadata?.owned ?? []) claimedBy.set(u, [...(claimedBy.get(u) ?? []), m.memberId]);
  const totalCapacity = eligible.reduce((s, m) => s + m.metadata!.capacity, 0);
  const quota = new Map(
    eligible.map((m) => [m.memberId, Math.ceil((units.length * m.metadata!.capacity) / totalCapacity)]),
  );
  const given = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  // Sticky: owners keep what they run, up to their share.
  for (const m of eligible) {
    const mine = given.get(m.memberId)!;
    for (const u of [...m.metadata!.owned].sort()) {
      if (!valid.has(u) || claimedBy.get(u)![0] !== m.memberId || mine.length >= quota.get(m.memberId)!) continue;
      mine.push(u);
    }
  }
  // Routes nobody runs: to the member with the lowest load per capacity.
  for (const u of units) {
    if (claimedBy.has(u)) continue;
    let best: string | undefined;
    let bestLoad = Infinity;
    for (const m of eligible) {
      const load = given.get(m.memberId)!.length / m.metadata!.capacity;
      if (given.get(m.memberId)!.length < quota.get(m.memberId)! && load < bestLoad) {
        best = m.memberId;
        bestLoad = load;
      }
    }
    if (best !== undefined) given.get(best)!.push(u);
  }
  const { assigned: partitions, known } = assignPartitions(sorted, eligible, units, claimedBy, given, observed);

  const overview: MemberOverview[] = sorted.map((m) => {
    const flows = given.get(m.memberId)!;
    const mine = partitions.get(m.memberId) ?? [];
    const perRoute: Record<string, string[]> = {};
    for (const u of mine) {
      const p = parsePartitionUnit(u)!;
      (perRoute[p.route] ??= []).push(`${p.topic}:${p.partition}`);
    }
    const load = m.metadata?.load ?? {};
    const bytes = mine.reduce((sum, u) => sum + (load[u] ?? 0), 0);
    return {
      memberId: m.memberId,
      instance: m.metadata?.instance ?? '?',
      units: [...flows, ...mine],
      flows,
      partitions: perRoute,
      ...(bytes > 0 ? { bytesPerSecond: Math.round(bytes) } : {}),
      ...(generation !== undefined ? { generation } : {}),
      ...(refusals.has(m.memberId) ? { refused: true } : {}),
    };
  });
  return new Map(
    sorted.map((m) => {
      const refused = refusals.get(m.memberId);
      return [
        m.memberId,
        {
          v: 1,
          units: [...given.get(m.memberId)!, ...(partitions.get(m.memberId) ?? [])],
          members: overview,
          ...(refused !== undefined ? { refused } : {}),
          ...(Object.keys(known).length > 0 ? { known } : {}),
        },
      ];
    }),
  );
}

/**
 * The partition units of the group's routes, balanced by observed bytes/s (a partition nobody
 * measured yet weighs as the average measured one; every partition weighs at least 1, so an idle
 * group balances counts). Sticky first: each owner keeps what it runs, and units move only while
 * the busiest and the idlest member (load per capacity) differ by more than
 * {@link IMBALANCE_THRESHOLD} of the fair part and a move makes the pair more even. Units nobody holds go first, heaviest first, to the
 * least loaded member; then a unit moved off a busy member is withheld this generation (its owner
 * stops it: the task drains and flushes its positions, then rejoins) and given at the next one.
 */
function assignPartitions(
  sorted: readonly GroupMemberView[],
  eligible: readonly GroupMemberView[],
  routes: readonly string[],
  claimedBy: ReadonlyMap<string, string[]>,
  flowsGiven: ReadonlyMap<string, string[]>,
  observed: ReadonlyMap<string, number> = new Map(),
): { assigned: Map<string, string[]>; known: Record<string, string[]> } {
  const out = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  const known: Record<string, string[]> = {};
  if (eligible.length === 0) return { assigned: out, known };
  // The partitions of each route: the flow holder's listing when it reported one; else every
  // member's report (each one reports what the last assignment said was known) and every
  // partition a member still runs.
  const all = new Set<string>();
  for (const route of routes) {
    const holder = claimedBy.get(route)?.[0];
    const fromHolder = sorted.find((m) => m.memberId === holder)?.metadata?.partitions?.[route];
    const lists = fromHolder
      ? [fromHolder]
      : eligible.flatMap((m) => [
          m.metadata!.partitions?.[route] ?? [],
          m.metadata!.owned.flatMap((u) => {
            const p = parsePartitionUnit(u);
            return p?.route === route ? [`${p.topic}:${p.partition}`] : [];
          }),
        ]);
    const mine = new Set<string>();
    for (const list of lists)
      for (const tp of list) {
        const i = tp.lastIndexOf(':');
        if (i > 0) {
          all.add(partitionUnit(route, tp.slice(0, i), Number(tp.slice(i + 1))));
          mine.add(tp);
        }
      }
    if (mine.size > 0) known[route] = [...mine].sort();
  }
  if (all.size === 0) return { assigned: out, known };
  const measured = new Map<string, number>();
  // A unit's load as its owner measured it (a member that gave it back may still report an old rate).
  for (const m of sorted)
    for (const u of m.metadata?.owned ?? []) {
      const bps = m.metadata?.load?.[u];
      if (typeof bps === 'number' && claimedBy.get(u)?.[0] === m.memberId) measured.set(u, bps);
    }
  for (const [u, bps] of observed) if (all.has(u)) measured.set(u, bps);
  const metered = [...all].filter((u) => measured.has(u));
  const average = metered.length > 0 ? metered.reduce((s, u) => s + measured.get(u)!, 0) / metered.length : 0;
  const weight = (u: string): number => Math.max(1, measured.get(u) ?? average);
  const capacity = new Map(eligible.map((m) => [m.memberId, m.metadata!.capacity]));
  const flowWeight = FLOW_WEIGHT_SHARE * Math.max(1, average);
  const load = new Map(eligible.map((m) => [m.memberId, (flowsGiven.get(m.memberId)?.length ?? 0) * flowWeight]));
  const kept = new Map<string, string[]>(eligible.map((m) => [m.memberId, []]));
  for (const m of eligible)
    for (const u of m.metadata!.owned)
      if (all.has(u) && claimedBy.get(u)![0] === m.memberId) {
        kept.get(m.memberId)!.push(u);
        load.set(m.memberId, load.get(m.memberId)! + weight(u));
      }
  const totalCapacity = eligible.reduce((s, m) => s + m.metadata!.capacity, 0);
  const flowCost = [...flowsGiven.values()].reduce((s, f) => s + f.length * flowWeight, 0);
  const fair = ([...all].reduce((s, u) => s + weight(u), 0) + flowCost) / totalCapacity;
  const ratio = (id: string): number => load.get(id)! / capacity.get(id)!;
  const fresh = new Set<string>();
  // Units nobody holds: heaviest first, each to the member with the least load per capacity.
  const free = [...all].filter((u) => !claimedBy.has(u)).sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : 1));
  for (const u of free) {
    const to = [...kept.keys()].reduce((a, b) => (ratio(b) < ratio(a) ? b : a));
    kept.get(to)!.push(u);
    fresh.add(u);
    load.set(to, load.get(to)! + weight(u));
  }
  // Moves off the busiest member, each one making the pair more even.
  for (let guard = all.size; guard > 0; guard--) {
    const ids = [...kept.keys()];
    const donor = ids.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
    const receiver = ids.reduce((a, b) => (ratio(b) < ratio(a) ? b : a));
    if (donor === receiver || ratio(donor) - ratio(receiver) <= fair * IMBALANCE_THRESHOLD) break;
    const gap = (ratio(donor) - ratio(receiver)) / 2;
    let best: string | undefined;
    for (const u of kept.get(donor)!) {
      if (fresh.has(u)) continue;
      const w = weight(u);
      const after = Math.max(
        (load.get(donor)! - w) / capacity.get(donor)!,
        (load.get(receiver)! + w) / capacity.get(receiver)!,
      );
      if (after >= ratio(donor)) continue;
      if (best === undefined || Math.abs(w - gap) < Math.abs(weight(best) - gap)) best = u;
    }
    if (best === undefined) break;
    kept.set(
      donor,
      kept.get(donor)!.filter((u) => u !== best),
    );
    load.set(donor, load.get(donor)! - weight(best));
    // Counted on the receiver so the next move looks elsewhere; the unit itself is withheld.
    load.set(receiver, load.get(receiver)! + weight(best));
  }
  for (const [id, units] of kept) out.set(id, [...units]);
  for (const [id, units] of out) out.set(id, units.sort());
  return { assigned: out, known };
}
