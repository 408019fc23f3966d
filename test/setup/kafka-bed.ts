import { startTestBed, parseClusterList } from '../../scripts/kafka/testbed.ts';
import { metadataBrokerCount } from '../../scripts/kafka/probe.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../../scripts/kafka/versions.ts';
import { SASL_SSL_MECHANISMS, SCRAM_MECHANISMS, TESTBED_USERS, type ScramUser } from '../../scripts/kafka/sasl.ts';
import type { TestBedTls } from '../../scripts/kafka/tls.ts';

/** The SASL_PLAINTEXT side of the local test bed (see scripts/kafka/sasl.ts). */
export interface ProvidedSasl {
  /** alias -> SASL_PLAINTEXT host:port of the same cluster as `clusters[alias]`. */
  clusters: Record<string, string>;
  mechanisms: string[];
  /** `admin` is a super user; `mirror` gets only what ACLs grant. */
  users: { admin: ScramUser; mirror: ScramUser };
}

/** The TLS listeners of the local test bed (see scripts/kafka/tls.ts). */
export interface ProvidedTls {
  /** alias -> SSL host:port (client certificate required; principal `User:CN=<name>`). */
  ssl: Record<string, string>;
  /** alias -> SASL_SSL host:port (SCRAM-SHA-256/512 and PLAIN, the users of `ProvidedSasl`). */
  saslSsl: Record<string, string>;
  saslSslMechanisms: string[];
  /** CA, broker and client certificate files (PEM); `admin` is a super user, `mirror` gets ACLs only. */
  files: TestBedTls;
}

/** What integration tests receive through `inject('kafka')`. */
export interface ProvidedKafka {
  /** Kafka version of the brokers, or 'external' for KAFKA_CLUSTERS. */
  version: string;
  /** Where the brokers came from. */
  source: 'KAFKA_CLUSTERS' | 'testcontainers' | 'local-jvm';
  /** alias -> host:port; always has A and B. */
  clusters: Record<string, string>;
  /** SASL listeners and users: local-jvm brokers only. */
  sasl?: ProvidedSasl;
  /** SSL and SASL_SSL listeners, CA and client certificates: local-jvm brokers only. */
  tls?: ProvidedTls;
  /**
   * The local test bed's state file (local-jvm only): fault helpers in the test worker kill and
   * restart its brokers through it (test/support/broker-faults.ts).
   */
  stateFile?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: ProvidedKafka;
  }
}

export const TEST_ALIASES = ['A', 'B'];

const log = (line: string): void => console.log(`[kafka-testbed] ${line}`);

async function assertReachable(clusters: Record<string, string>): Promise<void> {
  for (const [alias, hostPort] of Object.entries(clusters)) {
    const [host, port] = [
      hostPort.slice(0, hostPort.lastIndexOf(':')),
      Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
    ];
    const brokers = await metadataBrokerCount(host, port, 5000).catch((err: unknown) => {
      throw new Error(`KAFKA_CLUSTERS: cluster ${alias} at ${hostPort} does not answer: ${String(err)}`);
    });
    if (brokers < 1) throw new Error(`KAFKA_CLUSTERS: cluster ${alias} at ${hostPort} lists no brokers`);
  }
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startWithTestcontainers(
  version: string,
): Promise<{ clusters: Record<string, string>; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await Promise.all(
    TEST_ALIASES.map(async (alias) => {
      // apache/kafka images run single-node KRaft by default; the advertised listener must carry
      // the mapped port, so pick a fixed host port per alias.
      const hostPort = 39092 + TEST_ALIASES.indexOf(alias);
      const container = await new GenericContainer(`apache/kafka:${version}`)
        .withExposedPorts({ container: 9092, host: hostPort })
        .withEnvironment({
          KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start();
      return { alias, container, bootstrap: `127.0.0.1:${hostPort}` };
    }),
  );
  return {
    clusters: Object.fromEntries(started.map((s) => [s.alias, s.bootstrap])),
    stop: async () => {
      await Promise.all(started.map((s) => s.container.stop()));
    },
  };
}

/**
 * Provides Kafka clusters A and B to integration tests: KAFKA_CLUSTERS if set; else testcontainers
 * when KAFKA_TESTCONTAINERS=1 and a Docker engine answers; else local JVM brokers from Maven jars.
 * Any failure throws, which fails the run: an integration suite never skips silently.
 */
export async function provideKafka(version: string): Promise<{ kafka: ProvidedKafka; stop: () => Promise<void> }> {
  const external = process.env['KAFKA_CLUSTERS'];
  if (external) {
    const clusters = parseClusterList(external);
    for (const alias of TEST_ALIASES) {
      if (!clusters[alias])
        throw new Error(`KAFKA_CLUSTERS must name clusters ${TEST_ALIASES.join(' and ')}; got ${external}`);
    }
    await assertReachable(clusters);
    log(`using KAFKA_CLUSTERS ${external}`);
    return { kafka: { version: 'external', source: 'KAFKA_CLUSTERS', clusters }, stop: async () => {} };
  }
  if (process.env['KAFKA_TESTCONTAINERS'] === '1') {
    if (!(await dockerAvailable())) {
      throw new Error('KAFKA_TESTCONTAINERS=1 but no Docker engine answers; unset it to use local JVM brokers');
    }
    const tc = await startWithTestcontainers(version);
    log(`testcontainers apache/kafka:${version} ${JSON.stringify(tc.clusters)}`);
    return { kafka: { version, source: 'testcontainers', clusters: tc.clusters }, stop: tc.stop };
  }
  const info = SUPPORTED_KAFKA_VERSIONS[version];
  if (!info) throw new Error(`no test-bed support for Kafka ${version}`);
  const bed = await startTestBed({ aliases: TEST_ALIASES, info, ownerPid: process.pid, log });
  const sasl: ProvidedSasl = {
    clusters: bed.saslBootstrap,
    mechanisms: [...SCRAM_MECHANISMS],
    users: { admin: { ...TESTBED_USERS.admin }, mirror: { ...TESTBED_USERS.mirror } },
  };
  log(
    `SASL_PLAINTEXT ${JSON.stringify(bed.saslBootstrap)}; users ${sasl.users.admin.name} (super), ${sasl.users.mirror.name} (ACLs)`,
  );
  const tls: ProvidedTls = {
    ssl: bed.sslBootstrap,
    saslSsl: bed.saslSslBootstrap,
    saslSslMechanisms: [...SASL_SSL_MECHANISMS],
    files: bed.tls,
  };
  log(`SSL (mTLS) ${JSON.stringify(bed.sslBootstrap)}; SASL_SSL ${JSON.stringify(bed.saslSslBootstrap)}`);
  return {
    kafka: { version, source: 'local-jvm', clusters: bed.bootstrap, sasl, tls, stateFile: bed.stateFile },
    stop: bed.stop,
  };
}
