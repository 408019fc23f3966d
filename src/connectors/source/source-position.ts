/**
 * Java's `MirrorSourceTask.initializeConsumer` rule for one assigned partition: the stored Connect
 * offset is the offset of the last replicated record, so replication resumes at stored + 1. No
 * stored offset (null/undefined) or a negative one means "no position": the consumer's
 * `auto.offset.reset` decides (undefined is returned).
 */
export function resumeOffset(storedOffset: bigint | null | undefined): bigint | undefined {
  if (storedOffset === null || storedOffset === undefined || storedOffset < 0n) return undefined;
  return storedOffset + 1n;
}
