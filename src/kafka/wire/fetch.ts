import { ProtocolReader, ProtocolWriter } from './codec.ts';

/** Fetch v11: the newest non-flexible version; both Kafka 3.9 and 4.x accept it (4.x minimum is v4). */
export const FETCH_API_KEY = 1;
export const FETCH_VERSION = 11;
/**
 * Fetch v13: topics by id instead of name (KIP-516), flexible (KIP-482); Kafka 3.1 and later.
 * A broker keys a fetch session's partitions by topic id and partition when it has ids, which
 * spreads them over its session map where numbered topic names pile up (see the record source).
 */
export const FETCH_TOPIC_IDS_VERSION = 13;

export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchRequestBody {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: 0 | 1;
  /** KIP-227 incremental fetch session (src/kafka/fetch-session.ts); absent: no session (id 0, epoch -1). */
  session?: {
    id: number;
    epoch: number;
    /** Session partitions to drop (`forgotten_topics_data`). */
    forgottenTopics: { topic: string; partitions: number[] }[];
  };
  topics: { topic: string; partitions: FetchPartitionRequest[] }[];
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: AbortedTransaction[] | null;
  /** The raw record batches (a view into the response; may end with a partial batch). */
  records: Buffer | null;
}

export interface FetchResponseBody {
  errorCode: number;
  /** The fetch session the broker opened or continued; 0 for none. */
  sessionId: number;
  topics: { topic: string; partitions: FetchPartitionResponse[] }[];
}

export function encodeFetchRequest(body: FetchRequestBody): ProtocolWriter {
  const w = new ProtocolWriter(64 + body.topics.length * 64);
  w.int32(-1) // replica id: a consumer
    .int32(body.maxWaitMs)
    .int32(body.minBytes)
    .int32(body.maxBytes)
    .int8(body.isolationLevel)
    .int32(body.session?.id ?? 0) // session id 0: no incremental fetch session
    .int32(body.session?.epoch ?? -1) // session epoch -1: full fetch, do not create a session
    .array(body.topics, (t, tw) => {
      tw.string(t.topic).array(t.partitions, (p, pw) => {
        pw.int32(p.partition)
          .int32(-1) // current leader epoch: unknown
          .int64(p.fetchOffset)
          .int64(-1n) // log start offset: only for followers
          .int32(p.partitionMaxBytes);
      });
    })
    .array(body.session?.forgottenTopics ?? [], (f, fw) => {
      fw.string(f.topic).array(f.partitions, (p, pw) => {
        pw.int32(p);
      });
    })
    .string(''); // rack id
  return w;
}

/**
 * A partition answer with its fixed leading fields read, the same in every version we read (v11,
 * v13); the caller reads its aborted transactions and records into it (one object per partition:
 * a sessionless round answers every partition).
 */
function readPartitionHead(pr: ProtocolReader): FetchPartitionResponse {
  return {
    partition: pr.int32(),
    errorCode: pr.int16(),
    highWatermark: pr.int64(),
    lastStableOffset: pr.int64(),
    logStartOffset: pr.int64(),
    abortedTransactions: null,
    records: null,
  };
}

export function decodeFetchResponse(payload: Buffer): FetchResponseBody {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const sessionId = r.int32();
  const topics = r.array((tr) => ({
    topic: tr.string(),
    partitions: tr.array((pr) => {
      const answer = readPartitionHead(pr);
      const count = pr.int32();
      if (count >= 0) {
        const aborted: AbortedTransaction[] = (answer.abortedTransactions = []);
        for (let i = 0; i < count; i++) aborted.push({ producerId: pr.int64(), firstOffset: pr.int64() });
      }
      pr.int32(); // preferred read replica
      answer.records = pr.bytes();
      return answer;
    }),
  }));
  return { errorCode, sessionId, topics };
}

/**
 * A Fetch v13 request: as {@link encodeFetchRequest}, with each topic named by its id
 * (`idOf`, 16 bytes) and the flexible encoding. The body starts with request header v2's empty
 * tagged-field section (kafkajs writes header v1, which header v2 extends with tagged fields).
 */
export function encodeFetchRequestV13(body: FetchRequestBody, idOf: (topic: string) => Buffer): ProtocolWriter {
  const w = new ProtocolWriter(64 + body.topics.length * 64);
  w.noTags() // request header v2's tagged fields
    .int32(-1) // replica id: a consumer
    .int32(body.maxWaitMs)
    .int32(body.minBytes)
    .int32(body.maxBytes)
    .int8(body.isolationLevel)
    .int32(body.session?.id ?? 0)
    .int32(body.session?.epoch ?? -1)
    .compactArray(body.topics, (t, tw) => {
      tw.uuid(idOf(t.topic))
        .compactArray(t.partitions, (p, pw) => {
          pw.int32(p.partition)
            .int32(-1) // current leader epoch: unknown
            .int64(p.fetchOffset)
            .int32(-1) // last fetched epoch: no truncation detection (a consumer without epochs)
            .int64(-1n) // log start offset: only for followers
            .int32(p.partitionMaxBytes)
            .noTags();
        })
        .noTags();
    })
    .compactArray(body.session?.forgottenTopics ?? [], (f, fw) => {
      fw.uuid(idOf(f.topic))
        .compactArray(f.partitions, (p, pw) => {
          pw.int32(p);
        })
        .noTags();
    })
    .compactString('') // rack id
    .noTags();
  return w;
}

/**
 * A Fetch v13 response (after response header v1's tagged fields), its topics named again by
 * `nameOf` (the topic id as 32 hex digits). A topic whose id `nameOf` does not know is left out:
 * a broker answers only the ids it was sent.
 */
export function decodeFetchResponseV13(
  payload: Buffer,
  nameOf: (topicIdHex: string) => string | undefined,
): FetchResponseBody {
  const r = new ProtocolReader(payload);
  r.skipTags(); // response header v1's tagged fields
  r.int32(); // throttle time
  const errorCode = r.int16();
  const sessionId = r.int32();
  const topics: FetchResponseBody['topics'] = [];
  r.compactArray((tr) => {
    const topic = nameOf(tr.uuid().toString('hex'));
    const partitions = tr.compactArray((pr) => {
      const answer = readPartitionHead(pr);
      answer.abortedTransactions = pr.compactNullableArray((ar) => {
        const aborted = { producerId: ar.int64(), firstOffset: ar.int64() };
        ar.skipTags();
        return aborted;
      });
      pr.int32(); // preferred read replica
      answer.records = pr.compactBytes();
      pr.skipTags(); // diverging epoch, current leader, snapshot id
      return answer;
    });
    tr.skipTags();
    if (topic !== undefined) topics.push({ topic, partitions });
  });
  r.skipTags(); // node endpoints (v16+)
  return { errorCode, sessionId, topics };
}
