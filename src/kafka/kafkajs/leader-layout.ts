import type { FetchRequest } from '../port.ts';

/**
 * Which positions of a round's requests each leader is fetched for, and which have no leader.
 * A reader asks for the same partitions in the same order round after round (a source task's
 * positions): checking that costs two comparisons per partition, where grouping anew costs a set
 * of topics and a leader lookup per partition, every round (a quarter of an idle mirror's
 * main-thread time at 8,000 partitions, docs/benchmarks/2026-12-01-scale-9.md). The topic and partition of each
 * position are copied: the caller may reuse its array.
 */
export class LeaderLayout {
  readonly topics: readonly string[];
  readonly byLeader = new Map<number, number[]>();
  readonly leaderless: number[] = [];
  private readonly topicAt: string[];
  private readonly partitionAt: Int32Array;
  /** Each topic's leader table as metadata gave it: a refresh replaces the tables. */
  private readonly leaders: ReadonlyMap<string, ReadonlyMap<number, number>>;

  /**
   * The topics of `requests`, to look their leaders up: `previous`'s own array when it was made
   * for the same partitions in the same order (no pass to collect them), which {@link next}
   * then recognizes.
   */
  static topicsFor(previous: LeaderLayout | undefined, requests: readonly FetchRequest[]): readonly string[] {
    if (previous !== undefined && previous.matches(requests)) return previous.topics;
    return [...new Set(requests.map((r) => r.topic))];
  }

  /** `previous` while it stands for `requests` (its topics, see {@link topicsFor}) under the same leaders, else a new layout. */
  static next(
    previous: LeaderLayout | undefined,
    requests: readonly FetchRequest[],
    topics: readonly string[],
    leadersByTopic: ReadonlyMap<string, ReadonlyMap<number, number>>,
  ): LeaderLayout {
    if (previous !== undefined && previous.topics === topics && previous.sameLeaders(leadersByTopic)) return previous;
    return new LeaderLayout(requests, topics, leadersByTopic);
  }

  constructor(
    requests: readonly FetchRequest[],
    topics: readonly string[],
    leadersByTopic: ReadonlyMap<string, ReadonlyMap<number, number>>,
  ) {
    this.topics = topics;
    this.leaders = leadersByTopic;
    this.topicAt = new Array<string>(requests.length);
    this.partitionAt = new Int32Array(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      this.topicAt[i] = r.topic;
      this.partitionAt[i] = r.partition;
      const leader = leadersByTopic.get(r.topic)?.get(r.partition);
      if (leader === undefined || leader < 0) {
        this.leaderless.push(i);
        continue;
      }
      const positions = this.byLeader.get(leader);
      if (positions === undefined) this.byLeader.set(leader, [i]);
      else positions.push(i);
    }
  }

  /** The same partitions in the same order as when this layout was made. */
  matches(requests: readonly FetchRequest[]): boolean {
    if (requests.length !== this.topicAt.length) return false;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      if (r.partition !== this.partitionAt[i] || r.topic !== this.topicAt[i]) return false;
    }
    return true;
  }

  /** The same leader table for every topic (unchanged metadata hands out the same tables). */
  sameLeaders(leadersByTopic: ReadonlyMap<string, ReadonlyMap<number, number>>): boolean {
    if (leadersByTopic === this.leaders) return true;
    if (leadersByTopic.size !== this.leaders.size) return false;
    for (const [topic, table] of leadersByTopic) if (this.leaders.get(topic) !== table) return false;
    return true;
  }
}
