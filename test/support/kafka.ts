import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import {
  openKafkaCluster,
  type KafkaAdmin,
  type KafkaCluster,
  type ConsumedRecord,
  type RecordSource,
  type SaslMechanism,
} from '../../src/kafka/index.ts';
import type { ProvidedKafka, ProvidedSasl, ProvidedTls } from '../setup/kafka-bed.ts';
import type { ScramUser } from '../../scripts/kafka/sasl.ts';

/** The clusters the integration project's global setup provides. */
export function testKafka(): ProvidedKafka {
  return inject('kafka');
}

/**
 * The SASL listeners and users of the test bed. Only the local test bed has them: with
 * KAFKA_CLUSTERS or testcontainers this throws (a test that needs SASL fails, never skips).
 */
export function requireSasl(kafka: ProvidedKafka = testKafka()): ProvidedSasl {
  if (!kafka.sasl) {
    throw new Error(
      `this test needs the test bed's SASL_PLAINTEXT listener and SCRAM users, which ${kafka.source} clusters do not provide; run it on the local test bed (unset KAFKA_CLUSTERS and KAFKA_TESTCONTAINERS)`,
    );
  }
  return kafka.sasl;
}

/**
 * The SSL and SASL_SSL listeners and certificates of the test bed; like {@link requireSasl}, only
 * the local test bed has them, and a test that needs them fails elsewhere.
 */
export function requireTls(kafka: ProvidedKafka = testKafka()): ProvidedTls {
  if (!kafka.tls) {
    throw new Error(
      `this test needs the test bed's SSL and SASL_SSL listeners and certificates, which ${kafka.source} clusters do not provide; run it on the local test bed (unset KAFKA_CLUSTERS and KAFKA_TESTCONTAINERS)`,
    );
  }
  return kafka.tls;
}

/** A client on a SASL_PLAINTEXT listener as `user`. */
export function openSaslTestCluster(
  bootstrap: string,
  user: ScramUser,
  mechanism: SaslMechanism = 'SCRAM-SHA-512',
  clientId = 'mm2ts-test-sasl',
): KafkaCluster {
  return openKafkaCluster({
    clientId,
    bootstrapServers: [bootstrap],
    securityProtocol: 'SASL_PLAINTEXT',
    sasl: { mechanism, username: user.name, password: user.password },
  });
}

/** A name no other test (or earlier run on the same clusters) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Clients on the test clusters A and B, opened before a describe block's tests and closed after them. */
export interface ClusterClients {
  a: KafkaCluster;
  b: KafkaCluster;
  adminA: KafkaAdmin;
  adminB: KafkaAdmin;
}

/** Registers the hooks that open {@link ClusterClients} (client ids `<clientId>-a`, `-b`) and close them. */
export function useClusterClients(clientId: string): ClusterClients {
  const { clusters } = testKafka();
  const clients = {} as ClusterClients;
  beforeAll(async () => {
    clients.a = openTestCluster(clusters['A']!, `${clientId}-a`);
    clients.b = openTestCluster(clusters['B']!, `${clientId}-b`);
    [clients.adminA, clients.adminB] = await Promise.all([clients.a.admin(), clients.b.admin()]);
  });
  afterAll(async () => {
    await Promise.all([clients.a?.close(), clients.b?.close()]);
  });
  return clients;
}

export function openTestCluster(bootstrap: string, clientId = 'mm2ts-test'): KafkaCluster {
  return openKafkaCluster({ clientId, bootstrapServers: [bootstrap], securityProtocol: 'PLAINTEXT' });
}

/** Reads partitions from offset 0 up to their current end through the port's record source. */
export async function readAll(
  source: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const positions = new Map([...ends.keys()].map((p) => [p, 0n]));
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while ([...positions].some(([p, at]) => at < ends.get(p)!)) {
    if (Date.now() > deadline) {
      throw new Error(
        `reading ${topic} did not reach its end within ${timeoutMs} ms: positions ${[...positions].join(' ')}, ends ${[...ends].join(' ')}, last fetch ${last}`,
      );
    }
    const wanted = [...positions]
      .filter(([p, at]) => at < ends.get(p)!)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    const results = await source.fetch(wanted);
    last = results
      .map(
        (r) =>
          `${r.partition}: ${r.records.length} records, next ${r.nextOffset}, hw ${r.highWatermark}${r.error ? ` ${r.error}` : ''}`,
      )
      .join('; ');
    for (const result of results) {
      out.push(...result.records);
      positions.set(result.partition, result.nextOffset);
    }
  }
  return out;
}
