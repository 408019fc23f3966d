import { afterAll } from 'vitest';
import type { RunningCluster } from '../../scripts/kafka/broker.ts';
import {
  killTestBedCluster,
  readTestBedState,
  restartTestBedCluster,
  startTestBed,
  type TestBed,
} from '../../scripts/kafka/testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../../scripts/kafka/versions.ts';
import { runKafkaJava } from './java.ts';
import { testKafka } from './kafka.ts';

/**
 * Broker faults a test can cause on the local test bed. The brokers were started by the global
 * setup in another process; their pids live in the bed's state file, which these helpers read and
 * update, so the global setup's stop (and `kafka:down`) stops a restarted broker too.
 */
function stateFile(): string {
  const kafka = testKafka();
  if (!kafka.stateFile) {
    throw new Error(
      `this test kills and restarts brokers, which only the local test bed allows (clusters here come from ${kafka.source}); unset KAFKA_CLUSTERS and KAFKA_TESTCONTAINERS`,
    );
  }
  return kafka.stateFile;
}

/**
 * Kill and restart for the brokers of the shared clusters, with a safety net: any broker a test
 * killed and did not bring back is restarted after the file, so later test files find it.
 */
export function useBrokerFaults(): {
  kill(alias: string): Promise<RunningCluster>;
  restart(alias: string): Promise<RunningCluster>;
  /** Stops the broker process (SIGSTOP): connections stay open and nothing is answered. */
  pause(alias: string): void;
  /** Lets a paused broker go on (SIGCONT): it answers what queued up meanwhile. */
  resume(alias: string): void;
} {
  const down = new Set<string>();
  const paused = new Map<string, number>();
  afterAll(async () => {
    for (const pid of paused.values()) process.kill(pid, 'SIGCONT');
    paused.clear();
    for (const alias of down) await restartTestBedCluster(stateFile(), alias, 90_000);
    down.clear();
  }, 120_000);
  return {
    pause: (alias) => {
      const cluster = readTestBedState(stateFile()).find((c) => c.alias === alias);
      if (cluster === undefined) throw new Error(`no cluster ${alias} in the test bed`);
      process.kill(cluster.pid, 'SIGSTOP');
      paused.set(alias, cluster.pid);
    },
    resume: (alias) => {
      const pid = paused.get(alias);
      if (pid === undefined) throw new Error(`cluster ${alias} is not paused`);
      process.kill(pid, 'SIGCONT');
      paused.delete(alias);
    },
    kill: async (alias) => {
      const cluster = await killTestBedCluster(stateFile(), alias);
      down.add(alias);
      return cluster;
    },
    restart: async (alias) => {
      const cluster = await restartTestBedCluster(stateFile(), alias, 90_000);
      down.delete(alias);
      return cluster;
    },
  };
}

/**
 * Extra single-broker clusters started by a test file (on a port chosen in advance when asked),
 * stopped after the file even when a test failed; they also stop if the worker dies (watchdog).
 */
export function useExtraClusters(): { start(alias: string, port?: number): Promise<TestBed> } {
  const started: TestBed[] = [];
  afterAll(async () => {
    await Promise.all(started.splice(0).map((bed) => bed.stop()));
  }, 60_000);
  return {
    start: async (alias, port) => {
      const kafka = testKafka();
      const info = SUPPORTED_KAFKA_VERSIONS[kafka.version];
      if (kafka.source !== 'local-jvm' || !info) {
        throw new Error(`starting an extra cluster needs the local test bed; clusters here come from ${kafka.source}`);
      }
      const bed = await startTestBed({
        aliases: [alias],
        info,
        ownerPid: process.pid,
        ...(port !== undefined ? { ports: { [alias]: port } } : {}),
      });
      started.push(bed);
      return bed;
    },
  };
}

/**
 * Runs one of Kafka's admin command-line tools (TopicCommand, AclCommand) from the test bed's jars
 * against a PLAINTEXT listener (User:ANONYMOUS, a super user): for the admin calls the Kafka port
 * does not offer (delete a topic, remove an ACL). Returns stdout; a failure carries stderr.
 */
async function kafkaTool(tool: 'topics' | 'acls', args: string[]): Promise<string> {
  const kafka = testKafka();
  const version = SUPPORTED_KAFKA_VERSIONS[kafka.version] ? kafka.version : '4.1.2';
  // AclCommand moved from core (Scala) to the tools module in Kafka 4.0.
  const mainClass =
    tool === 'topics'
      ? 'org.apache.kafka.tools.TopicCommand'
      : version.startsWith('3.')
        ? 'kafka.admin.AclCommand'
        : 'org.apache.kafka.tools.AclCommand';
  try {
    return await runKafkaJava(version, mainClass, args, { timeoutMs: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${mainClass} ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

/** Deletes `topic` on the cluster at `bootstrap` (PLAINTEXT). */
export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  await kafkaTool('topics', ['--bootstrap-server', bootstrap, '--delete', '--topic', topic]);
}

/** What an ACL is on, for `removeAcls`: literal names (`*` is the wildcard). */
export interface AclResources {
  topic?: string;
  group?: string;
  transactionalId?: string;
  cluster?: boolean;
}

/**
 * Removes the literal ACLs `principal` has for `operation` on `resources` (one AclCommand run for
 * them all) on the cluster at `bootstrap`: e.g. the DENY WRITE a test added, or its broad grants.
 */
export async function removeAcls(
  bootstrap: string,
  acl: { principal: string; operation: string; permission: 'ALLOW' | 'DENY' },
  resources: AclResources,
): Promise<void> {
  await kafkaTool('acls', [
    '--bootstrap-server',
    bootstrap,
    '--remove',
    '--force',
    acl.permission === 'ALLOW' ? '--allow-principal' : '--deny-principal',
    acl.principal,
    '--operation',
    acl.operation,
    ...(resources.topic !== undefined ? ['--topic', resources.topic] : []),
    ...(resources.group !== undefined ? ['--group', resources.group] : []),
    ...(resources.transactionalId !== undefined ? ['--transactional-id', resources.transactionalId] : []),
    ...(resources.cluster ? ['--cluster'] : []),
    '--resource-pattern-type',
    'literal',
  ]);
}
