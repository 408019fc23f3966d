import type { Logger } from '../../util/logger.ts';
import { silentLogger } from '../../util/logger.ts';
import type { GroupCoordinator, GroupCoordinatorOptions } from '../group-coordinator.ts';
import type {
  KafkaAdmin,
  KafkaClientSettings,
  KafkaCluster,
  RecordSink,
  RecordSinkOptions,
  RecordSource,
  RecordSourceOptions,
} from '../port.ts';
import { KafkajsAdmin } from './admin.ts';
import { KafkajsConnection } from './connection.ts';
import { KafkajsGroupCoordinator } from './group-coordinator.ts';
import { KafkajsRecordSink } from './record-sink.ts';
import { KafkajsRecordSource } from './record-source.ts';

/**
 * The Kafka port for one cluster, on kafkajs: admin calls through kafkajs's admin client, the data
 * path through our own Fetch/Produce framing over kafkajs's broker connections. kafkajs never
 * decodes or encodes a record batch here (no kafkajs producer or consumer), so its global codec
 * table is left as it is.
 */
export class KafkajsCluster implements KafkaCluster {
  readonly settings: KafkaClientSettings;
  private readonly connection: KafkajsConnection;
  private readonly opened: { close(): Promise<void> }[] = [];
  /**
   * Clients of their own that record sinks send produce requests on besides the shared one
   * (`RecordSinkOptions.connectionsPerBroker`): made when a sink first asks, shared by every later
   * sink (a task restarted on this cluster finds them), closed with the cluster.
   */
  private readonly produceLanes: KafkajsConnection[] = [];
  private readonly logger: Logger;

  constructor(settings: KafkaClientSettings, logger: Logger = silentLogger()) {
    this.settings = settings;
    this.logger = logger;
    this.connection = new KafkajsConnection(settings, this.clientLogger({}));
  }

  admin(): Promise<KafkaAdmin> {
    return this.connection.portErrors({ op: 'admin' }, async () => {
      const admin = new KafkajsAdmin(this.connection);
      this.opened.push(admin);
      return admin;
    });
  }

  recordSource(options?: RecordSourceOptions): Promise<RecordSource> {
    return this.connection.portErrors(
      { op: 'recordSource' },
      async () => new KafkajsRecordSource(this.connection, options),
    );
  }

  recordSink(options?: RecordSinkOptions): Promise<RecordSink> {
    return this.connection.portErrors({ op: 'recordSink' }, async () => {
      const lanes = [this.connection];
      const wanted = Math.max(1, Math.floor(options?.connectionsPerBroker ?? 1));
      for (let lane = 1; lane < wanted; lane++) {
        if (this.produceLanes.length < lane) {
          const own = new KafkajsConnection(this.settings, this.clientLogger({ produceLane: lane }));
          this.produceLanes.push(own);
          this.opened.push(own);
        }
        lanes.push(this.produceLanes[lane - 1]!);
      }
      return new KafkajsRecordSink(this.connection, options, lanes);
    });
  }

  /** On a connection of its own: a JoinGroup the coordinator holds for a rebalance never delays the data path. */
  groupCoordinator(options: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    return this.connection.portErrors({ op: 'groupCoordinator', group: options.groupId }, async () => {
      const own = new KafkajsConnection(this.settings, this.clientLogger({ group: options.groupId }));
      const coordinator = new KafkajsGroupCoordinator(own, options);
      this.opened.push(coordinator);
      return coordinator;
    });
  }

  /** The log context of one of this cluster's clients: `cluster` is the MM2 alias it talks to, the client id its own field. */
  private clientLogger(extra: Record<string, unknown>): Logger {
    const where = this.settings.clusterAlias !== undefined ? { cluster: this.settings.clusterAlias } : {};
    return this.logger.child({ ...where, clientId: this.settings.clientId, ...extra });
  }

  close(): Promise<void> {
    return this.connection.portErrors({ op: 'close' }, async () => {
      await Promise.allSettled(this.opened.map((o) => o.close()));
      this.opened.length = 0;
      await this.connection.close();
    });
  }
}

/** Opens the Kafka port for one cluster. */
export function openKafkaCluster(settings: KafkaClientSettings, logger?: Logger): KafkaCluster {
  return new KafkajsCluster(settings, logger);
}
