import type { KafkaConfig, SASLOptions, logCreator } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../util/logger.ts';
import type { KafkaClientSettings } from '../port.ts';

const KafkaLogLevel = kafkajs.logLevel;

/** Routes kafkajs's own log lines into the appliance's pino logger (kafkajs INFO is chatty: debug). */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      const fields = { kafkajs: rest['logger'] ?? 'kafkajs', broker: rest['broker'], error: rest['error'] };
      if (level === KafkaLogLevel.ERROR) logger.warn(fields, message);
      else if (level === KafkaLogLevel.WARN) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

function tlsOptions(settings: KafkaClientSettings): ConnectionOptions | boolean | undefined {
  const usesTls = settings.securityProtocol === 'SSL' || settings.securityProtocol === 'SASL_SSL';
  if (!usesTls) return undefined;
  const tls = settings.tls;
  if (!tls) return true;
  const options: ConnectionOptions = { rejectUnauthorized: true };
  if (tls.ca) options.ca = [tls.ca];
  if (tls.cert) options.cert = tls.cert;
  if (tls.key) options.key = tls.key;
  if (tls.passphrase) options.passphrase = tls.passphrase;
  if (!tls.checkServerIdentity) options.checkServerIdentity = () => undefined;
  return options;
}

function saslOptions(settings: KafkaClientSettings): SASLOptions | undefined {
  const usesSasl = settings.securityProtocol === 'SASL_PLAINTEXT' || settings.securityProtocol === 'SASL_SSL';
  if (!usesSasl || !settings.sasl) return undefined;
  const { username, password } = settings.sasl;
  switch (settings.sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/** The kafkajs client configuration for one cluster's settings. */
export function kafkajsConfig(settings: KafkaClientSettings, logger: Logger): KafkaConfig {
  const ssl = tlsOptions(settings);
  const sasl = saslOptions(settings);
  return {
    clientId: settings.clientId,
    brokers: settings.bootstrapServers,
    connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: settings.retryBackoffMs ?? 100, retries: 8, maxRetryTime: 10_000 },
    logLevel: KafkaLogLevel.INFO,
    logCreator: pinoLogCreator(logger),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  };
}
