import { ProtocolReader, ProtocolWriter } from './codec.ts';

/** IncrementalAlterConfigs v0 (KIP-339), which kafkajs lacks: Kafka 2.3+ including 3.9 and 4.x. */
export const INCREMENTAL_ALTER_CONFIGS_API_KEY = 44;
export const INCREMENTAL_ALTER_CONFIGS_VERSION = 0;

const RESOURCE_TYPE_TOPIC = 2;
/** Op codes: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
const OP_CODES = { SET: 0, DELETE: 1 } as const;

export interface IncrementalAlterConfigsBody {
  topics: { topic: string; ops: { op: 'SET' | 'DELETE'; name: string; value: string | null }[] }[];
}

export interface AlterConfigsResourceResult {
  resourceName: string;
  errorCode: number;
  errorMessage: string | null;
}

export function encodeIncrementalAlterConfigs(body: IncrementalAlterConfigsBody): ProtocolWriter {
  const w = new ProtocolWriter();
  w.array(body.topics, (t, tw) => {
    tw.int8(RESOURCE_TYPE_TOPIC)
      .string(t.topic)
      .array(t.ops, (o, ow) => {
        ow.string(o.name).int8(OP_CODES[o.op]).nullableString(o.value);
      });
  }).int8(0); // validate only: false
  return w;
}

export function decodeIncrementalAlterConfigs(payload: Buffer): AlterConfigsResourceResult[] {
  const r = new ProtocolReader(payload);
  r.int32(); // throttle time
  return r.array((rr) => {
    const errorCode = rr.int16();
    const errorMessage = rr.nullableString();
    rr.int8(); // resource type
    const resourceName = rr.string();
    return { resourceName, errorCode, errorMessage };
  });
}
