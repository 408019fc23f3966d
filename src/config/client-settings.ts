import type {
  KafkaClientSettings,
  OAuthBearerSettings,
  SaslMechanism,
  SecurityProtocol,
  TlsSettings,
} from '../kafka/port.ts';
import { loadKeyMaterial } from './key-material.ts';
import { OAUTHBEARER_CLIENT_KEYS } from './keys/client-security-keys.ts';
import { parseJavaList } from './keys/key-types.ts';

/**
 * Java client properties → the Kafka port's KafkaClientSettings. Key and trust stores are read by
 * key-material.ts. What Node cannot honour (GSSAPI, Java-only tuning) is reported, never silently dropped:
 * an `error` problem when the connection could not work as configured, a `warning` when only a
 * tuning knob is lost.
 */

export interface ClientSettingProblem {
  readonly severity: 'error' | 'warning';
  readonly key: string;
  readonly message: string;
}

export interface ClientSettingsResult {
  readonly settings: KafkaClientSettings;
  readonly problems: readonly ClientSettingProblem[];
}

const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Java-only client keys that have no effect here: tuning lost, connection still works. */
const JAVA_ONLY_TLS = [
  'ssl.provider',
  'ssl.engine.factory.class',
  'ssl.secure.random.implementation',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
];

/**
 * Parses `sasl.jaas.config` (`<LoginModule> <flag> key="value" ...;`) for username and password.
 * Returns undefined when the line has neither.
 */
export function parseJaasConfig(jaas: string): { loginModule: string; options: Map<string, string> } | undefined {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*(.*?);?\s*$/s.exec(jaas);
  if (!m) return undefined;
  const options = new Map<string, string>();
  const body = m[3] ?? '';
  const option = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/g;
  for (const o of body.matchAll(option)) {
    const quoted = o[2];
    options.set(o[1] ?? '', quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (o[3] ?? ''));
  }
  return { loginModule: m[1] ?? '', options };
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/**
 * Java's `ssl.enabled.protocols` as Node's version range. Node (OpenSSL 3 at its default security
 * level) speaks TLS 1.2 and 1.3 only, so older versions in the list are dropped with a warning,
 * and a list with a gap cannot be a range: the range covers the gap, with a warning.
 */
function protocolRange(props: ReadonlyMap<string, string>, tls: TlsSettings, problems: ClientSettingProblem[]): void {
  const raw = props.get('ssl.enabled.protocols');
  if (raw === undefined) return;
  const key = 'ssl.enabled.protocols';
  const listed = parseJavaList(raw).filter((p) => p !== '');
  const unknown = listed.filter((p) => !(TLS_VERSIONS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    problems.push({
      severity: 'error',
      key,
      message: `${key}: unknown protocol ${unknown.join(', ')}: valid values are ${TLS_VERSIONS.join(', ')}`,
    });
    return;
  }
  const usable = listed.filter((p): p is 'TLSv1.2' | 'TLSv1.3' => p === 'TLSv1.2' || p === 'TLSv1.3');
  if (usable.length < listed.length) {
    problems.push({
      severity: usable.length === 0 ? 'error' : 'warning',
      key,
      message: `${key}: ${listed.filter((p) => !usable.includes(p as 'TLSv1.2')).join(', ')} cannot be used here (Node speaks TLSv1.2 and TLSv1.3)`,
    });
  }
  if (usable.length === 0) return;
  tls.minVersion = usable.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3';
  tls.maxVersion = usable.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2';
}

/**
 * Java's `ssl.cipher.suites`. TLS 1.3 suites have one name in Java and OpenSSL
 * (`TLS_AES_128_GCM_SHA256`), and are honoured; TLS 1.2 suites have IANA names in Java and other
 * names in OpenSSL, so a list with them is not applied (a warning): Node's defaults stay.
 */
function cipherSuites(props: ReadonlyMap<string, string>, tls: TlsSettings, problems: ClientSettingProblem[]): void {
  const raw = props.get('ssl.cipher.suites');
  if (raw === undefined) return;
  const suites = parseJavaList(raw).filter((s) => s !== '');
  if (suites.length === 0) return;
  const tls13 =
    /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_CCM_SHA256|AES_128_CCM_8_SHA256)$/;
  if (suites.every((s) => tls13.test(s))) {
    tls.ciphers = suites.join(':');
    return;
  }
  problems.push({
    severity: 'warning',
    key: 'ssl.cipher.suites',
    message:
      'ssl.cipher.suites names TLS 1.2 suites by their Java (IANA) names, which Node cannot apply: the default OpenSSL suites are used; list only TLS 1.3 suites to restrict them',
  });
}

function tlsSettings(props: ReadonlyMap<string, string>, problems: ClientSettingProblem[]): TlsSettings {
  const tls: TlsSettings = {
    checkServerIdentity: (props.get('ssl.endpoint.identification.algorithm') ?? 'https').trim() !== '',
  };
  const { material, problems: materialProblems } = loadKeyMaterial(props);
  problems.push(...materialProblems);
  if (material.ca) tls.ca = material.ca.join('');
  if (material.cert && material.key) {
    tls.cert = material.cert;
    tls.key = material.key;
  }
  protocolRange(props, tls, problems);
  cipherSuites(props, tls, problems);
  for (const k of JAVA_ONLY_TLS) {
    if (props.has(k))
      problems.push({ severity: 'warning', key: k, message: `${k} is a Java-only TLS setting and has no effect here` });
  }
  return tls;
}

/** Java's OIDC login callback handler (3.x `secured` package and 4.x), mapped to the client-credentials token source. */
const OAUTH_LOGIN_HANDLERS = new Set([
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler',
]);

function numberOr(
  props: ReadonlyMap<string, string>,
  key: string,
  fallback: number,
  problems: ClientSettingProblem[],
): number {
  const raw = props.get(key);
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isFinite(n) || n < 0) {
    problems.push({ severity: 'error', key, message: `${key} = ${raw}: expected a non-negative number` });
    return fallback;
  }
  return n;
}

/**
 * SASL/OAUTHBEARER as Java's OIDC client-credentials login (KIP-768): the token endpoint, the
 * client id, secret and scope from the `sasl.oauthbearer.client.credentials.*` / `scope` keys
 * (KIP-1139) or, as before, from `sasl.jaas.config` (`clientId`, `clientSecret`, `scope`), and
 * Java's refresh timing. Java's unsecured development tokens (no token endpoint) are not offered.
 */
function oauthBearerSettings(
  props: ReadonlyMap<string, string>,
  problems: ClientSettingProblem[],
  honoured: Set<string>,
): OAuthBearerSettings | undefined {
  for (const k of OAUTHBEARER_CLIENT_KEYS) honoured.add(k);
  const handler = props.get('sasl.login.callback.handler.class')?.trim();
  if (handler !== undefined && handler !== '' && !OAUTH_LOGIN_HANDLERS.has(handler)) {
    problems.push({
      severity: 'error',
      key: 'sasl.login.callback.handler.class',
      message: `sasl.login.callback.handler.class ${handler} is not supported: use org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler`,
    });
    return undefined;
  }
  const url = props.get('sasl.oauthbearer.token.endpoint.url')?.trim();
  if (!url) {
    problems.push({
      severity: 'error',
      key: 'sasl.oauthbearer.token.endpoint.url',
      message:
        "sasl.oauthbearer.token.endpoint.url is not set: OAUTHBEARER needs the identity provider's token endpoint (Java's unsecured development tokens are not supported)",
    });
    return undefined;
  }
  if (!/^(https?|file):/i.test(url)) {
    problems.push({
      severity: 'error',
      key: 'sasl.oauthbearer.token.endpoint.url',
      message: `sasl.oauthbearer.token.endpoint.url ${url}: expected an https:, http: or file: URL`,
    });
    return undefined;
  }
  const jaas = props.get('sasl.jaas.config');
  const options = (jaas === undefined ? undefined : parseJaasConfig(jaas))?.options;
  const clientId = props.get('sasl.oauthbearer.client.credentials.client.id') ?? options?.get('clientId');
  const clientSecret = props.get('sasl.oauthbearer.client.credentials.client.secret') ?? options?.get('clientSecret');
  const scope = props.get('sasl.oauthbearer.scope') ?? options?.get('scope');
  const fromFile = /^file:/i.test(url);
  if (!fromFile && (clientId === undefined || clientSecret === undefined)) {
    problems.push({
      severity: 'error',
      key: 'sasl.jaas.config',
      message:
        'OAUTHBEARER needs a client id and secret: clientId="..." clientSecret="..." in sasl.jaas.config (OAuthBearerLoginModule), or sasl.oauthbearer.client.credentials.client.id / .client.secret',
    });
    return undefined;
  }
  const connectMs = numberOr(props, 'sasl.login.connect.timeout.ms', 10_000, problems);
  const readMs = numberOr(props, 'sasl.login.read.timeout.ms', 10_000, problems);
  return {
    mechanism: 'OAUTHBEARER',
    tokenEndpointUrl: url,
    clientId: clientId ?? '',
    clientSecret: clientSecret ?? '',
    ...(scope !== undefined && scope !== '' ? { scope } : {}),
    headerUrlencode: (props.get('sasl.oauthbearer.header.urlencode') ?? 'false').trim().toLowerCase() === 'true',
    refreshWindowFactor: numberOr(props, 'sasl.login.refresh.window.factor', 0.8, problems),
    refreshWindowJitter: numberOr(props, 'sasl.login.refresh.window.jitter', 0.05, problems),
    refreshMinPeriodSeconds: numberOr(props, 'sasl.login.refresh.min.period.seconds', 60, problems),
    refreshBufferSeconds: numberOr(props, 'sasl.login.refresh.buffer.seconds', 300, problems),
    requestTimeoutMs: connectMs + readMs,
  };
}

function positiveInt(
  props: ReadonlyMap<string, string>,
  key: string,
  problems: ClientSettingProblem[],
): number | undefined {
  const raw = props.get(key);
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0) {
    problems.push({
      severity: 'error',
      key,
      message: `${key} = ${raw}: expected a non-negative whole number of milliseconds`,
    });
    return undefined;
  }
  return n;
}

/** Maps one client config (already resolved, e.g. from connectorClientConfig) to the Kafka port. */
export function toKafkaClientSettings(props: ReadonlyMap<string, string>): ClientSettingsResult {
  const problems: ClientSettingProblem[] = [];
  const bootstrapServers = parseJavaList(props.get('bootstrap.servers') ?? '').filter((s) => s !== '');
  if (bootstrapServers.length === 0) {
    problems.push({
      severity: 'error',
      key: 'bootstrap.servers',
      message: 'bootstrap.servers is not set for this cluster',
    });
  }
  const protocolRaw = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  let securityProtocol: SecurityProtocol = 'PLAINTEXT';
  if ((PROTOCOLS as readonly string[]).includes(protocolRaw)) securityProtocol = protocolRaw as SecurityProtocol;
  else
    problems.push({
      severity: 'error',
      key: 'security.protocol',
      message: `security.protocol ${protocolRaw}: expected one of ${PROTOCOLS.join(', ')}`,
    });

  const settings: KafkaClientSettings = {
    clientId: props.get('client.id') ?? '',
    bootstrapServers,
    securityProtocol,
  };
  if (securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL') {
    const mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').trim().toUpperCase();
    const honoured = new Set<string>();
    if (mechanism === 'OAUTHBEARER') {
      const oauth = oauthBearerSettings(props, problems, honoured);
      if (oauth) settings.sasl = oauth;
    } else if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push({
        severity: 'error',
        key: 'sasl.mechanism',
        message: `sasl.mechanism ${mechanism} is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
      });
    } else {
      const jaas = props.get('sasl.jaas.config');
      const parsed = jaas === undefined ? undefined : parseJaasConfig(jaas);
      const username = parsed?.options.get('username');
      const password = parsed?.options.get('password');
      if (username === undefined || password === undefined) {
        problems.push({
          severity: 'error',
          key: 'sasl.jaas.config',
          message: `sasl.jaas.config must be a login module line with username="..." and password="..." for ${mechanism}`,
        });
      } else {
        settings.sasl = { mechanism: mechanism as SaslMechanism, username, password };
      }
    }
    for (const k of props.keys()) {
      if (honoured.has(k)) continue;
      if (/^sasl\.(kerberos|oauthbearer|login)\./.test(k) || k === 'sasl.client.callback.handler.class') {
        problems.push({
          severity: 'warning',
          key: k,
          message: `${k} is a Java-only SASL setting and has no effect here`,
        });
      }
    }
  }
  if (securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL') settings.tls = tlsSettings(props, problems);

  const requestTimeoutMs = positiveInt(props, 'request.timeout.ms', problems);
  if (requestTimeoutMs !== undefined) settings.requestTimeoutMs = requestTimeoutMs;
  const connectionTimeoutMs = positiveInt(props, 'socket.connection.setup.timeout.ms', problems);
  if (connectionTimeoutMs !== undefined) settings.connectionTimeoutMs = connectionTimeoutMs;
  const retryBackoffMs = positiveInt(props, 'retry.backoff.ms', problems);
  if (retryBackoffMs !== undefined) settings.retryBackoffMs = retryBackoffMs;
  return { settings, problems };
}
