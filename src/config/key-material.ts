import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { JKS_MAGIC, JCEKS_MAGIC, JksError, readJks, recoverJksKey } from './key-material-jks.ts';
import { parsePem, toPem } from './key-material-pem.ts';
import { Pkcs12Error, readPkcs12 } from './key-material-pkcs12.ts';

/**
 * A client's (or server's) TLS key material from Java's `ssl.*` keys, as Kafka's
 * `DefaultSslEngineFactory` reads them: a key store and a trust store, each of
 * `ssl.keystore.type` / `ssl.truststore.type` JKS (Java's default), PKCS12 or PEM, from a file
 * (`*.location`) or, for PEM, inline (`ssl.keystore.certificate.chain` + `ssl.keystore.key`,
 * `ssl.truststore.certificates`), opened with `ssl.keystore.password`, `ssl.key.password` and
 * `ssl.truststore.password`.
 *
 * Everything is read and checked here, before any connection: a wrong password, a damaged or cut
 * PEM, a certificate that does not belong to its key or is not valid now is a problem naming the
 * key to fix, so a mirror fails at start (and `mm2 config lint` reports it) instead of retrying a
 * TLS handshake that can never work. No message repeats a password or key bytes.
 *
 * The result is PEM for Node's `tls.connect` (`key` decrypted, so no passphrase travels further).
 */

export interface KeyMaterial {
  /** The private key, PKCS#8 PEM, decrypted. */
  key?: string;
  /** The certificate chain of the key, leaf first, PEM. */
  cert?: string;
  /** The trusted certificates, PEM each. Absent: no trust store configured (Node's default CAs). */
  ca?: string[];
}

export interface KeyMaterialProblem {
  readonly severity: 'error' | 'warning';
  /** The `ssl.*` key to fix. */
  readonly key: string;
  readonly message: string;
}

/** A certificate of the material, for expiry reporting. */
export interface CertificateSummary {
  readonly store: 'keystore' | 'truststore';
  readonly subject: string;
  readonly notAfter: Date;
}

export interface KeyMaterialResult {
  readonly material: KeyMaterial;
  readonly problems: readonly KeyMaterialProblem[];
  readonly certificates: readonly CertificateSummary[];
}

export interface KeyMaterialOptions {
  /** The time validity is checked against (ms since epoch); default now. */
  readonly now?: number;
  /** A key-store certificate expiring within this many days is a warning; default 30. */
  readonly expiryWarningDays?: number;
}

/** The keys read here (also what a cache entry depends on). */
export const KEY_MATERIAL_KEYS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
] as const;

const DAY_MS = 86_400_000;

interface Parsed {
  key?: KeyObject;
  chain: X509Certificate[];
  /** The key (`ssl.keystore.location` or `ssl.keystore.certificate.chain`) that names the key store, for messages. */
  keyStoreKey: string;
  trusted?: X509Certificate[];
  /** The key that names the trust store, for messages. */
  trustStoreKey: string;
  problems: KeyMaterialProblem[];
}

type Props = ReadonlyMap<string, string>;

function value(props: Props, key: string): string | undefined {
  const v = props.get(key);
  return v === undefined || v.trim() === '' ? undefined : v;
}

function typeOf(props: Props, key: 'ssl.keystore.type' | 'ssl.truststore.type'): string {
  return (props.get(key) ?? 'JKS').trim().toUpperCase() || 'JKS';
}

type FileKind = 'PEM' | 'JKS' | 'PKCS12' | 'JCEKS' | 'unknown';

/** What a store file is, by its first bytes (Java's `keystore.type.compat` reads JKS and PKCS12 alike). */
function fileKind(data: Buffer): FileKind {
  if (data.length >= 4 && data.readUInt32BE(0) === JKS_MAGIC) return 'JKS';
  if (data.length >= 4 && data.readUInt32BE(0) === JCEKS_MAGIC) return 'JCEKS';
  if (data.includes('-----BEGIN ')) return 'PEM';
  if (data.length > 0 && data[0] === 0x30) return 'PKCS12';
  return 'unknown';
}

function readStoreFile(path: string, key: string, problems: KeyMaterialProblem[]): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    problems.push({
      severity: 'error',
      key,
      message: `${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    });
    return undefined;
  }
}

function certificateOf(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

/** Orders a chain leaf first: the certificate of `key`, then each one's issuer. */
function leafFirst(certs: X509Certificate[], key: KeyObject | undefined): X509Certificate[] {
  const leaf = key ? certs.find((c) => c.checkPrivateKey(key)) : undefined;
  if (!leaf) return certs;
  const ordered = [leaf];
  const rest = certs.filter((c) => c !== leaf);
  for (let current = leaf; ;) {
    const issuer = rest.find((c) => current.checkIssued(c) && !ordered.includes(c));
    if (!issuer) break;
    ordered.push(issuer);
    current = issuer;
  }
  return [...ordered, ...rest.filter((c) => !ordered.includes(c))];
}

/** The private key of PEM text; a problem on `passwordKey` or `textKey` when it cannot be read. */
function pemPrivateKey(
  text: string,
  textKey: string,
  passwordKey: string,
  passphrase: string | undefined,
  problems: KeyMaterialProblem[],
): KeyObject | undefined {
  const { blocks, fault } = parsePem(text);
  if (fault) {
    problems.push({ severity: 'error', key: textKey, message: `${textKey}: ${fault}` });
    return undefined;
  }
  const block = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!block) {
    problems.push({ severity: 'error', key: textKey, message: `${textKey}: no PRIVATE KEY PEM block found` });
    return undefined;
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY';
  if (encrypted && passphrase === undefined) {
    problems.push({
      severity: 'error',
      key: passwordKey,
      message: `${textKey}: the private key is encrypted and ${passwordKey} is not set`,
    });
    return undefined;
  }
  try {
    return createPrivateKey(encrypted ? { key: block.pem, passphrase: passphrase ?? '' } : { key: block.pem });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    // A wrong password usually fails the padding check (a DECRYPT error), but about one time in
    // 256 the garbage it yields has valid padding and fails later as an unreadable key: for an
    // encrypted key, any failure is reported on the password, with OpenSSL's code when it is not
    // the usual one.
    const usual = /DECRYPT|PASSPHRASE/i.test(`${code} ${(err as Error).message}`);
    problems.push(
      encrypted
        ? {
            severity: 'error',
            key: passwordKey,
            message:
              `${passwordKey} does not decrypt the private key of ${textKey}: set it to the key's password` +
              (usual ? '' : ` (OpenSSL: ${code || 'unreadable key'}; or the key inside is of a kind Node cannot read)`),
          }
        : {
            severity: 'error',
            key: textKey,
            message: `${textKey}: the private key cannot be read (${code || 'unsupported key'})`,
          },
    );
    return undefined;
  }
}

function pemCertificates(text: string, textKey: string, problems: KeyMaterialProblem[]): X509Certificate[] | undefined {
  const { blocks, fault } = parsePem(text);
  if (fault) {
    problems.push({ severity: 'error', key: textKey, message: `${textKey}: ${fault}` });
    return undefined;
  }
  const certs: X509Certificate[] = [];
  for (const block of blocks.filter((b) => b.label === 'CERTIFICATE')) {
    const cert = certificateOf(block.der);
    if (!cert) {
      problems.push({
        severity: 'error',
        key: textKey,
        message: `${textKey}: a CERTIFICATE block is not a valid X.509 certificate`,
      });
      return undefined;
    }
    certs.push(cert);
  }
  if (certs.length === 0) {
    problems.push({ severity: 'error', key: textKey, message: `${textKey}: no CERTIFICATE PEM block found` });
    return undefined;
  }
  return certs;
}

/** Entries of a JKS or PKCS12 file as keys and certificates; problems name the password key. */
function binaryStore(
  data: Buffer,
  kind: 'JKS' | 'PKCS12',
  path: string,
  storeKey: 'ssl.keystore' | 'ssl.truststore',
  storePassword: string | undefined,
  keyPassword: string | undefined,
  problems: KeyMaterialProblem[],
): { keys: KeyObject[]; chains: X509Certificate[][]; certs: X509Certificate[] } | undefined {
  const passwordKey = `${storeKey}.password`;
  const wrongPassword = (): undefined => {
    problems.push({
      severity: 'error',
      key: passwordKey,
      message:
        storePassword === undefined
          ? `${storeKey}.location: ${path} needs a password: set ${passwordKey}`
          : `${passwordKey} is wrong: it does not open the ${kind} store ${path}`,
    });
    return undefined;
  };
  const unreadable = (reason: string): undefined => {
    problems.push({
      severity: 'error',
      key: `${storeKey}.location`,
      message: `${storeKey}.location: ${path}: ${reason}`,
    });
    return undefined;
  };
  const out = { keys: [] as KeyObject[], chains: [] as X509Certificate[][], certs: [] as X509Certificate[] };
  if (kind === 'JKS') {
    let entries;
    try {
      entries = readJks(data, storePassword);
    } catch (err) {
      if (err instanceof JksError) return err.reason === 'password' ? wrongPassword() : unreadable(err.message);
      throw err;
    }
    for (const entry of entries) {
      if (entry.kind === 'cert') {
        const cert = certificateOf(entry.cert);
        if (cert) out.certs.push(cert);
        continue;
      }
      const chain = entry.chain.map(certificateOf).filter((c): c is X509Certificate => c !== undefined);
      if (storeKey === 'ssl.truststore') {
        // Java's trust manager trusts the certificate of a key entry too.
        if (chain[0]) out.certs.push(chain[0]);
        continue;
      }
      const password = keyPassword ?? storePassword;
      if (password === undefined) return wrongPassword();
      let der;
      try {
        der = recoverJksKey(entry.protectedKey, password);
      } catch (err) {
        if (err instanceof JksError) return unreadable(err.message);
        throw err;
      }
      if (!der) {
        problems.push({
          severity: 'error',
          key: 'ssl.key.password',
          message:
            keyPassword === undefined
              ? `ssl.key.password is not set and ssl.keystore.password does not decrypt the key '${entry.alias}' in ${path}: set ssl.key.password to the key's password (keytool -keypass)`
              : `ssl.key.password is wrong: it does not decrypt the key '${entry.alias}' in ${path}`,
        });
        return undefined;
      }
      out.keys.push(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      out.chains.push(chain);
    }
    return out;
  }
  let entries;
  try {
    entries = readPkcs12(data, storePassword);
  } catch (err) {
    if (err instanceof Pkcs12Error) return err.reason === 'password' ? wrongPassword() : unreadable(err.message);
    throw err;
  }
  const certs = entries.filter((e) => e.kind === 'cert');
  for (const entry of entries) {
    if (entry.kind !== 'key') continue;
    let key;
    try {
      key = createPrivateKey({ key: entry.der, format: 'der', type: 'pkcs8' });
    } catch {
      return unreadable('a private key in the store is of an unsupported kind');
    }
    const own = certs.filter((c) => entry.localKeyId !== undefined && c.localKeyId === entry.localKeyId);
    const chain = (own.length > 0 ? own : certs.filter((c) => !c.trusted))
      .map((c) => certificateOf(c.der))
      .filter((c): c is X509Certificate => c !== undefined);
    out.keys.push(key);
    out.chains.push(leafFirst(chain, key));
  }
  for (const c of certs) {
    const cert = certificateOf(c.der);
    if (cert) out.certs.push(cert);
  }
  return out;
}

function loadKeyStore(props: Props, parsed: Parsed): void {
  const { problems } = parsed;
  const type = typeOf(props, 'ssl.keystore.type');
  const chainText = value(props, 'ssl.keystore.certificate.chain');
  const keyText = value(props, 'ssl.keystore.key');
  const location = value(props, 'ssl.keystore.location')?.trim();
  const keyPassword = props.get('ssl.key.password');
  const storePassword = props.get('ssl.keystore.password');
  if (chainText !== undefined || keyText !== undefined) {
    parsed.keyStoreKey = 'ssl.keystore.certificate.chain';
    if (type !== 'PEM') {
      problems.push({
        severity: 'error',
        key: 'ssl.keystore.type',
        message: `ssl.keystore.type is ${type} but the key is given inline (ssl.keystore.key): set ssl.keystore.type = PEM`,
      });
      return;
    }
    if (location !== undefined) {
      problems.push({
        severity: 'error',
        key: 'ssl.keystore.location',
        message: 'ssl.keystore.location and an inline ssl.keystore.key are both set: keep one',
      });
      return;
    }
    if (chainText === undefined || keyText === undefined) {
      problems.push({
        severity: 'error',
        key: chainText === undefined ? 'ssl.keystore.certificate.chain' : 'ssl.keystore.key',
        message: 'ssl.keystore.certificate.chain and ssl.keystore.key must be given together',
      });
      return;
    }
    const key = pemPrivateKey(keyText, 'ssl.keystore.key', 'ssl.key.password', keyPassword ?? storePassword, problems);
    const chain = pemCertificates(chainText, 'ssl.keystore.certificate.chain', problems);
    if (key) parsed.key = key;
    if (chain) parsed.chain = leafFirst(chain, key);
    return;
  }
  if (location === undefined) return;
  parsed.keyStoreKey = 'ssl.keystore.location';
  const data = readStoreFile(location, 'ssl.keystore.location', problems);
  if (!data) return;
  const kind = fileKind(data);
  if (!checkType(type, kind, location, 'ssl.keystore', problems)) return;
  if (kind === 'PEM') {
    const text = data.toString('utf8');
    const key = pemPrivateKey(
      text,
      'ssl.keystore.location',
      'ssl.key.password',
      keyPassword ?? storePassword,
      problems,
    );
    const chain = pemCertificates(text, 'ssl.keystore.location', problems);
    if (key) parsed.key = key;
    if (chain) parsed.chain = leafFirst(chain, key);
    return;
  }
  const store = binaryStore(
    data,
    kind as 'JKS' | 'PKCS12',
    location,
    'ssl.keystore',
    storePassword,
    keyPassword,
    problems,
  );
  if (!store) return;
  if (store.keys.length === 0) {
    problems.push({
      severity: 'error',
      key: 'ssl.keystore.location',
      message: `ssl.keystore.location: ${location} holds no private key (is it a trust store? use ssl.truststore.location)`,
    });
    return;
  }
  if (store.keys.length > 1) {
    problems.push({
      severity: 'warning',
      key: 'ssl.keystore.location',
      message: `ssl.keystore.location: ${location} holds ${store.keys.length} private keys; the first is used`,
    });
  }
  parsed.key = store.keys[0]!;
  parsed.chain = store.chains[0] ?? [];
}

/** Whether a file of `kind` may be read as `ssl.*.type = type`; a problem when not. */
function checkType(
  type: string,
  kind: FileKind,
  path: string,
  storeKey: 'ssl.keystore' | 'ssl.truststore',
  problems: KeyMaterialProblem[],
): kind is 'PEM' | 'JKS' | 'PKCS12' {
  if (type !== 'PEM' && type !== 'JKS' && type !== 'PKCS12') {
    problems.push({
      severity: 'error',
      key: `${storeKey}.type`,
      message: `${storeKey}.type ${type} is not supported: use JKS, PKCS12 or PEM`,
    });
    return false;
  }
  if (kind === 'JCEKS' || kind === 'unknown') {
    problems.push({
      severity: 'error',
      key: `${storeKey}.location`,
      message:
        kind === 'JCEKS'
          ? `${storeKey}.location: ${path} is a JCEKS store, which is not supported: convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12)`
          : `${storeKey}.location: ${path} is neither a JKS, PKCS12 nor PEM file`,
    });
    return false;
  }
  // Java reads a JKS file as PKCS12 and the other way round (keystore.type.compat); PEM is its own.
  if ((type === 'PEM') !== (kind === 'PEM')) {
    problems.push({
      severity: 'error',
      key: `${storeKey}.type`,
      message: `${storeKey}.type is ${type} but ${path} is a ${kind} file: set ${storeKey}.type = ${kind}`,
    });
    return false;
  }
  return true;
}

function loadTrustStore(props: Props, parsed: Parsed): void {
  const { problems } = parsed;
  const type = typeOf(props, 'ssl.truststore.type');
  const inline = value(props, 'ssl.truststore.certificates');
  const location = value(props, 'ssl.truststore.location')?.trim();
  if (inline !== undefined) {
    if (type !== 'PEM') {
      problems.push({
        severity: 'error',
        key: 'ssl.truststore.type',
        message: `ssl.truststore.type is ${type} but the certificates are given inline (ssl.truststore.certificates): set ssl.truststore.type = PEM`,
      });
      return;
    }
    if (location !== undefined) {
      problems.push({
        severity: 'error',
        key: 'ssl.truststore.location',
        message: 'ssl.truststore.location and ssl.truststore.certificates are both set: keep one',
      });
      return;
    }
    const certs = pemCertificates(inline, 'ssl.truststore.certificates', problems);
    if (certs) parsed.trusted = certs;
    return;
  }
  if (location === undefined) return;
  const data = readStoreFile(location, 'ssl.truststore.location', problems);
  if (!data) return;
  const kind = fileKind(data);
  if (!checkType(type, kind, location, 'ssl.truststore', problems)) return;
  if (kind === 'PEM') {
    const certs = pemCertificates(data.toString('utf8'), 'ssl.truststore.location', problems);
    if (certs) parsed.trusted = certs;
    return;
  }
  const password = props.get('ssl.truststore.password');
  const store = binaryStore(data, kind as 'JKS' | 'PKCS12', location, 'ssl.truststore', password, undefined, problems);
  if (!store) return;
  if (store.certs.length === 0) {
    problems.push({
      severity: 'error',
      key: 'ssl.truststore.location',
      message: `ssl.truststore.location: ${location} holds no certificate`,
    });
    return;
  }
  parsed.trusted = store.certs;
}

/** Subject of a certificate, one line (`CN=…, O=…`). */
function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** Checks of the parsed material that depend on the time. */
function validity(parsed: Parsed, now: number, warningDays: number): KeyMaterialProblem[] {
  const problems: KeyMaterialProblem[] = [];
  const leaf = parsed.chain[0];
  const where = parsed.keyStoreKey;
  if (leaf && parsed.key && !leaf.checkPrivateKey(parsed.key)) {
    problems.push({
      severity: 'error',
      key: where,
      message: `${where}: the certificate (${subjectOf(leaf)}) does not belong to the private key: give the certificate issued for this key`,
    });
  }
  if (leaf) {
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    if (to < now) {
      problems.push({
        severity: 'error',
        key: where,
        message: `${where}: the client certificate (${subjectOf(leaf)}) expired on ${new Date(to).toISOString()}: renew it`,
      });
    } else if (from > now) {
      problems.push({
        severity: 'error',
        key: where,
        message: `${where}: the client certificate (${subjectOf(leaf)}) is not valid before ${new Date(from).toISOString()}`,
      });
    } else if (to - now < warningDays * DAY_MS) {
      problems.push({
        severity: 'warning',
        key: where,
        message: `${where}: the client certificate (${subjectOf(leaf)}) expires on ${new Date(to).toISOString()}, in less than ${warningDays} days`,
      });
    }
  }
  for (const ca of parsed.trusted ?? []) {
    if (Date.parse(ca.validTo) < now) {
      problems.push({
        severity: 'warning',
        key: parsed.trustStoreKey,
        message: `the trusted certificate ${subjectOf(ca)} expired on ${new Date(Date.parse(ca.validTo)).toISOString()}`,
      });
    }
  }
  return problems;
}

/**
 * Parses are cached by the keys' values (hashed: the cache holds no password in clear) and the
 * files' size and modification time: one route's dozen clients share one configuration, and
 * PKCS12's key derivation costs tens of milliseconds per store.
 */
const cache = new Map<string, Parsed>();
const CACHE_LIMIT = 64;

function cacheKey(props: Props): string {
  const hash = createHash('sha256');
  for (const k of KEY_MATERIAL_KEYS) {
    const v = props.get(k);
    hash.update(`${k}\u0000${v ?? '\u0001'}\u0000`);
    if (k.endsWith('.location') && v !== undefined) {
      try {
        const s = statSync(v.trim());
        hash.update(`${s.size}:${s.mtimeMs}\u0000`);
      } catch {
        hash.update('missing\u0000');
      }
    }
  }
  return hash.digest('hex');
}

function parse(props: Props): Parsed {
  const id = cacheKey(props);
  const hit = cache.get(id);
  if (hit) return hit;
  const parsed: Parsed = {
    chain: [],
    keyStoreKey: 'ssl.keystore.location',
    trustStoreKey: value(props, 'ssl.truststore.certificates')
      ? 'ssl.truststore.certificates'
      : 'ssl.truststore.location',
    problems: [],
  };
  loadKeyStore(props, parsed);
  loadTrustStore(props, parsed);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(id, parsed);
  return parsed;
}

/**
 * The key material of `props` (a client's or listener's `ssl.*` keys, prefixes removed), with
 * every problem found reading and checking it. An `error` problem means a TLS connection with this
 * material cannot work as configured.
 */
export function loadKeyMaterial(props: Props, options: KeyMaterialOptions = {}): KeyMaterialResult {
  const parsed = parse(props);
  const problems = [
    ...parsed.problems,
    ...validity(parsed, options.now ?? Date.now(), options.expiryWarningDays ?? 30),
  ];
  const material: KeyMaterial = {};
  if (parsed.key) material.key = parsed.key.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (parsed.chain.length > 0) material.cert = parsed.chain.map((c) => toPem('CERTIFICATE', c.raw)).join('');
  if (parsed.trusted) material.ca = parsed.trusted.map((c) => toPem('CERTIFICATE', c.raw));
  const certificates: CertificateSummary[] = [
    ...parsed.chain
      .slice(0, 1)
      .map((c) => ({ store: 'keystore' as const, subject: subjectOf(c), notAfter: new Date(c.validTo) })),
    ...(parsed.trusted ?? []).map((c) => ({
      store: 'truststore' as const,
      subject: subjectOf(c),
      notAfter: new Date(c.validTo),
    })),
  ];
  return { material, problems, certificates };
}
