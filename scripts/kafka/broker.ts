import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { classpath } from './jars.ts';
import { KAFKA_HOME } from './paths.ts';
import { metadataBrokerCount } from './probe.ts';
import { freePort } from './ports.ts';
import { addScramArguments, plainJaasUsers, SASL_SSL_MECHANISMS, SCRAM_MECHANISMS, SUPER_USERS } from './sasl.ts';
import { oauthBrokerProperties, oauthJvmFlags } from './oauth.ts';
import type { TestBedTls } from './tls.ts';
import type { KafkaVersionInfo } from './versions.ts';

/**
 * A JVM system property on every process the test bed starts, naming this checkout's cache
 * folder, so a last-resort sweep finds exactly this checkout's JVMs and never another's.
 */
export const TESTBED_MARKER = `-Dmirrormaker.testbed=${KAFKA_HOME}`;

export interface ClusterOptions {
  alias: string;
  info: KafkaVersionInfo;
  libs: string;
  /** Folder for this cluster's config, data and logs; removed on stop. */
  dir: string;
  heapMb?: number;
  /** Extra broker properties (e.g. auto.create.topics.enable). */
  brokerProperties?: Record<string, string>;
  /**
   * The broker is stopped when this process exits, even by SIGKILL, through a small watchdog.
   * Absent: the broker outlives its starter (`kafka:up`), and `kafka:down` stops it.
   */
  ownerPid?: number;
  readyTimeoutMs?: number;
  /**
   * The PLAINTEXT port, chosen in advance (e.g. a test that points a mirror at a cluster before it
   * exists); absent: a free one.
   */
  port?: number;
  /** The bed's certificates: with them the broker also has SSL (mTLS) and SASL_SSL listeners. */
  tls?: TestBedTls;
}

export interface RunningCluster {
  alias: string;
  version: string;
  /** PLAINTEXT host:port (clients are User:ANONYMOUS, a super user). */
  bootstrap: string;
  port: number;
  /** SASL_PLAINTEXT host:port (SCRAM-SHA-256/512, users from sasl.ts). */
  saslBootstrap: string;
  saslPort: number;
  /** SSL host:port, client certificate required (mTLS), when the bed has TLS. */
  sslBootstrap?: string;
  /** SASL_SSL host:port (SCRAM-SHA-256/512 and PLAIN), when the bed has TLS. */
  saslSslBootstrap?: string;
  controllerPort: number;
  pid: number;
  watchdogPid?: number;
  /** The process whose exit stops this broker (see ClusterOptions.ownerPid). */
  ownerPid?: number;
  dir: string;
  startMs: number;
  /** The broker's `java` arguments, so a restart runs it again on the same ports and data. */
  javaArgs: string[];
}

/** Kafka's Uuid string form: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

interface ListenerPorts {
  port: number;
  saslPort: number;
  controllerPort: number;
  sslPort: number;
  saslSslPort: number;
}

/**
 * The SSL and SASL_SSL listeners: PEM key and trust stores from tls.ts; the SSL listener requires a
 * client certificate (its CN is the principal); SASL_SSL offers SCRAM (users in the metadata) and
 * PLAIN (users in the listener's JAAS line).
 */
function tlsListenerProperties(tls: TestBedTls): Record<string, string> {
  const scramModule = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': tls.brokerKeystoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tls.caFile,
    'listener.name.ssl.ssl.client.auth': 'required',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': SASL_SSL_MECHANISMS.join(','),
    ...Object.fromEntries(
      SCRAM_MECHANISMS.map((m) => [`listener.name.sasl_ssl.${m.toLowerCase()}.sasl.jaas.config`, scramModule]),
    ),
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainJaasUsers()};`,
    ...oauthBrokerProperties(tls.oauth),
  };
}

function serverProperties(
  dir: string,
  ports: ListenerPorts,
  extra: Record<string, string>,
  tls: TestBedTls | undefined,
): string {
  const { port, saslPort, controllerPort, sslPort, saslSslPort } = ports;
  const scramModule = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const tlsListeners = tls ? `,SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslSslPort}` : '';
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    // Static voters work on 3.9 and 4.1 alike, and need no --standalone format.
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}${tlsListeners}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}${tlsListeners}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map':
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
    // SCRAM users live in the cluster metadata (created by `format --add-scram`, see sasl.ts).
    'sasl.enabled.mechanisms': SCRAM_MECHANISMS.join(','),
    ...Object.fromEntries(
      SCRAM_MECHANISMS.map((m) => [`listener.name.sasl_plaintext.${m.toLowerCase()}.sasl.jaas.config`, scramModule]),
    ),
    'log.dirs': join(dir, 'data'),
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    // A mirror must create remote topics itself; auto-creation would hide a missing create.
    'auto.create.topics.enable': 'false',
    // An authorizer, so ACL sync has ACLs to read and write and a SASL user can be denied. Every
    // PLAINTEXT client (tests, the controller listener, the inter-broker connection) is
    // User:ANONYMOUS, a super user, as is the SASL admin user: nothing is denied to them. Any other
    // principal (the SASL mirror user) gets only what ACLs grant, as in production.
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': SUPER_USERS.join(';'),
    'allow.everyone.if.no.acl.found': 'false',
    ...(tls ? tlsListenerProperties(tls) : {}),
    ...extra,
  };
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

function loggingConfig(info: KafkaVersionInfo, dir: string): { file: string; flag: string } {
  if (info.loggingProfile === 'log4j2') {
    const file = join(dir, 'log4j2.properties');
    writeFileSync(
      file,
      [
        'appender.out.type=Console',
        'appender.out.name=OUT',
        'appender.out.layout.type=PatternLayout',
        'appender.out.layout.pattern=[%d] %p %m (%c)%n',
        'rootLogger.level=INFO',
        'rootLogger.appenderRef.out.ref=OUT',
        'logger.kafka.name=kafka',
        'logger.kafka.level=WARN',
        'logger.kafkaapache.name=org.apache.kafka',
        'logger.kafkaapache.level=WARN',
        'logger.state.name=state.change.logger',
        'logger.state.level=WARN',
        '',
      ].join('\n'),
    );
    return { file, flag: `-Dlog4j2.configurationFile=${file}` };
  }
  const file = join(dir, 'log4j.properties');
  writeFileSync(
    file,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN',
      'log4j.logger.org.apache.kafka=WARN',
      'log4j.logger.state.change.logger=WARN',
      '',
    ].join('\n'),
  );
  return { file, flag: `-Dlog4j.configuration=file:${file}` };
}

/** JVM flags shared by every Java process of the test bed (brokers, Java MM2, perf tools). */
export function jvmBaseFlags(heapMb: number, logFlag: string, logsDir: string): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${logsDir}`,
    logFlag,
    TESTBED_MARKER,
  ];
}

/** Stops `pid`'s process group when `ownerPid` exits: brokers never outlive a killed test run. */
function startWatchdog(ownerPid: number, pid: number): number | undefined {
  const script = `while kill -0 ${ownerPid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -TERM -${pid} 2>/dev/null; sleep 15; kill -KILL -${pid} 2>/dev/null; exit 0`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

/** Distinct ports: the PLAINTEXT one as asked (or free), the others free. */
async function listenerPorts(wanted?: number): Promise<ListenerPorts> {
  const taken = new Set<number>();
  const pick = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p) && p !== wanted) {
        taken.add(p);
        return p;
      }
    }
  };
  const port = wanted ?? (await pick());
  taken.add(port);
  return {
    port,
    saslPort: await pick(),
    controllerPort: await pick(),
    sslPort: await pick(),
    saslSslPort: await pick(),
  };
}

function brokerLogTail(dir: string): string {
  const file = join(dir, 'logs', 'broker.out');
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '';
}

/** Formats storage and starts one single-node KRaft cluster (combined broker+controller) on loopback. */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const started = Date.now();
  const { alias, info, libs, dir } = options;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const ports = await listenerPorts(options.port);
  const propsFile = join(dir, 'server.properties');
  writeFileSync(propsFile, serverProperties(dir, ports, options.brokerProperties ?? {}, options.tls));
  const logging = loggingConfig(info, dir);
  const heapMb = options.heapMb ?? 512;

  const format = spawnSync(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      logging.flag,
      '-cp',
      classpath(libs),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      propsFile,
      ...addScramArguments(),
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0) {
    throw new Error(`formatting storage for cluster ${alias} failed: ${format.stderr || format.stdout}`);
  }

  const cluster: RunningCluster = {
    alias,
    version: info.version,
    bootstrap: `127.0.0.1:${ports.port}`,
    port: ports.port,
    saslBootstrap: `127.0.0.1:${ports.saslPort}`,
    saslPort: ports.saslPort,
    ...(options.tls
      ? { sslBootstrap: `127.0.0.1:${ports.sslPort}`, saslSslBootstrap: `127.0.0.1:${ports.saslSslPort}` }
      : {}),
    controllerPort: ports.controllerPort,
    pid: 0,
    dir,
    startMs: 0,
    javaArgs: [
      ...jvmBaseFlags(heapMb, logging.flag, join(dir, 'logs')),
      ...(options.tls ? oauthJvmFlags(options.tls.oauth) : []),
      '-cp',
      classpath(libs),
      'kafka.Kafka',
      propsFile,
    ],
    ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}),
  };
  await launchBroker(cluster, options.readyTimeoutMs ?? 60_000);
  cluster.startMs = Date.now() - started;
  return cluster;
}

/**
 * Runs the broker JVM of `cluster` (its config and data already on disk) and waits until a
 * Metadata request lists it; sets `pid` and `watchdogPid`. On failure the JVM is stopped and the
 * data kept, and the error carries the broker log's tail.
 */
async function launchBroker(cluster: RunningCluster, readyTimeoutMs: number): Promise<void> {
  const { alias, dir } = cluster;
  const started = Date.now();
  const out = openSync(join(dir, 'logs', 'broker.out'), 'a');
  const child = spawn('java', cluster.javaArgs, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the broker JVM for cluster ${alias}`);
  cluster.pid = pid;
  delete cluster.watchdogPid;
  const watchdogPid = cluster.ownerPid !== undefined ? startWatchdog(cluster.ownerPid, pid) : undefined;
  if (watchdogPid !== undefined) cluster.watchdogPid = watchdogPid;

  const deadline = started + readyTimeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited || !isAlive(pid)) {
      await stopCluster(cluster, { keepData: true });
      throw new Error(
        `broker for cluster ${alias} exited during start-up; see ${join(dir, 'logs', 'broker.out')}\n${brokerLogTail(dir)}`,
      );
    }
    try {
      if ((await metadataBrokerCount('127.0.0.1', cluster.port)) >= 1) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopCluster(cluster, { keepData: true });
      throw new Error(`cluster ${alias} was not ready within ${readyTimeoutMs} ms\n${brokerLogTail(dir)}`);
    }
    await sleep(250);
  }
}

/** Kills the broker JVM at once (SIGKILL, as a crash or power loss); its data stays on disk. */
export async function killCluster(cluster: RunningCluster, timeoutMs = 10_000): Promise<void> {
  signalGroup(cluster.pid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(cluster.pid)) {
    if (Date.now() > deadline)
      throw new Error(`broker of cluster ${cluster.alias} (pid ${cluster.pid}) survived SIGKILL`);
    await sleep(50);
  }
  if (cluster.watchdogPid !== undefined) signalGroup(cluster.watchdogPid, 'SIGKILL');
}

/**
 * Starts a stopped or killed cluster again on the same ports with the data it had (no format).
 * `cluster` is updated in place (pid, watchdog) and returned. A port still held by the old
 * process's sockets is not a problem: the JVM binds its server sockets with SO_REUSEADDR.
 */
export async function restartCluster(cluster: RunningCluster, readyTimeoutMs = 60_000): Promise<RunningCluster> {
  if (isAlive(cluster.pid)) throw new Error(`cluster ${cluster.alias} is still running (pid ${cluster.pid})`);
  const started = Date.now();
  await launchBroker(cluster, readyTimeoutMs);
  cluster.startMs = Date.now() - started;
  return cluster;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stops a cluster (SIGTERM, then SIGKILL after `graceMs`) and removes its data unless asked to keep it. */
export async function stopCluster(
  cluster: Pick<RunningCluster, 'pid' | 'dir' | 'watchdogPid'>,
  options: { keepData?: boolean; graceMs?: number } = {},
): Promise<void> {
  signalGroup(cluster.pid, 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 10_000);
  while (isAlive(cluster.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(cluster.pid)) signalGroup(cluster.pid, 'SIGKILL');
  while (isAlive(cluster.pid)) await sleep(50);
  if (cluster.watchdogPid !== undefined) signalGroup(cluster.watchdogPid, 'SIGKILL');
  if (!options.keepData) rmSync(cluster.dir, { recursive: true, force: true });
}
