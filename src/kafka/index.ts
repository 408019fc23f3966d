// The Kafka port and its default implementation. Code outside src/kafka/ imports from here.
export type * from './port.ts';
export { isRetriable, kafkaErrorName } from './errors.ts';
export { openKafkaCluster } from './kafkajs/cluster.ts';
export { recordValueBytes } from './protocol/fetched-record.ts';
