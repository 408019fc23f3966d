import kafkajs from 'kafkajs';
import { KAFKAJS_CODEC_FACTORIES } from '../compression/index.ts';
import type { Logger } from '../../util/logger.ts';
import { silentLogger } from '../../util/logger.ts';
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
import { withPortErrors } from './port-errors.ts';
import { KafkajsRecordSink } from './record-sink.ts';
import { KafkajsRecordSource } from './record-source.ts';

const { CompressionCodecs } = kafkajs;

// kafkajs reads only gzip by itself; any kafkajs path that meets snappy/lz4/zstd uses our codecs.
Object.assign(CompressionCodecs, KAFKAJS_CODEC_FACTORIES);

/**
 * The Kafka port for one cluster, on kafkajs: admin calls through kafkajs's admin client, the data
 * path through our own Fetch/Produce framing over kafkajs's broker connections.
 */
export class KafkajsCluster implements KafkaCluster {
  readonly settings: KafkaClientSettings;
  private readonly connection: KafkajsConnection;
  private readonly opened: { close(): Promise<void> }[] = [];

  constructor(settings: KafkaClientSettings, logger: Logger = silentLogger()) {
    this.settings = settings;
    this.connection = new KafkajsConnection(settings, logger.child({ cluster: settings.clientId }));
  }

  admin(): Promise<KafkaAdmin> {
    return withPortErrors({ op: 'admin' }, async () => {
      const admin = new KafkajsAdmin(this.connection);
      this.opened.push(admin);
      return admin;
    });
  }

  recordSource(options?: RecordSourceOptions): Promise<RecordSource> {
    return withPortErrors({ op: 'recordSource' }, async () => new KafkajsRecordSource(this.connection, options));
  }

  recordSink(options?: RecordSinkOptions): Promise<RecordSink> {
    return withPortErrors({ op: 'recordSink' }, async () => new KafkajsRecordSink(this.connection, options));
  }

  close(): Promise<void> {
    return withPortErrors({ op: 'close' }, async () => {
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
