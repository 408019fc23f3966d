/**
 * What the members of a scale-out group tell each other (protocol `mm2ts-routes` v1) and how the
 * leader shares the routes among them. Pure functions: src/runtime/membership.ts does the I/O.
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
  /** The routes this member runs now (or is still stopping). */
  owned: string[];
}

export interface MemberAssignment {
  v: 1;
  units: string[];
  /** Set when the member may take no work, saying why. */
  refused?: string;
  /** Every member and its routes, as the leader saw them (for /status). */
  members: { memberId: string; instance: string; units: string[]; refused?: boolean }[];
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
    };
  } catch {
    return undefined;
  }
}

export function decodeAssignment(bytes: Buffer): MemberAssignment {
  if (bytes.length === 0) return { v: 1, units: [], members: [] };
  const a = JSON.parse(bytes.toString('utf8')) as MemberAssignment;
  return { v: 1, units: a.units ?? [], members: a.members ?? [], ...(a.refused ? { refused: a.refused } : {}) };
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
 * generation, until their owner has stopped them.
 */
export function assignRoutes(members: readonly GroupMemberView[], leaderId: string): Map<string, MemberAssignment> {
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
  const overview = sorted.map((m) => ({
    memberId: m.memberId,
    instance: m.metadata?.instance ?? '?',
    units: given.get(m.memberId)!,
    ...(refusals.has(m.memberId) ? { refused: true } : {}),
  }));
  return new Map(
    sorted.map((m) => {
      const refused = refusals.get(m.memberId);
      return [
        m.memberId,
        { v: 1, units: given.get(m.memberId)!, members: overview, ...(refused !== undefined ? { refused } : {}) },
      ];
    }),
  );
}
