/**
 * A topic name and partition number, as Kafka's `TopicPartition`. Plain data so that it can be
 * compared by value, logged and put in JSON; use {@link topicPartitionKey} to key maps by it.
 */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Java's `TopicPartition.toString()`: `topic-partition`, e.g. `t-0`. */
export function formatTopicPartition(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/**
 * Parses Java's `TopicPartition.toString()` form the way MM2 decodes `task.assigned.partitions`:
 * the partition is what follows the last `-`. Returns undefined when there is no `-` or the
 * partition is not a decimal int32.
 */
export function parseTopicPartition(text: string): TopicPartition | undefined {
  const dash = text.lastIndexOf('-');
  if (dash < 0) return undefined;
  const digits = text.slice(dash + 1);
  if (!/^[+-]?\d+$/.test(digits)) return undefined;
  const partition = Number(digits);
  if (!Number.isSafeInteger(partition) || partition < -0x80000000 || partition > 0x7fffffff) return undefined;
  return { topic: text.slice(0, dash), partition };
}

/**
 * A string that identifies a topic-partition unambiguously (the partition number never contains
 * `:`, so the first `:` separates the two), for use as a `Map` key.
 */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.partition}:${tp.topic}`;
}

/** True if both name the same topic and partition. */
export function sameTopicPartition(a: TopicPartition, b: TopicPartition): boolean {
  return a.topic === b.topic && a.partition === b.partition;
}
