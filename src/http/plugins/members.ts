import type { FastifyPluginAsync } from 'fastify';

/**
 * What the runtime reports of the scale-out group (src/runtime/membership.ts's `MemberStatus`), as
 * plain JSON: http/ does not import the runtime.
 */
export type MembersView = { enabled: false; instance: string } | ({ enabled: true } & Record<string, unknown>);

export interface MembersPort {
  /** Answers at once, from the member's last generation (never waits for a rebalance). */
  members(): MembersView;
}

/**
 * `GET /members`: the scale-out group this process belongs to (docs/scale-out.md) — its generation,
 * this member's state and units, and every member with the flows and partitions the leader gave it
 * last. Kafka Connect has no such resource (its workers show only as `worker_id` in connector
 * status); with `mm2ts.cluster.enabled = false` the answer says so and names this process.
 */
export function membersPlugin(port: MembersPort): FastifyPluginAsync {
  return async (app) => {
    app.get('/members', async () => port.members());
  };
}
