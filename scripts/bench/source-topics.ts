import type { KafkaAdmin } from '../../src/kafka/index.ts';

/**
 * Topics per CreateTopics request of a bench's own set-up: small chunks, each retried, as a
 * loaded broker times CreateTopics out (the topics of a timed-out request may exist already,
 * which the retry accepts).
 */
export const CREATE_CHUNK = 50;

/**
 * Creates `names` with `partitions` partitions each (replication factor 1), `perCall` topics per
 * call of the port's `createTopics` (which cuts a call into requests as a mirror's does).
 */
export async function createTopics(
  admin: KafkaAdmin,
  names: string[],
  partitions: number,
  perCall = CREATE_CHUNK,
): Promise<void> {
  for (let i = 0; i < names.length; i += perCall) {
    const chunk = names.slice(i, i + perCall).map((name) => ({ name, partitions, replicationFactor: 1 }));
    for (let attempt = 1; ; attempt++) {
      const result = await admin.createTopics(chunk).catch((err: unknown) => {
        if (attempt >= 5) throw err;
        return undefined;
      });
      if (result === undefined) continue;
      const failed = result.filter((r) => r.error !== undefined && !/exists/i.test(r.error));
      if (failed.length === 0) break;
      if (attempt >= 5) throw new Error(`could not create ${failed[0]!.name}: ${failed[0]!.error}`);
    }
  }
}
