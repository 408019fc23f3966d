/**
 * The Kafka port's view of a classic group (Kafka's group coordinator, the protocol Java's
 * consumers and Connect workers use): one member's JoinGroup, SyncGroup, Heartbeat and LeaveGroup.
 * The member's loop (when to rejoin, who assigns) is {@link ../kafka/group-member.ts}; what the
 * members share is the caller's. Errors are KafkaPortErrors with code `KAFKA_<NAME>` (e.g.
 * `KAFKA_REBALANCE_IN_PROGRESS`, `KAFKA_UNKNOWN_MEMBER_ID`) and `details.memberId` when the
 * coordinator handed one out (MEMBER_ID_REQUIRED, KIP-394).
 */

export interface GroupCoordinatorOptions {
  groupId: string;
  /** Static membership (KIP-345): a restart within the session timeout keeps the member's place. */
  groupInstanceId?: string;
  /** The coordinator removes a member it has not heard from for this long. */
  sessionTimeoutMs: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance. */
  rebalanceTimeoutMs: number;
  /** The group's protocol type: members of another type are refused (INCONSISTENT_GROUP_PROTOCOL). */
  protocolType: string;
}

export interface GroupMemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface GroupJoinResult {
  memberId: string;
  generationId: number;
  leaderId: string;
  protocolName: string;
  /** Every member's metadata when this member leads; empty otherwise. */
  members: GroupMemberMetadata[];
}

export interface GroupCoordinator {
  readonly options: GroupCoordinatorOptions;
  /** JoinGroup: blocks until the coordinator has every member's join (up to the rebalance timeout). */
  join(memberId: string, protocols: { name: string; metadata: Buffer }[]): Promise<GroupJoinResult>;
  /** SyncGroup: the leader sends every member's assignment; each member receives its own. */
  sync(
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<Buffer>;
  heartbeat(generationId: number, memberId: string): Promise<void>;
  leave(memberId: string): Promise<void>;
  close(): Promise<void>;
}
