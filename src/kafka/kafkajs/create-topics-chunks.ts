/** How many topics one CreateTopics request of the admin carries at most (src/kafka/kafkajs/admin.ts says why many). */
export const CREATE_TOPICS_PER_REQUEST = 500;

/**
 * Metadata records one CreateTopics request may make us ask for at most. A KRaft controller
 * builds a request's records in a list bounded at 10,000 (`ReplicationControlManager.createTopics`,
 * `MAX_RECORDS_PER_USER_OP`; it also refuses more than 10,000 partitions outright, "Excessively
 * large number of partitions per request") and fails every topic of a request that would go over
 * with POLICY_VIOLATION. A topic is one TopicRecord, one PartitionRecord per partition and one
 * ConfigRecord per config set. Java's MM2 creates all new remote topics in one request, so on a
 * KRaft target it creates none of them once they add up to more (2,000 topics × 8 partitions,
 * docs/benchmarks/2026-12-01-scale-16k.md) and sends the same request at every refresh. The 10 %
 * below the controller's bound is for records a broker version may add per topic.
 */
export const CREATE_TOPICS_MAX_RECORDS = 9_000;

/** The metadata records creating `topic` takes (a partition count that is not positive, the broker's default, counts as one). */
export function createTopicRecords(topic: { partitions: number; configs?: Record<string, string> }): number {
  return 1 + (topic.partitions > 0 ? topic.partitions : 1) + Object.keys(topic.configs ?? {}).length;
}

/**
 * `topics` cut into consecutive requests, in order, each with at most `maxTopics` topics and at
 * most `maxRecords` metadata records ({@link createTopicRecords}). A topic that alone takes more
 * goes in a request of its own (the broker then refuses that topic only).
 */
export function createTopicsChunks<T extends { partitions: number; configs?: Record<string, string> }>(
  topics: readonly T[],
  maxTopics = CREATE_TOPICS_PER_REQUEST,
  maxRecords = CREATE_TOPICS_MAX_RECORDS,
): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let records = 0;
  for (const topic of topics) {
    const count = createTopicRecords(topic);
    if (chunk.length > 0 && (chunk.length >= maxTopics || records + count > maxRecords)) {
      chunks.push(chunk);
      chunk = [];
      records = 0;
    }
    chunk.push(topic);
    records += count;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
