import { hostname } from 'node:os';
import type { ConnectorRunner } from '../connect/connector-runner.ts';
import { ConnectorStateError } from '../connect/connector-runner.ts';
import type { TaskStatusEntry } from '../connect/states.ts';
import type { ConnectorKind } from '../config/keys/key-table.ts';
import { redacted } from '../config/redact.ts';
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorRef,
  ConnectorsPort,
  ConnectorStateInfo,
  PluginInfo,
  RestartRequest,
  TaskInfo,
  UnitState,
} from '../http/connectors-port.ts';
import { HttpError } from '../http/errors.ts';
import {
  decodeSourceOffsetKey,
  encodeMirrorSourcePartitionKey,
  encodeSourceOffsetValue,
  MIRROR_SOURCE_CONNECTOR,
} from '../records/source-offsets.ts';
import { parseJsonWithBigInts } from '../records/jackson-json.ts';
import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import type { RouteConnectorStatus, RouteRuntime } from './route-runtime.ts';

const KINDS: Readonly<Record<string, ConnectorKind>> = {
  MirrorSourceConnector: 'source',
  MirrorCheckpointConnector: 'checkpoint',
  MirrorHeartbeatConnector: 'heartbeat',
};

/** `GET /connector-plugins`: the three connector classes MM2 runs, at the Kafka version we mirror. */
export function mirrorPlugins(version: string): PluginInfo[] {
  return Object.keys(KINDS).map((name) => ({
    class: `org.apache.kafka.connect.mirror.${name}`,
    type: 'source' as const,
    version,
  }));
}

/** The global name of a flow's connector: `<source>-><target>.<Java name>` (unambiguous: the Java name has no dot). */
export function globalConnectorName(source: string, target: string, connector: string): string {
  return `${source}->${target}.${connector}`;
}

/**
 * The connectors API over the routes currently running (asked again on every call: a reload
 * may replace them). Control calls go to the route's {@link ConnectorRunner}; target states are
 * stored by the route before they are applied; offsets are the route's Connect offsets store.
 */
export function connectorsPort(
  runtimes: () => readonly RouteRuntime[],
  options: { logger: Logger; workerId?: string },
): ConnectorsPort {
  const workerId = options.workerId ?? hostname();
  const logger = options.logger.child({ component: 'connectors-api' });

  const located = (ref: ConnectorRef): { route: RouteRuntime; runner: ConnectorRunner<RouteConnectorStatus> } => {
    const route = runtimes().find((r) => r.route.source === ref.source && r.route.target === ref.target);
    const runner = route?.connector(ref.connector);
    if (!route || !runner) {
      throw new HttpError(404, 'ERR_UNKNOWN_CONNECTOR', `Connector ${ref.name} not found (its flow is not running)`, {
        connector: ref.name,
      });
    }
    return { route, runner };
  };

  const unit = (s: { state: string; trace?: string }): UnitState => ({
    state: s.state,
    worker_id: workerId,
    ...(s.trace !== undefined ? { trace: s.trace } : {}),
  });

  const status = (ref: ConnectorRef): ConnectorStateInfo => {
    const s = located(ref).runner.status();
    return {
      name: ref.name,
      connector: unit(s),
      tasks: s.tasks.map((t: TaskStatusEntry) => ({ id: t.id, ...unit(t) })),
      type: 'source',
    };
  };

  const config = (ref: ConnectorRef): Record<string, string> => {
    const { route } = located(ref);
    const kind = KINDS[ref.connector];
    // Connector configs keep provider placeholders as written; only secret-typed keys are hidden.
    return kind ? redacted(route.route.connectors[kind], new Set(), () => undefined) : {};
  };

  /** A control call's own failures (busy, wrong state) are the caller's 409, with the runner's message. */
  const control = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ConnectorStateError) throw new HttpError(409, err.code, err.message, {});
      throw err;
    }
  };

  const notWhileBusy = (ref: ConnectorRef, runner: ConnectorRunner<RouteConnectorStatus>): void => {
    if (runner.busy !== undefined) {
      throw new HttpError(409, 'ERR_CONNECTOR_BUSY', `${ref.name} is ${runner.busy}; try again when it is done`, {});
    }
  };

  const stoppedStore = (ref: ConnectorRef) => {
    const { route, runner } = located(ref);
    notWhileBusy(ref, runner);
    if (runner.targetState !== 'STOPPED') {
      throw new HttpError(
        409,
        'ERR_CONNECTOR_STATE',
        `Connectors must be in the STOPPED state before their offsets can be modified; ${ref.name} is ${runner.targetState}. ` +
          `Stop it first: PUT /connectors/${ref.name}/stop`,
        {},
      );
    }
    const store = route.offsets;
    if (!store?.entries || !store.write) {
      throw new HttpError(409, 'ERR_OFFSETS_UNAVAILABLE', `the offsets store of ${ref.name}'s flow is not open`, {});
    }
    return {
      route,
      store: { entries: store.entries.bind(store), write: store.write.bind(store) },
      // The edit runs as a change of the connector: a resume sent meanwhile is refused (409).
      edit: (what: string, work: () => Promise<void>) => control(() => runner.whileStopped(what, work)),
    };
  };

  /** Every stored offset of the connector (its own records only: the topic is per flow, keys name the connector). */
  const storedOffsets = (
    entries: IterableIterator<{ key: Buffer; value: Buffer }>,
    connector: string,
  ): { key: Buffer; offset: ConnectorOffset }[] => {
    const out: { key: Buffer; offset: ConnectorOffset }[] = [];
    for (const { key, value } of entries) {
      try {
        const decoded = decodeSourceOffsetKey(key);
        if (decoded.connectorName !== connector) continue;
        out.push({
          key,
          offset: {
            partition: plainJson(decoded.partition) as Record<string, unknown>,
            offset: plainJson(parseJsonWithBigInts(value.toString('utf8'))) as Record<string, unknown>,
          },
        });
      } catch {
        // A record of another shape (not Connect's [name, {…}]) is no offset of ours.
      }
    }
    return out;
  };

  return {
    list: () =>
      runtimes().flatMap((r) =>
        r.connectorNames().map((connector) => ({
          name: globalConnectorName(r.route.source, r.route.target, connector),
          source: r.route.source,
          target: r.route.target,
          connector,
        })),
      ),
    status,
    info: (ref): ConnectorInfo => ({
      name: ref.name,
      config: config(ref),
      tasks: status(ref).tasks.map((t) => ({ connector: ref.name, task: t.id })),
      type: 'source',
    }),
    tasks: (ref): TaskInfo[] => {
      const base = config(ref);
      return located(ref)
        .runner.status()
        .tasks.map((t) => {
          const assigned = (t as { assignedPartitions?: string[] }).assignedPartitions;
          return {
            id: { connector: ref.name, task: t.id },
            config: {
              ...base,
              'task.index': String(t.id),
              ...(assigned ? { 'task.assigned.partitions': assigned.join(',') } : {}),
            },
          };
        });
    },
    pause: (ref) => control(() => located(ref).route.setTargetState(ref.connector, 'PAUSED')),
    resume: (ref) => control(() => located(ref).route.setTargetState(ref.connector, 'STARTED')),
    stop: (ref) => control(() => located(ref).route.setTargetState(ref.connector, 'STOPPED')),
    restart: async (ref, request: RestartRequest) => {
      const { runner } = located(ref);
      notWhileBusy(ref, runner);
      if (runner.targetState === 'PAUSED') {
        // Connect restarts a paused connector and its tasks into PAUSED. Here the pause already
        // stopped the instance and its tasks, and the resume starts fresh ones: the restart has
        // nothing to do, and the connector is PAUSED before and after, as in Connect.
        return request.includeTasks || request.onlyFailed ? status(ref) : undefined;
      }
      if (runner.targetState !== 'STARTED') {
        throw new HttpError(
          409,
          'ERR_CONNECTOR_STATE',
          `${ref.name} is ${runner.targetState}: resume it (PUT /connectors/${ref.name}/resume) instead of restarting it`,
          {},
        );
      }
      const before = status(ref);
      const connectorFailed = before.connector.state === 'FAILED';
      // KIP-745: without includeTasks and onlyFailed, the connector alone restarts and the answer is 204.
      if (!request.includeTasks && !request.onlyFailed) {
        await control(() => runner.restart());
        return undefined;
      }
      const restartConnector = !request.onlyFailed || connectorFailed;
      // Tasks belong to the connector instance here: restarting the connector restarts them all.
      const tasks = restartConnector
        ? request.includeTasks || connectorFailed
          ? before.tasks.map((t) => t.id)
          : []
        : request.includeTasks
          ? before.tasks.filter((t) => t.state === 'FAILED').map((t) => t.id)
          : [];
      const planned: ConnectorStateInfo = {
        ...before,
        connector: restartConnector ? { ...before.connector, state: 'RESTARTING' } : before.connector,
        tasks: before.tasks.map((t) => (tasks.includes(t.id) || restartConnector ? { ...t, state: 'RESTARTING' } : t)),
      };
      for (const t of planned.tasks) if (t.state === 'RESTARTING') delete t.trace;
      if (restartConnector) delete planned.connector.trace;
      const work = restartConnector
        ? control(() => runner.restart())
        : Promise.all(tasks.map((id) => control(() => runner.restartTask(id))));
      // 202: the restart goes on after the answer (Connect's herder applies it asynchronously).
      work.catch((err: unknown) =>
        logger.error({ connector: ref.name, err: describeError(err) }, 'restart requested through the API failed'),
      );
      return planned;
    },
    restartTask: async (ref, task) => {
      const { runner } = located(ref);
      if (!status(ref).tasks.some((t) => t.id === task)) {
        throw new HttpError(404, 'ERR_UNKNOWN_TASK', `Task ${task} of ${ref.name} not found`, { task });
      }
      // As the connector's restart above: a paused task has nothing running to restart.
      if (runner.targetState === 'PAUSED') return;
      const restarted = await control(() => runner.restartTask(task));
      if (!restarted) {
        throw new HttpError(
          409,
          'ERR_CONNECTOR_STATE',
          `Task ${task} of ${ref.name} cannot be restarted on its own now; restart the connector`,
          {
            task,
          },
        );
      }
    },
    offsets: async (ref) => {
      const { route } = located(ref);
      const store = route.offsets;
      if (!store?.entries) return [];
      await store.refresh?.();
      return storedOffsets(store.entries(), ref.connector).map((o) => o.offset);
    },
    alterOffsets: async (ref, offsets) => {
      const { route, store, edit } = stoppedStore(ref);
      if (ref.connector !== MIRROR_SOURCE_CONNECTOR) {
        throw new HttpError(
          400,
          'ERR_BAD_REQUEST',
          `only ${MIRROR_SOURCE_CONNECTOR}'s offsets decide where work resumes and can be altered; ${ref.connector}'s can only be reset (DELETE)`,
          {},
        );
      }
      const records = offsets.map((o, i) => {
        const { cluster, topic, partition } = o.partition;
        const where = `offsets[${i}]`;
        if (cluster !== route.route.source) {
          badOffset(
            `${where}.partition.cluster must be "${route.route.source}" (the source cluster of this flow), got ${JSON.stringify(cluster)}`,
          );
        }
        if (typeof topic !== 'string' || topic === '') badOffset(`${where}.partition.topic must be a topic name`);
        if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) {
          badOffset(`${where}.partition.partition must be a partition number (an integer >= 0)`);
        }
        const extra = Object.keys(o.partition).filter((k) => !['cluster', 'topic', 'partition'].includes(k));
        if (extra.length > 0)
          badOffset(`${where}.partition has unknown keys ${extra.join(', ')}; it takes cluster, topic, partition`);
        let value: Buffer | null = null;
        if (o.offset !== null) {
          const offset = o.offset.offset;
          const keys = Object.keys(o.offset);
          if (keys.length !== 1 || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
            badOffset(`${where}.offset must be {"offset": <integer >= 0>} (the last upstream offset copied) or null`);
          }
          value = encodeSourceOffsetValue(BigInt(offset as number));
        }
        return {
          key: encodeMirrorSourcePartitionKey({
            sourceClusterAlias: cluster as string,
            topicPartition: { topic: topic as string, partition: partition as number },
          }),
          value,
        };
      });
      await edit('altering offsets', () => store.write(records));
      logger.info({ connector: ref.name, partitions: records.length }, 'offsets altered through the API');
    },
    resetOffsets: async (ref) => {
      const { store, edit } = stoppedStore(ref);
      let existing: { key: Buffer }[] = [];
      await edit('resetting offsets', async () => {
        existing = storedOffsets(store.entries(), ref.connector);
        await store.write(existing.map(({ key }) => ({ key, value: null })));
      });
      logger.info({ connector: ref.name, partitions: existing.length }, 'offsets reset through the API');
    },
  };
}

function badOffset(message: string): never {
  throw new HttpError(400, 'ERR_BAD_REQUEST', message, {});
}

/** Stored JSON as plain JSON values for the answer: bigints become numbers (offsets fit below 2^53 in practice). */
function plainJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainJson(v)]));
  }
  return value;
}
