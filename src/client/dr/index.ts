/** Disaster recovery: plan, execute and rehearse a failover of route S->T; audit and journal. */
export * from './errors.ts';
export * from './audit.ts';
export * from './journal.ts';
export * from './dr-route.ts';
export * from './replication-state.ts';
export * from './plan.ts';
export * from './execute.ts';
export * from './drill.ts';
export * from './state-dir.ts';
export * from './verify-resume.ts';
export * from './acl-check.ts';
