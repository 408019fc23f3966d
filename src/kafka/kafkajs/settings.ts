import type { KafkaConfig, RetryOptions, SASLOptions, logCreator } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../util/logger.ts';
import { sharedTokenSource } from '../oauth-token.ts';
import type { KafkaClientSettings } from '../port.ts';
import { socketFactoryReadingIntoOneBuffer } from './socket-reads.ts';

const KafkaLogLevel = kafkajs.logLevel;

/**
 * kafkajs log lines that report no problem of their own, demoted to debug. Each is either retry
 * progress or a copy of an error kafkajs also throws to its caller, where the port turns it into a
 * KafkaPortError naming the cluster, broker and operation and the caller retries or reports it
 * (once per change, not per attempt):
 *
 * - `Response <Api>(key: …)` (kafkajs ERROR, src/network/connection.js): every error response, e.g.
 *   "Topic creation errors" for topics that already exist (createTopics reports TOPIC_ALREADY_EXISTS
 *   as a result, not a failure) or "not the leader" / "leader not available" during leader moves
 *   (kafkajs refreshes metadata and retries).
 * - `Could not <operation>` (kafkajs WARN, src/admin/index.js): NOT_CONTROLLER and the like, retried.
 * - `Failed to connect to seed broker, trying another broker…` / `Failed to connect to broker,
 *   reconnecting` (src/cluster/brokerPool.js) and `Connection error: …` / `Connection timeout`
 *   (src/network/connection.js): one line per attempt while a broker restarts or is unreachable;
 *   the last attempt's failure reaches the caller.
 *
 * Anything else keeps its level: kafkajs ERROR → warn (its errors reach callers, who log them as
 * errors), WARN → info, the rest → debug.
 */
const BENIGN_KAFKAJS_LINES: readonly RegExp[] = [
  /^Response \w+\(key: \d+/,
  /^Could not (create topics|delete topics|describe configs|alter configs|create ACL|describe ACL)/,
  /^Failed to connect to seed broker, trying another broker from the list/,
  /^Failed to connect to broker, reconnecting/,
  /^Connection error: /,
  /^Connection timeout$/,
];

/** Whether a kafkajs log line is chatter rather than a problem ({@link BENIGN_KAFKAJS_LINES}). */
export function isBenignKafkajsLine(message: unknown): boolean {
  return typeof message === 'string' && BENIGN_KAFKAJS_LINES.some((pattern) => pattern.test(message));
}

/** Routes kafkajs's own log lines into the appliance's pino logger. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...rest } = log;
      const fields = { kafkajs: namespace || 'kafkajs', broker: rest['broker'], error: rest['error'] };
      if (isBenignKafkajsLine(message)) logger.debug(fields, message);
      else if (level === KafkaLogLevel.ERROR) logger.warn(fields, message);
      else if (level === KafkaLogLevel.WARN) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

/** The Node TLS options of `settings`: `undefined` without TLS, `true` for Node's defaults. */
export function tlsOptions(settings: KafkaClientSettings): ConnectionOptions | true | undefined {
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
  if (tls.minVersion) options.minVersion = tls.minVersion;
  if (tls.maxVersion) options.maxVersion = tls.maxVersion;
  if (tls.ciphers) options.ciphers = tls.ciphers;
  return options;
}

function saslOptions(settings: KafkaClientSettings): SASLOptions | undefined {
  const usesSasl = settings.securityProtocol === 'SASL_PLAINTEXT' || settings.securityProtocol === 'SASL_SSL';
  const sasl = settings.sasl;
  if (!usesSasl || !sasl) return undefined;
  if (sasl.mechanism === 'OAUTHBEARER') {
    const source = sharedTokenSource(sasl);
    // kafkajs asks at every authentication (each new connection).
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: (await source.token()).value }) };
  }
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/**
 * kafkajs's production backoff shape (src/retry/defaults.js), stated so that it does not depend on
 * NODE_ENV: with NODE_ENV=test (vitest sets it) kafkajs silently switches to a faster curve
 * (multiplier 1.5, jitter 2 %), and tests would time something else than production runs.
 */
const BACKOFF_SHAPE = { factor: 0.2, multiplier: 2 } as const;

/**
 * kafkajs's retry of connecting and of metadata (its Cluster and BrokerPool): a few quick attempts,
 * ~2.5 s in all, then the error reaches the port's caller. A broker that refuses connections or a
 * TLS handshake that can never succeed then fails the call within seconds, and the caller (the
 * source task, the route supervisor) retries on its own backoff and reports the cause; kafkajs's
 * former 8 retries up to 10 s kept a call quiet for about a minute per attempt.
 */
export function clusterRetry(settings: KafkaClientSettings): RetryOptions {
  return { ...BACKOFF_SHAPE, initialRetryTime: settings.retryBackoffMs ?? 100, retries: 5, maxRetryTime: 1_000 };
}

/**
 * kafkajs's retry of an admin operation's own errors (NOT_CONTROLLER, a coordinator loading, a
 * topic not yet known to every broker): as before, 8 retries up to 10 s. A connection that cannot
 * be made is not retried again here: kafkajs reports it as non-retriable once {@link clusterRetry}
 * gave up.
 */
export function adminRetry(settings: KafkaClientSettings): RetryOptions {
  return { ...BACKOFF_SHAPE, initialRetryTime: settings.retryBackoffMs ?? 100, retries: 8, maxRetryTime: 10_000 };
}

/** A threshold no session reaches: kafkajs compares `elapsed + threshold >= lifetime`. */
const NEVER_REAUTHENTICATE = -Number.MAX_SAFE_INTEGER;

/** The kafkajs client configuration for one cluster's settings. */
export function kafkajsConfig(settings: KafkaClientSettings, logger: Logger): KafkaConfig {
  const ssl = tlsOptions(settings);
  const sasl = saslOptions(settings);
  return {
    clientId: settings.clientId,
    brokers: settings.bootstrapServers,
    connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    retry: clusterRetry(settings),
    logLevel: KafkaLogLevel.INFO,
    logCreator: pinoLogCreator(logger),
    socketFactory: socketFactoryReadingIntoOneBuffer(),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
    // kafkajs re-authenticates a connection (KIP-368) 10 s before the session lifetime the broker
    // returned, which for OAUTHBEARER is the token's expiry; brokers answer that re-authentication
    // with ILLEGAL_SASL_STATE, and the connection fails every request until it is closed. Without
    // it the broker closes the connection when the session ends and kafkajs reconnects, logging
    // in with a fresh token (oauth-token.ts refreshes it before expiry).
    ...(settings.sasl?.mechanism === 'OAUTHBEARER' ? { reauthenticationThreshold: NEVER_REAUTHENTICATE } : {}),
  };
}
