import { ProtocolReader, ProtocolWriter } from './codec.ts';

/** Metadata v4: non-flexible, accepted by Kafka 3.9 and 4.x (4.x removed v0–v3, KIP-896). */
export const METADATA_API_KEY = 3;
export const METADATA_VERSION = 4;

export interface MetadataTopic {
  errorCode: number;
  name: string;
  partitions: { errorCode: number; partition: number; leader: number }[];
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
