/**
 * Faults of a client's own security setup that no retry can fix: the broker's certificate is not
 * trusted, the broker rejects ours, the key cannot be read, the credentials are wrong. Java's
 * client raises them as SslAuthenticationException / SaslAuthenticationException, both
 * non-retriable (`org.apache.kafka.common.errors.AuthenticationException`); a network client that
 * kept retrying them would hide a configuration mistake behind a minute of "connection errors".
 *
 * The description is in Kafka's and the operator's terms and names the config keys to check. It
 * never repeats Node's or OpenSSL's text: that text suggests Node flags (`--use-system-ca`,
 * `--openssl-legacy-provider`) which are no fix for a mirror's trust store or key.
 */

export interface SecurityFault {
  /** `ERR_KAFKA_TLS` or `ERR_KAFKA_AUTHENTICATION`. */
  code: string;
  /** What failed, in Kafka's terms (`TLS: certificate not trusted`, `authentication failed`). */
  cause: string;
  /** Why, in a sentence an operator can act on. */
  explanation: string;
  /** Client config keys to check (Java names). */
  keys: readonly string[];
  /** The Node/OpenSSL error code behind it, for the details (a code, never the text). */
  reason?: string;
  /**
   * The client library's own words, when they are Kafka's and safe to show: kafkajs's SASL
   * authenticators quote the broker's error message (never the password). TLS texts are not kept.
   */
  said?: string;
}

const TRUST_KEYS = ['ssl.truststore.location', 'ssl.truststore.certificates'];
const KEYSTORE_KEYS = ['ssl.keystore.location', 'ssl.keystore.certificate.chain', 'ssl.keystore.key'];

type FaultTemplate = Omit<SecurityFault, 'reason'>;

const NOT_TRUSTED: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: certificate not trusted',
  explanation: "the broker's certificate is not signed by a CA in the client's trust store",
  keys: TRUST_KEYS,
};

const SELF_SIGNED: FaultTemplate = {
  ...NOT_TRUSTED,
  explanation: "the broker's certificate (or its chain) is self-signed and not in the client's trust store",
};

const EXPIRED: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: certificate not valid now',
  explanation: "the broker's certificate (or one in its chain) has expired or is not valid yet",
  keys: TRUST_KEYS,
};

const HOST_MISMATCH: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: certificate does not match the broker address',
  explanation:
    "the broker's certificate does not name the host in bootstrap.servers / the advertised listener (Java's ssl.endpoint.identification.algorithm = https check)",
  keys: ['bootstrap.servers', 'ssl.endpoint.identification.algorithm'],
};

const REJECTED: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: client certificate rejected by the broker',
  explanation:
    "the broker does not accept the client's certificate (not signed by a CA the broker trusts, or expired), or got none while its listener requires one (ssl.client.auth = required; Java brokers answer a missing certificate with this alert too)",
  keys: KEYSTORE_KEYS,
};

const REQUIRED: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: client certificate required by the broker',
  explanation: 'the broker requires a client certificate (ssl.client.auth = required) and none was sent',
  keys: KEYSTORE_KEYS,
};

const BAD_PASSPHRASE: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: cannot decrypt the private key',
  explanation: 'the private key is encrypted and the password given for it is wrong or missing',
  keys: ['ssl.key.password', 'ssl.keystore.password'],
};

const UNREADABLE_KEY: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: unreadable key material',
  explanation:
    'a certificate or private key is not valid PEM, is of an unsupported kind, or the key does not belong to the certificate',
  keys: [...KEYSTORE_KEYS, ...TRUST_KEYS],
};

const PROTOCOL_MISMATCH: FaultTemplate = {
  code: 'ERR_KAFKA_TLS',
  cause: 'TLS: handshake failed',
  explanation:
    'the TLS handshake with the broker failed: the listener may not speak TLS, or the two sides share no protocol version or cipher',
  keys: ['security.protocol', 'bootstrap.servers', 'ssl.enabled.protocols'],
};

const AUTHENTICATION: FaultTemplate = {
  code: 'ERR_KAFKA_AUTHENTICATION',
  cause: 'authentication failed',
  explanation:
    'the broker did not accept the SASL login (wrong user name or password, unknown user, or a mechanism the listener does not enable)',
  keys: ['sasl.jaas.config', 'sasl.mechanism'],
};

const NO_TOKEN: FaultTemplate = {
  code: 'ERR_KAFKA_AUTHENTICATION',
  cause: 'authentication failed: no OAUTHBEARER token',
  explanation: 'the token endpoint did not give a usable token (see its answer below)',
  keys: ['sasl.oauthbearer.token.endpoint.url', 'sasl.jaas.config'],
};

/**
 * Our code for an encrypted private key that does not open with the passphrase given, whatever
 * OpenSSL said of it (connection.ts `tlsMaterialError`).
 */
export const ENCRYPTED_KEY_DOES_NOT_OPEN = 'ERR_ENCRYPTED_KEY_DOES_NOT_OPEN';

/**
 * Node's TLS error codes (`err.code`: OpenSSL's `X509_V_ERR_*` verify results, which Node names
 * without the prefix, and `ERR_SSL_*` / `ERR_OSSL_*` for alerts and key errors), by fault.
 */
const BY_CODE = new Map<string, FaultTemplate>([
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', NOT_TRUSTED],
  ['UNABLE_TO_GET_ISSUER_CERT', NOT_TRUSTED],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', NOT_TRUSTED],
  ['CERT_UNTRUSTED', NOT_TRUSTED],
  ['CERT_SIGNATURE_FAILURE', NOT_TRUSTED],
  ['UNABLE_TO_DECRYPT_CERT_SIGNATURE', NOT_TRUSTED],
  ['UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', NOT_TRUSTED],
  ['CERT_CHAIN_TOO_LONG', NOT_TRUSTED],
  ['INVALID_CA', NOT_TRUSTED],
  ['CERT_REJECTED', NOT_TRUSTED],
  ['CERT_REVOKED', NOT_TRUSTED],
  ['INVALID_PURPOSE', NOT_TRUSTED],
  ['PATH_LENGTH_EXCEEDED', NOT_TRUSTED],
  ['UNABLE_TO_GET_CRL', NOT_TRUSTED],
  ['UNABLE_TO_DECRYPT_CRL_SIGNATURE', NOT_TRUSTED],
  ['CRL_SIGNATURE_FAILURE', NOT_TRUSTED],
  ['CRL_NOT_YET_VALID', NOT_TRUSTED],
  ['CRL_HAS_EXPIRED', NOT_TRUSTED],
  ['ERROR_IN_CERT_NOT_BEFORE_FIELD', NOT_TRUSTED],
  ['ERROR_IN_CERT_NOT_AFTER_FIELD', NOT_TRUSTED],
  ['ERROR_IN_CRL_LAST_UPDATE_FIELD', NOT_TRUSTED],
  ['ERROR_IN_CRL_NEXT_UPDATE_FIELD', NOT_TRUSTED],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', SELF_SIGNED],
  ['SELF_SIGNED_CERT_IN_CHAIN', SELF_SIGNED],
  ['CERT_HAS_EXPIRED', EXPIRED],
  ['CERT_NOT_YET_VALID', EXPIRED],
  ['ERR_TLS_CERT_ALTNAME_INVALID', HOST_MISMATCH],
  ['HOSTNAME_MISMATCH', HOST_MISMATCH],
  ['ERR_SSL_TLSV1_ALERT_BAD_CERTIFICATE', REJECTED],
  ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', REJECTED],
  ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', REJECTED],
  ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', REJECTED],
  ['ERR_SSL_TLSV1_ALERT_CERTIFICATE_UNKNOWN', REJECTED],
  ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', REJECTED],
  ['ERR_SSL_TLSV1_ALERT_CERTIFICATE_EXPIRED', REJECTED],
  ['ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', REJECTED],
  ['ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', REJECTED],
  ['ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR', REJECTED],
  // OpenSSL 3 names the alerts of TLS 1.3 handshakes `SSL/TLS_ALERT_*`.
  ['ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_UNKNOWN_CA', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_EXPIRED', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_UNSUPPORTED_CERTIFICATE', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_ACCESS_DENIED', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_DECRYPT_ERROR', REJECTED],
  ['ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_REQUIRED', REQUIRED],
  ['ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', PROTOCOL_MISMATCH],
  ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', REQUIRED],
  ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', REQUIRED],
  [ENCRYPTED_KEY_DOES_NOT_OPEN, BAD_PASSPHRASE],
  ['ERR_OSSL_BAD_DECRYPT', BAD_PASSPHRASE],
  ['ERR_OSSL_EVP_BAD_DECRYPT', BAD_PASSPHRASE],
  ['ERR_OSSL_PEM_BAD_DECRYPT', BAD_PASSPHRASE],
  ['ERR_OSSL_PEM_NO_START_LINE', UNREADABLE_KEY],
  ['ERR_OSSL_PEM_BAD_BASE64_DECODE', UNREADABLE_KEY],
  ['ERR_OSSL_PEM_BAD_END_LINE', UNREADABLE_KEY],
  ['ERR_OSSL_UNSUPPORTED', UNREADABLE_KEY],
  ['ERR_OSSL_X509_KEY_VALUES_MISMATCH', UNREADABLE_KEY],
  ['ERR_OSSL_EVP_UNSUPPORTED', UNREADABLE_KEY],
  ['ERR_SSL_WRONG_VERSION_NUMBER', PROTOCOL_MISMATCH],
  ['ERR_SSL_UNSUPPORTED_PROTOCOL', PROTOCOL_MISMATCH],
  ['ERR_SSL_NO_PROTOCOLS_AVAILABLE', PROTOCOL_MISMATCH],
  ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', PROTOCOL_MISMATCH],
  ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', PROTOCOL_MISMATCH],
]);

/**
 * The same faults by OpenSSL's text, for the one path that loses the code: kafkajs turns an error
 * thrown while it creates the socket (the TLS context: key and certificates) into
 * `Failed to connect: <message>` without `code`.
 */
const BY_TEXT: readonly [RegExp, FaultTemplate][] = [
  [/bad decrypt/i, BAD_PASSPHRASE],
  [/no start line|bad base64 decode|DECODER routines::unsupported|key values mismatch/i, UNREADABLE_KEY],
  [/self[- ]signed certificate/i, SELF_SIGNED],
  [/unable to (verify the first certificate|get local issuer certificate|get issuer certificate)/i, NOT_TRUSTED],
  [/Hostname\/IP does not match certificate/i, HOST_MISMATCH],
  [/alert certificate required/i, REQUIRED],
  [/alert (bad certificate|unknown ca|certificate unknown)/i, REJECTED],
];

/** The error fields read here (kafkajs errors, Node errors). */
interface FaultNode {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * The security fault anywhere in an error graph (outermost first), if there is one. Codes win
 * over texts: a retrier's wrapper repeats the message of the error it wraps, not its code.
 */
export function securityFaultIn(nodes: readonly FaultNode[]): SecurityFault | undefined {
  for (const node of nodes) {
    // oauth-token.ts: its messages name the endpoint and the HTTP status, never a secret.
    if (node.name === 'OAuthTokenError') {
      return typeof node.message === 'string' ? { ...NO_TOKEN, said: node.message } : { ...NO_TOKEN };
    }
    if (node.name === 'KafkaJSSASLAuthenticationError') {
      return typeof node.message === 'string' ? { ...AUTHENTICATION, said: node.message } : { ...AUTHENTICATION };
    }
    const code = typeof node.code === 'string' ? node.code : undefined;
    if (code === undefined) continue;
    const byCode = BY_CODE.get(code);
    if (byCode) return { ...byCode, reason: code };
    if (/^ERR_(SSL|TLS|OSSL)_/.test(code)) return { ...PROTOCOL_MISMATCH, reason: code };
  }
  for (const node of nodes) {
    if (typeof node.message !== 'string') continue;
    for (const [pattern, fault] of BY_TEXT) if (pattern.test(node.message)) return { ...fault };
  }
  return undefined;
}

/**
 * Kafka's authorization errors (`*_AUTHORIZATION_FAILED`): the principal lacks an ACL. Kafka marks
 * them non-retriable; the hint says where the principal comes from.
 */
export function authorizationHint(kafkaErrorName: string): string | undefined {
  if (!kafkaErrorName.endsWith('_AUTHORIZATION_FAILED')) return undefined;
  return "the client's principal lacks an ACL for this operation; check the ACLs granted to the user of sasl.jaas.config (or the certificate of ssl.keystore.location)";
}
