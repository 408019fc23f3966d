import { ProtocolReader, ProtocolWriter } from './codec.ts';

/** Metadata v4: non-flexible, accepted by Kafka 3.9 and 4.x (4.x removed v0–v3, KIP-896). */
export const METADATA_API_KEY = 3;
export const METADATA_VERSION = 4;
/**
 * Metadata v12: the first version whose answers carry topic ids that Fetch v13+ names topics by
 * (KIP-516; v10 and v11 carry them too, but v12 is the one Java's client pairs with them). Flexible
 * (KIP-482), accepted by Kafka 3.1 and later.
 */
export const METADATA_TOPIC_IDS_VERSION = 12;

export interface MetadataTopic {
  errorCode: number;
  name: string;
  partitions: { errorCode: number; partition: number; leader: number }[];
}

/** A topic of a Metadata v12 answer: its id (16 bytes, all zero when the broker has none). */
export interface MetadataTopicWithId extends MetadataTopic {
  topicId: Buffer;
}

/** A Metadata request for `topics` only; never creates them. */
export function encodeMetadataRequest(topics: readonly string[]): ProtocolWriter {
  const w = new ProtocolWriter();
  w.array(topics, (t, tw) => {
    tw.string(t);
  });
  w.int8(0); // allow_auto_topic_creation
  return w;
}

/** The topics of a Metadata v4 response, each with its own error code (brokers and cluster id are skipped). */
export function decodeMetadataResponse(payload: Buffer): MetadataTopic[] {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  r.array((br) => {
    br.int32();
    br.string();
    br.int32();
    br.nullableString();
  });
  r.nullableString(); // cluster id
  r.int32(); // controller id
  return r.array((tr) => {
    const errorCode = tr.int16();
    const name = tr.string();
    tr.int8(); // is_internal
    const partitions = tr.array((pr) => {
      const partitionError = pr.int16();
      const partition = pr.int32();
      const leader = pr.int32();
      pr.array((x) => x.int32()); // replicas
      pr.array((x) => x.int32()); // isr
      return { errorCode: partitionError, partition, leader };
    });
    return { errorCode, name, partitions };
  });
}

/**
 * A Metadata v12 request for `topics` by name; never creates them. The body starts with request
 * header v2's empty tagged-field section: kafkajs writes header v1 (up to the client id), and
 * header v2 is header v1 followed by tagged fields.
 */
export function encodeMetadataRequestV12(topics: readonly string[]): ProtocolWriter {
  const w = new ProtocolWriter(32 + topics.length * 32);
  w.noTags(); // request header v2's tagged fields
  w.compactArray(topics, (t, tw) => {
    tw.uuid(ZERO_UUID).compactNullableString(t).noTags();
  });
  w.bool(false); // allow_auto_topic_creation
  w.bool(false); // include_topic_authorized_operations
  w.noTags();
  return w;
}

/** The topics of a Metadata v12 response (after response header v1's tagged fields), with their ids. */
export function decodeMetadataResponseV12(payload: Buffer): MetadataTopicWithId[] {
  const r = new ProtocolReader(payload);
  r.skipTags(); // response header v1's tagged fields
  r.int32(); // throttle time
  r.compactArray((br) => {
    br.int32(); // node id
    br.compactString(); // host
    br.int32(); // port
    br.compactNullableString(); // rack
    br.skipTags();
  });
  r.compactNullableString(); // cluster id
  r.int32(); // controller id
  const topics = r.compactArray((tr) => {
    const errorCode = tr.int16();
    const name = tr.compactNullableString() ?? '';
    // Copied: the response buffer may be handed out again once decoded.
    const topicId = Buffer.from(tr.uuid());
    tr.bool(); // is_internal
    const partitions = tr.compactArray((pr) => {
      const partitionError = pr.int16();
      const partition = pr.int32();
      const leader = pr.int32();
      pr.int32(); // leader epoch
      pr.compactArray((x) => x.int32()); // replicas
      pr.compactArray((x) => x.int32()); // isr
      pr.compactArray((x) => x.int32()); // offline replicas
      pr.skipTags();
      return { errorCode: partitionError, partition, leader };
    });
    tr.int32(); // topic authorized operations
    tr.skipTags();
    return { errorCode, name, topicId, partitions };
  });
  r.skipTags();
  return topics;
}

/** The nil UUID: "no id" in requests and answers. */
export const ZERO_UUID: Buffer = Buffer.alloc(16);
