/** Byte-compatible codecs for MM2's own records and Connect's source offsets. */
export * from './topic-partition.ts';
export * from './protocol-types.ts';
export * from './offset-sync.ts';
export * from './offset-sync-run-start.ts';
export * from './checkpoint-exact.ts';
export * from './checkpoint.ts';
export * from './heartbeat.ts';
export * from './murmur2.ts';
export * from './jackson-json.ts';
export * from './source-offsets.ts';
