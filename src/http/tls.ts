import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { ConfigError } from '../util/errors.ts';

/**
 * The TLS settings of an HTTPS listener, read the way Kafka Connect's REST server reads them
 * (SSLUtils.createServerSideSslContextFactory with `valuesWithPrefixAllOrNothing`): when any
 * `listeners.https.*` key is set, only the `listeners.https.ssl.*` keys count; otherwise the
 * top-level `ssl.*` keys (which Java MM2 also gives every Kafka client) do.
 *
 * Stores are PEM (`ssl.keystore.location`, or inline `ssl.keystore.certificate.chain` +
 * `ssl.keystore.key`), or JKS / PKCS12 files read by the Kafka clients' loader
 * (src/config/key-material.ts, with `ssl.keystore.password`, `ssl.key.password`,
 * `ssl.truststore.password`). A store that cannot be read is a start-up error naming the key,
 * never an HTTPS listener without its certificate.
 */

export const HTTPS_PREFIX = 'listeners.https.';

/**
 * Reads a JKS or PKCS12 store from Java's `ssl.*` keys (prefix removed): the Kafka clients' loader
 * (src/config/key-material.ts), handed in by the caller (http/ does not import config/). PEM out,
 * with every problem found naming its key.
 */
export type JavaStoreLoader = (props: ReadonlyMap<string, string>) => {
  material: { key?: string; cert?: string; ca?: string[] };
  problems: readonly { severity: 'error' | 'warning'; key: string; message: string }[];
};

export type ClientAuth = 'none' | 'requested' | 'required';

/** What `https.createServer` needs, plus the client-auth mode for the `requested` check. */
export interface HttpsServerOptions {
  readonly key: string;
  readonly cert: string;
  readonly passphrase?: string;
  /** PEM CA certificates client certificates are checked against. */
  readonly ca?: string;
  readonly clientAuth: ClientAuth;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
}

/** The TLS keys an HTTPS listener reads (without prefix), for the key table and docs. */
export const HTTPS_SSL_KEYS: readonly string[] = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.client.auth',
  'ssl.enabled.protocols',
];

const PROTOCOLS: readonly SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Reads the HTTPS settings. `value(key)` gives a top-level value with config-provider
 * placeholders resolved; `keys()` lists the keys the file sets (for the all-or-nothing prefix
 * rule). Throws a ConfigError naming the key (as written, with its prefix) and what would be valid;
 * messages never carry key material or passwords.
 */
export function httpsServerOptions(
  value: (key: string) => string | undefined,
  keys: () => Iterable<string>,
  loadStore?: JavaStoreLoader,
): HttpsServerOptions {
  const prefixed = [...keys()].some((k) => k.startsWith(HTTPS_PREFIX));
  const prefix = prefixed ? HTTPS_PREFIX : '';
  const name = (k: string): string => `${prefix}${k}`;
  const get = (k: string): string | undefined => {
    const v = value(name(k));
    return v === undefined ? undefined : v;
  };
  const stores = { get, name, loadStore };

  const { key, cert } = keyStore(stores);
  const passphrase = get('ssl.key.password') ?? get('ssl.keystore.password');
  const ca = trustStore(stores);

  const clientAuthRaw = (get('ssl.client.auth') ?? 'none').trim().toLowerCase();
  if (clientAuthRaw !== 'none' && clientAuthRaw !== 'requested' && clientAuthRaw !== 'required') {
    throw new ConfigError(`${name('ssl.client.auth')} = ${clientAuthRaw}: expected required, requested or none`, {
      key: name('ssl.client.auth'),
    });
  }
  const clientAuth: ClientAuth = clientAuthRaw;
  if (clientAuth !== 'none' && ca === undefined) {
    throw new ConfigError(
      `${name('ssl.client.auth')} = ${clientAuth} needs the CA certificates client certificates are checked against: set ${name('ssl.truststore.location')} (PEM) or ${name('ssl.truststore.certificates')}`,
      { key: name('ssl.client.auth') },
    );
  }

  const versions = enabledProtocols(get('ssl.enabled.protocols'), name('ssl.enabled.protocols'));
  const options: HttpsServerOptions = {
    key,
    cert,
    clientAuth,
    ...(passphrase !== undefined && passphrase !== '' ? { passphrase } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...versions,
  };
  try {
    // Fail at start-up, naming the key, when the key does not open or does not match the chain.
    createSecureContext(options);
  } catch (err) {
    const reason = (err as { message?: string }).message ?? 'unusable';
    throw new ConfigError(
      `the HTTPS key store (${name('ssl.keystore.location')} or ${name('ssl.keystore.certificate.chain')} / ${name('ssl.keystore.key')}) cannot be used: ${reason}; check the PEM key, its chain and ${name('ssl.key.password')}`,
      { key: name('ssl.keystore.location') },
    );
  }
  return options;
}

interface StoreKeys {
  get: (k: string) => string | undefined;
  name: (k: string) => string;
  loadStore: JavaStoreLoader | undefined;
}

function keyStore(stores: StoreKeys): { key: string; cert: string } {
  const { get, name } = stores;
  const type = get('ssl.keystore.type')?.trim().toUpperCase();
  const location = get('ssl.keystore.location')?.trim();
  const chain = get('ssl.keystore.certificate.chain');
  const inlineKey = get('ssl.keystore.key');
  if (!location && chain === undefined && inlineKey === undefined) {
    throw new ConfigError(
      `an https listener needs a certificate and its key: set ${name('ssl.keystore.type')} = PEM with ${name('ssl.keystore.location')} (a PEM file holding the chain and the private key), or ${name('ssl.keystore.certificate.chain')} and ${name('ssl.keystore.key')}`,
      { key: name('ssl.keystore.location') },
    );
  }
  if (type !== undefined && type !== 'PEM') {
    const { key, cert } = javaStore(stores, 'keystore');
    return { key: key ?? '', cert: cert ?? '' };
  }
  if (chain !== undefined || inlineKey !== undefined) {
    if (chain === undefined || inlineKey === undefined) {
      throw new ConfigError(
        `${name('ssl.keystore.certificate.chain')} and ${name('ssl.keystore.key')} must be given together`,
        { key: name(chain === undefined ? 'ssl.keystore.certificate.chain' : 'ssl.keystore.key') },
      );
    }
    return { key: inlineKey, cert: chain };
  }
  // Unset type: a PEM file is PEM; anything else is read as Java's default, JKS.
  if (type === undefined && !isPemFile(location ?? '', name('ssl.keystore.location'))) {
    const { key, cert } = javaStore(stores, 'keystore');
    return { key: key ?? '', cert: cert ?? '' };
  }
  const text = readPemFile(location ?? '', name('ssl.keystore.location'), type, name('ssl.keystore.type'));
  const blocks = [...text.matchAll(PEM_BLOCK)].map((b) => ({ label: b[1] ?? '', pem: b[0] }));
  const cert = blocks.filter((b) => b.label.includes('CERTIFICATE')).map((b) => b.pem);
  const key = blocks.filter((b) => b.label.includes('PRIVATE KEY')).map((b) => b.pem);
  if (cert.length === 0 || key.length !== 1) {
    throw new ConfigError(
      `${name('ssl.keystore.location')} = ${location}: a PEM key store holds the certificate chain and exactly one private key (found ${cert.length} certificate(s) and ${key.length} key(s))`,
      { key: name('ssl.keystore.location') },
    );
  }
  return { key: key[0] ?? '', cert: cert.join('\n') };
}

function trustStore(stores: StoreKeys): string | undefined {
  const { get, name } = stores;
  const type = get('ssl.truststore.type')?.trim().toUpperCase();
  const location = get('ssl.truststore.location')?.trim();
  const inline = get('ssl.truststore.certificates');
  if (!location && inline === undefined) return undefined;
  if (inline !== undefined && (type === undefined || type === 'PEM')) return inline;
  if ((type !== undefined && type !== 'PEM') || !isPemFile(location ?? '', name('ssl.truststore.location'))) {
    return (javaStore(stores, 'truststore').ca ?? []).join('');
  }
  const text = readPemFile(location ?? '', name('ssl.truststore.location'), type, name('ssl.truststore.type'));
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
    throw new ConfigError(`${name('ssl.truststore.location')} = ${location}: no PEM certificate in the file`, {
      key: name('ssl.truststore.location'),
    });
  }
  return text;
}

const STORE_KEYS = {
  keystore: ['ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.key.password'],
  truststore: ['ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.password'],
} as const;

/**
 * A JKS or PKCS12 store (`which`), read and checked as the Kafka clients read theirs (type,
 * passwords, key matching its certificate, validity); its first error is a ConfigError naming
 * the key as written (with its prefix).
 */
function javaStore(
  stores: StoreKeys,
  which: 'keystore' | 'truststore',
): { key?: string; cert?: string; ca?: string[] } {
  const { get, name, loadStore } = stores;
  const typeKey = name(`ssl.${which}.type`);
  if (loadStore === undefined) {
    throw new ConfigError(
      `${typeKey} = ${get(`ssl.${which}.type`) ?? 'JKS (the default)'}: no Java store reader here; use PEM`,
      {
        key: typeKey,
      },
    );
  }
  const props = new Map<string, string>();
  for (const k of STORE_KEYS[which]) {
    const v = get(k);
    if (v !== undefined) props.set(k, v);
  }
  const { material, problems } = loadStore(props);
  const error =
    problems.find((p) => p.severity === 'error' && p.key.startsWith(`ssl.${which}`)) ??
    problems.find((p) => p.severity === 'error');
  if (error) {
    const message = error.message.startsWith(error.key) ? error.message.slice(error.key.length) : `: ${error.message}`;
    throw new ConfigError(`${name(error.key)}${message}`, { key: name(error.key) });
  }
  return material;
}

/** Whether the file at `path` is PEM text (else a binary Java store); unreadable: a ConfigError naming `key`. */
function isPemFile(path: string, key: string): boolean {
  try {
    return readFileSync(path).subarray(0, 4096).toString('latin1').includes('-----BEGIN');
  } catch (err) {
    throw new ConfigError(
      `${key} = ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { key },
    );
  }
}

/**
 * A PEM file's text. Without a type, a PEM file is taken as PEM (Java's default type, JKS, could
 * not read it anyway) and anything else is reported as a Java store this appliance cannot read.
 */
function readPemFile(path: string, key: string, type: string | undefined, typeKey: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${key} = ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        key,
      },
    );
  }
  if (!text.includes('-----BEGIN')) {
    throw new ConfigError(`${key} = ${path}: not a PEM file (${typeKey} = ${type ?? 'PEM'})`, { key });
  }
  return text;
}

/** `ssl.enabled.protocols` → Node's min/max TLS version; only TLSv1.2 and TLSv1.3 are offered. */
function enabledProtocols(
  raw: string | undefined,
  key: string,
): { minVersion?: SecureVersion; maxVersion?: SecureVersion } {
  if (raw === undefined || raw.trim() === '') return {};
  const listed = raw.trim().split(/\s*,\s*/);
  const unknown = listed.filter((p) => !PROTOCOLS.includes(p as SecureVersion));
  if (unknown.length > 0) {
    throw new ConfigError(`${key}: ${unknown.join(', ')} not offered; expected TLSv1.2 and/or TLSv1.3`, { key });
  }
  const chosen = PROTOCOLS.filter((p) => listed.includes(p));
  return { minVersion: chosen[0], maxVersion: chosen[chosen.length - 1] };
}
