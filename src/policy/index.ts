/** Replication policies, topic/group/config-property filters, cycle detection and topology helpers. */
export * from './replication-policy.ts';
export * from './default-replication-policy.ts';
export * from './identity-replication-policy.ts';
export * from './java-split.ts';
export * from './name-matcher.ts';
export * from './filters.ts';
export * from './cycles.ts';
export * from './topology.ts';
export * from './policy-loader.ts';
