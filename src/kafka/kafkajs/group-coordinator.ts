import { KafkaPortError } from '../../util/errors.ts';
import type { GroupCoordinator, GroupCoordinatorOptions, GroupJoinResult } from '../group-coordinator.ts';
import type { ProtocolWriter } from '../wire/codec.ts';
import {
  HEARTBEAT,
  JOIN_GROUP,
  LEAVE_GROUP,
  SYNC_GROUP,
  decodeErrorCode,
  decodeJoinGroup,
  decodeLeaveGroup,
  decodeSyncGroup,
  encodeHeartbeat,
  encodeJoinGroup,
  encodeLeaveGroup,
  encodeSyncGroup,
} from '../wire/group-membership.ts';
import type { KafkajsConnection } from './connection.ts';
import type { InternalBroker } from './internals.d.ts';
import { kafkaErrorInfo } from './protocol-errors.ts';

/** Errors after which the coordinator must be looked up again (it moved or is loading). */
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
/** Slack over the rebalance timeout for a JoinGroup the coordinator holds until every member rejoined. */
const JOIN_SLACK_MS = 5_000;

/**
 * A group member's requests, framed by us (src/kafka/wire/group-membership.ts) and sent through
 * the connection to the group's coordinator. The connection is the member's own (a KafkajsConnection
 * no data path uses): a JoinGroup held by the coordinator for a whole rebalance never queues
 * behind, or holds up, a produce.
 */
export class KafkajsGroupCoordinator implements GroupCoordinator {
  readonly options: GroupCoordinatorOptions;
  private readonly connection: KafkajsConnection;
  private coordinator: InternalBroker | undefined;

  constructor(connection: KafkajsConnection, options: GroupCoordinatorOptions) {
    this.connection = connection;
    this.options = options;
  }

  private get instanceId(): string | null {
    return this.options.groupInstanceId ?? null;
  }

  join(memberId: string, protocols: { name: string; metadata: Buffer }[]): Promise<GroupJoinResult> {
    const o = this.options;
    return this.call(
      'joinGroup',
      JOIN_GROUP,
      encodeJoinGroup({
        groupId: o.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs,
        memberId,
        groupInstanceId: this.instanceId,
        protocolType: o.protocolType,
        protocols,
      }),
      (payload) => {
        const r = decodeJoinGroup(payload);
        return { errorCode: r.errorCode, value: r, memberId: r.memberId };
      },
      o.rebalanceTimeoutMs + JOIN_SLACK_MS,
    );
  }

  sync(
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<Buffer> {
    return this.call(
      'syncGroup',
      SYNC_GROUP,
      encodeSyncGroup({
        groupId: this.options.groupId,
        generationId,
        memberId,
        groupInstanceId: this.instanceId,
        assignments,
      }),
      (payload) => {
        const r = decodeSyncGroup(payload);
        return { errorCode: r.errorCode, value: r.assignment };
      },
      this.options.rebalanceTimeoutMs + JOIN_SLACK_MS,
    );
  }

  heartbeat(generationId: number, memberId: string): Promise<void> {
    return this.call(
      'heartbeat',
      HEARTBEAT,
      encodeHeartbeat({ groupId: this.options.groupId, generationId, memberId, groupInstanceId: this.instanceId }),
      (payload) => ({ errorCode: decodeErrorCode(payload), value: undefined }),
    );
  }

  leave(memberId: string): Promise<void> {
    return this.call(
      'leaveGroup',
      LEAVE_GROUP,
      encodeLeaveGroup({ groupId: this.options.groupId, members: [{ memberId, groupInstanceId: this.instanceId }] }),
      (payload) => ({ errorCode: decodeLeaveGroup(payload), value: undefined }),
    );
  }

  close(): Promise<void> {
    this.coordinator = undefined;
    return this.connection.portErrors({ op: 'close', group: this.options.groupId }, () => this.connection.close());
  }

  /**
   * Sends one request to the coordinator and turns a non-zero error code into a KafkaPortError
   * (`KAFKA_<NAME>`). A coordinator that moved is looked up again on the next call.
   */
  private call<T>(
    op: string,
    api: { apiKey: number; apiVersion: number; apiName: string },
    body: ProtocolWriter,
    decode: (payload: Buffer) => { errorCode: number; value: T; memberId?: string },
    requestTimeoutMs?: number,
  ): Promise<T> {
    const context = { op, group: this.options.groupId };
    return this.connection.portErrors(context, async () => {
      const coordinator = (this.coordinator ??= await (
        await this.connection.internalCluster()
      ).findGroupCoordinator({ groupId: this.options.groupId }));
      let answer: { errorCode: number; value: T; memberId?: string };
      try {
        answer = await this.connection.send(coordinator, api, body, decode, {
          ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
        });
      } catch (err) {
        // A broken connection or a timeout: the coordinator may have moved.
        this.coordinator = undefined;
        throw err;
      }
      if (answer.errorCode === 0) return answer.value;
      const info = kafkaErrorInfo(answer.errorCode);
      if (COORDINATOR_MOVED.has(info.name)) this.coordinator = undefined;
      throw new KafkaPortError(`KAFKA_${info.name}`, `${op} of group ${this.options.groupId} failed: ${info.message}`, {
        ...context,
        kafkaErrorCode: answer.errorCode,
        retriable: info.retriable,
        ...(answer.memberId ? { memberId: answer.memberId } : {}),
      });
    });
  }
}
