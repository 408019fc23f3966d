/** Apache Kafka versions the test bed can run, with the logging binding each one needs. */
export interface KafkaVersionInfo {
  version: string;
  /** Maven profile in scripts/kafka/pom.xml that adds the logging backend the jars leave out. */
  loggingProfile: 'log4j2' | 'reload4j';
}

export const SUPPORTED_KAFKA_VERSIONS: Readonly<Record<string, KafkaVersionInfo>> = {
  '4.1.2': { version: '4.1.2', loggingProfile: 'log4j2' },
  '3.9.2': { version: '3.9.2', loggingProfile: 'reload4j' },
};

export const DEFAULT_KAFKA_VERSION = '4.1.2';

/** The version chosen by `KAFKA_VERSION` (default 4.1.2); an unknown one is an error naming the valid ones. */
export function selectedKafkaVersion(env: NodeJS.ProcessEnv = process.env): KafkaVersionInfo {
  const wanted = env['KAFKA_VERSION']?.trim() || DEFAULT_KAFKA_VERSION;
  const info = SUPPORTED_KAFKA_VERSIONS[wanted];
  if (!info) {
    throw new Error(
      `KAFKA_VERSION=${wanted} is not supported by the test bed; valid: ${Object.keys(SUPPORTED_KAFKA_VERSIONS).join(', ')}`,
    );
  }
  return info;
}
