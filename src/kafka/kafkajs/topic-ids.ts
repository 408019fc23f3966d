/**
 * Topic ids (KIP-516) of the topics a reader fetches, for Fetch v13+, which names topics by id.
 *
 * Names map to their current id; ids map back to names for as long as the process runs: a broker
 * answers a session's partitions by the ids it was sent, which may be older than a re-created
 * topic's new id (ids are random 16 bytes and never reused, so the table only grows with topics
 * ever fetched). A topic the lookup gives no id (an error, a broker without ids) is `missing`:
 * its leader's requests then name topics by name (Fetch v11).
 */
export interface TopicIdLookupAnswer {
  name: string;
  errorCode: number;
  /** 16 bytes; all zero when the broker has no id for the topic. */
  topicId: Buffer;
}

/** How often topics without an id are looked up again. */
export const MISSING_RETRY_MS = 5_000;

export class TopicIds {
  private readonly ids = new Map<string, Buffer>();
  private readonly names = new Map<string, string>();
  /** Ids forgotten by {@link forget}, to tell whether a lookup found a different one. */
  private readonly forgotten = new Map<string, string>();
  /** The topics array of the last complete {@link of} call: the same array asked again needs no pass. */
  private lastTopics: readonly string[] | undefined;
  /** Topics of the last {@link of} call without an id. */
  missing: ReadonlySet<string> = new Set();
  /** The cluster has no topic ids (its brokers answer no Metadata version with them): never ask again. */
  unavailable = false;
  /** Looks ids up; undefined when the cluster cannot answer them. */
  private readonly lookup: (topics: readonly string[]) => Promise<TopicIdLookupAnswer[] | undefined>;
  private readonly now: () => number;
  /** When {@link missing} was last asked about. */
  private missingAskedAt = 0;

  constructor(
    lookup: (topics: readonly string[]) => Promise<TopicIdLookupAnswer[] | undefined>,
    options: { now?: () => number } = {},
  ) {
    this.lookup = lookup;
    this.now = options.now ?? Date.now;
  }

  /** The id of a topic not in {@link missing}. */
  idOf(topic: string): Buffer {
    const id = this.ids.get(topic);
    if (id === undefined) throw new RangeError(`no topic id known for topic ${topic}`);
    return id;
  }

  /** Whether `topic` has a known id. */
  has(topic: string): boolean {
    return this.ids.has(topic);
  }

  /** The name of a topic id (32 hex digits), if it was ever looked up. */
  nameOf(topicIdHex: string): string | undefined {
    return this.names.get(topicIdHex);
  }

  /**
   * Ids for `topics`, looking up the ones not known (one request). `changed`: topics forgotten
   * earlier that came back with another id (deleted and created again): a fetch session holding
   * an old id must start over.
   */
  async of(topics: readonly string[]): Promise<{ changed: string[] }> {
    const changed: string[] = [];
    if (topics === this.lastTopics || this.unavailable) return { changed };
    const unknown = topics.filter((t) => !this.ids.has(t));
    // Only topics already missing (a deleted topic a reader still asks for): asked again every
    // MISSING_RETRY_MS, not every round; meanwhile their leaders' requests name topics.
    const onlyMissing = unknown.every((t) => this.missing.has(t));
    if (unknown.length > 0 && onlyMissing && this.now() - this.missingAskedAt < MISSING_RETRY_MS) return { changed };
    if (unknown.length > 0) {
      this.missingAskedAt = this.now();
      const answers = await this.lookup(unknown);
      if (answers === undefined) {
        this.unavailable = true;
        this.missing = new Set(topics);
        return { changed };
      }
      for (const answer of answers) {
        if (answer.errorCode !== 0 || answer.topicId.every((b) => b === 0)) continue;
        const hex = answer.topicId.toString('hex');
        const before = this.forgotten.get(answer.name);
        if (before !== undefined && before !== hex) changed.push(answer.name);
        this.forgotten.delete(answer.name);
        this.ids.set(answer.name, answer.topicId);
        this.names.set(hex, answer.name);
      }
    }
    const missing = new Set<string>();
    for (const t of unknown) if (!this.ids.has(t)) missing.add(t);
    this.missing = missing;
    this.lastTopics = missing.size === 0 ? topics : undefined;
    return { changed };
  }

  /** Looks these topics' ids up again at the next {@link of} (stale metadata, an unknown id). */
  forget(topics: Iterable<string>): void {
    for (const t of topics) {
      const id = this.ids.get(t);
      if (id === undefined) continue;
      this.forgotten.set(t, id.toString('hex'));
      this.ids.delete(t);
      this.lastTopics = undefined;
    }
  }
}
