export * from './heartbeat-emitter.ts';
