import type { KafkaClientSettings, SaslMechanism, SecurityProtocol, TlsSettings } from '../kafka/port.ts';
import { loadKeyMaterial } from './key-material.ts';
import { parseJavaList } from './keys/key-types.ts';

/**
 * Java client properties → the Kafka port's KafkaClientSettings. Key and trust stores are read by
 * key-material.ts. What Node cannot honour (GSSAPI, OAUTHBEARER, Java-only tuning) is reported, never silently dropped:
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
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push({
        severity: 'error',
        key: 'sasl.mechanism',
        message: `sasl.mechanism ${mechanism} is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
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
