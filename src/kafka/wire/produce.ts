import { ProtocolReader, ProtocolWriter } from './codec.ts';

/** Produce v7: non-flexible, accepted by Kafka 3.9 and 4.x (4.x minimum is v3). */
export const PRODUCE_API_KEY = 0;
export const PRODUCE_VERSION = 7;

export interface ProduceRequestBody {
  transactionalId: string | null;
  acks: -1 | 0 | 1;
  timeoutMs: number;
  topics: { topic: string; partitions: { partition: number; records: Buffer }[] }[];
}

export interface ProducePartitionResponse {
  partition: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export interface ProduceResponseBody {
  topics: { topic: string; partitions: ProducePartitionResponse[] }[];
}

/** The record batches are referenced, not copied: the connection writes them to the socket as they are. */
export function encodeProduceRequest(body: ProduceRequestBody): ProtocolWriter {
  const w = new ProtocolWriter();
  w.nullableString(body.transactionalId)
    .int16(body.acks)
    .int32(body.timeoutMs)
    .array(body.topics, (t, tw) => {
      tw.string(t.topic).array(t.partitions, (p, pw) => {
        pw.int32(p.partition).bytesRef(p.records);
      });
    });
  return w;
}

export function decodeProduceResponse(payload: Buffer): ProduceResponseBody {
  const r = new ProtocolReader(payload);
  const topics = r.array((tr) => ({
    topic: tr.string(),
    partitions: tr.array((pr) => {
      const partition = pr.int32();
      const errorCode = pr.int16();
      const baseOffset = pr.int64();
      const logAppendTimeMs = pr.int64();
      const logStartOffset = pr.int64();
      return { partition, errorCode, baseOffset, logAppendTimeMs, logStartOffset };
    }),
  }));
  r.int32(); // throttle time
  return { topics };
}
