import { ProtocolReader, ProtocolWriter } from './codec.ts';

/**
 * The classic group membership requests (KIP-62 heartbeats, KIP-345 static members), in their
 * last non-flexible versions: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3. Kafka 2.3
 * and later accept them, 4.x included (KIP-896 removed only older versions). kafkajs frames
 * JoinGroup only up to v5 without `group_instance_id` handling and no LeaveGroup v3, so the
 * adapter frames them itself as it does Fetch and Produce.
 */
export const JOIN_GROUP = { apiKey: 11, apiVersion: 5, apiName: 'JoinGroup' } as const;
export const HEARTBEAT = { apiKey: 12, apiVersion: 3, apiName: 'Heartbeat' } as const;
export const LEAVE_GROUP = { apiKey: 13, apiVersion: 3, apiName: 'LeaveGroup' } as const;
export const SYNC_GROUP = { apiKey: 14, apiVersion: 3, apiName: 'SyncGroup' } as const;

export interface JoinGroupRequestBody {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResponseBody {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  /** Every member with its metadata, for the leader only (empty for the others). */
  members: JoinGroupMember[];
}

export function encodeJoinGroup(body: JoinGroupRequestBody): ProtocolWriter {
  return new ProtocolWriter()
    .string(body.groupId)
    .int32(body.sessionTimeoutMs)
    .int32(body.rebalanceTimeoutMs)
    .string(body.memberId)
    .nullableString(body.groupInstanceId)
    .string(body.protocolType)
    .array(body.protocols, (p, w) => {
      w.string(p.name).bytes(p.metadata);
    });
}

export function decodeJoinGroup(payload: Buffer): JoinGroupResponseBody {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const generationId = r.int32();
  const protocolName = r.string();
  const leaderId = r.string();
  const memberId = r.string();
  const members = r.array((mr) => ({
    memberId: mr.string(),
    groupInstanceId: mr.nullableString(),
    // Copied: the response buffer is the connection's and the leader keeps the metadata.
    metadata: Buffer.from(mr.bytes() ?? Buffer.alloc(0)),
  }));
  return { errorCode, generationId, protocolName, leaderId, memberId, members };
}

export interface SyncGroupRequestBody {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** The leader's assignment of every member; empty from the others. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export function encodeSyncGroup(body: SyncGroupRequestBody): ProtocolWriter {
  return new ProtocolWriter()
    .string(body.groupId)
    .int32(body.generationId)
    .string(body.memberId)
    .nullableString(body.groupInstanceId)
    .array(body.assignments, (a, w) => {
      w.string(a.memberId).bytes(a.assignment);
    });
}

export function decodeSyncGroup(payload: Buffer): { errorCode: number; assignment: Buffer } {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const assignment = Buffer.from(r.bytes() ?? Buffer.alloc(0));
  return { errorCode, assignment };
}

export interface HeartbeatRequestBody {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export function encodeHeartbeat(body: HeartbeatRequestBody): ProtocolWriter {
  return new ProtocolWriter()
    .string(body.groupId)
    .int32(body.generationId)
    .string(body.memberId)
    .nullableString(body.groupInstanceId);
}

/** Heartbeat and LeaveGroup answer with a top-level error code after the throttle time. */
export function decodeErrorCode(payload: Buffer): number {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  return r.int16();
}

export function encodeLeaveGroup(body: {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}): ProtocolWriter {
  return new ProtocolWriter().string(body.groupId).array(body.members, (m, w) => {
    w.string(m.memberId).nullableString(m.groupInstanceId);
  });
}

/** The top-level error, or the first member's error when the request itself succeeded. */
export function decodeLeaveGroup(payload: Buffer): number {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const members = r.array((mr) => {
    mr.string();
    mr.nullableString();
    return mr.int16();
  });
  return errorCode !== 0 ? errorCode : (members.find((c) => c !== 0) ?? 0);
}
