/**
 * The client connection keys of Java's `MirrorClientConfig.CLIENT_CONFIG_DEF` (bootstrap, security
 * protocol, every client `ssl.*` and `sasl.*` key) as of Apache Kafka 4.1.2: name, type, Java default.
 * This set drives the security-key fan-out of cluster properties (facts §5.3), the filter on the
 * connectors' client configs (§5.5), and is part of every connector ConfigDef.
 *
 * Generated once from the 4.1.2 jar (`test/java/config-dump`, `ConfigDump --keys`); the Java
 * cross-check test re-checks it against Java's own ConfigDef.
 */
import type { KeyType } from './key-types.ts';

export const CLIENT_SECURITY_KEYS: readonly (readonly [name: string, type: KeyType, javaDefault: string | null])[] = [
  ['bootstrap.servers', 'list', null],
  ['sasl.client.callback.handler.class', 'class', null],
  ['sasl.jaas.config', 'password', null],
  ['sasl.kerberos.kinit.cmd', 'string', '/usr/bin/kinit'],
  ['sasl.kerberos.min.time.before.relogin', 'long', '60000'],
  ['sasl.kerberos.service.name', 'string', null],
  ['sasl.kerberos.ticket.renew.jitter', 'double', '0.05'],
  ['sasl.kerberos.ticket.renew.window.factor', 'double', '0.8'],
  ['sasl.login.callback.handler.class', 'class', null],
  ['sasl.login.class', 'class', null],
  ['sasl.login.connect.timeout.ms', 'int', null],
  ['sasl.login.read.timeout.ms', 'int', null],
  ['sasl.login.refresh.buffer.seconds', 'short', '300'],
  ['sasl.login.refresh.min.period.seconds', 'short', '60'],
  ['sasl.login.refresh.window.factor', 'double', '0.8'],
  ['sasl.login.refresh.window.jitter', 'double', '0.05'],
  ['sasl.login.retry.backoff.max.ms', 'long', '10000'],
  ['sasl.login.retry.backoff.ms', 'long', '100'],
  ['sasl.mechanism', 'string', 'GSSAPI'],
  ['sasl.oauthbearer.assertion.algorithm', 'string', 'RS256'],
  ['sasl.oauthbearer.assertion.claim.aud', 'string', null],
  ['sasl.oauthbearer.assertion.claim.exp.seconds', 'int', '300'],
  ['sasl.oauthbearer.assertion.claim.iss', 'string', null],
  ['sasl.oauthbearer.assertion.claim.jti.include', 'boolean', 'false'],
  ['sasl.oauthbearer.assertion.claim.nbf.seconds', 'int', '60'],
  ['sasl.oauthbearer.assertion.claim.sub', 'string', null],
  ['sasl.oauthbearer.assertion.file', 'string', null],
  ['sasl.oauthbearer.assertion.private.key.file', 'string', null],
  ['sasl.oauthbearer.assertion.private.key.passphrase', 'password', null],
  ['sasl.oauthbearer.assertion.template.file', 'string', null],
  ['sasl.oauthbearer.client.credentials.client.id', 'string', null],
  ['sasl.oauthbearer.client.credentials.client.secret', 'password', null],
  ['sasl.oauthbearer.clock.skew.seconds', 'int', '30'],
  ['sasl.oauthbearer.expected.audience', 'list', null],
  ['sasl.oauthbearer.expected.issuer', 'string', null],
  ['sasl.oauthbearer.header.urlencode', 'boolean', 'false'],
  ['sasl.oauthbearer.jwks.endpoint.refresh.ms', 'long', '3600000'],
  ['sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms', 'long', '10000'],
  ['sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', 'long', '100'],
  ['sasl.oauthbearer.jwks.endpoint.url', 'string', null],
  ['sasl.oauthbearer.jwt.retriever.class', 'class', 'org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever'],
  ['sasl.oauthbearer.jwt.validator.class', 'class', 'org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator'],
  ['sasl.oauthbearer.scope', 'string', null],
  ['sasl.oauthbearer.scope.claim.name', 'string', 'scope'],
  ['sasl.oauthbearer.sub.claim.name', 'string', 'sub'],
  ['sasl.oauthbearer.token.endpoint.url', 'string', null],
  ['security.protocol', 'string', 'PLAINTEXT'],
  ['ssl.cipher.suites', 'list', null],
  ['ssl.enabled.protocols', 'list', 'TLSv1.2,TLSv1.3'],
  ['ssl.endpoint.identification.algorithm', 'string', 'https'],
  ['ssl.engine.factory.class', 'class', null],
  ['ssl.key.password', 'password', null],
  ['ssl.keymanager.algorithm', 'string', 'SunX509'],
  ['ssl.keystore.certificate.chain', 'password', null],
  ['ssl.keystore.key', 'password', null],
  ['ssl.keystore.location', 'string', null],
  ['ssl.keystore.password', 'password', null],
  ['ssl.keystore.type', 'string', 'JKS'],
  ['ssl.protocol', 'string', 'TLSv1.3'],
  ['ssl.provider', 'string', null],
  ['ssl.secure.random.implementation', 'string', null],
  ['ssl.trustmanager.algorithm', 'string', 'PKIX'],
  ['ssl.truststore.certificates', 'password', null],
  ['ssl.truststore.location', 'string', null],
  ['ssl.truststore.password', 'password', null],
  ['ssl.truststore.type', 'string', 'JKS'],
];

export const CLIENT_SECURITY_KEY_NAMES: ReadonlySet<string> = new Set(CLIENT_SECURITY_KEYS.map(([name]) => name));

/** The `sasl.login.*` / `sasl.oauthbearer.*` keys the OAUTHBEARER client honours (src/kafka/oauth-token.ts). */
export const OAUTHBEARER_CLIENT_KEYS: readonly string[] = [
  'sasl.login.callback.handler.class',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.credentials.client.id',
  'sasl.oauthbearer.client.credentials.client.secret',
  'sasl.oauthbearer.scope',
  'sasl.oauthbearer.header.urlencode',
  'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter',
  'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds',
  'sasl.login.connect.timeout.ms',
  'sasl.login.read.timeout.ms',
];
