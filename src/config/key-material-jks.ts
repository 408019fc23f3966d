import { createHash, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';

/**
 * Java's JKS key store (`sun.security.provider.JavaKeyStore`, the default `ssl.keystore.type` and
 * `ssl.truststore.type`), read here rather than through a library: the format is small and fixed
 * since JDK 1.2, and reading it ourselves tells a wrong store password (the integrity digest) from
 * a wrong key password (the key's own digest), which the operator needs to know which key to fix.
 * The npm converters (jks-js) pull in an RSA library and report both as one error.
 *
 * Layout: magic 0xFEEDFEED, version (1 or 2), entry count, entries, then a SHA-1 over
 * password (UTF-16BE) + "Mighty Aphrodite" + everything before it. A private-key entry holds an
 * EncryptedPrivateKeyInfo protected by `sun.security.provider.KeyProtector` (a SHA-1 keystream,
 * OID 1.3.6.1.4.1.42.2.17.1.1) and its certificate chain; a trusted-certificate entry one DER
 * certificate.
 */

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
const KEY_PROTECTOR_OID = '1.3.6.1.4.1.42.2.17.1.1';

export type JksEntry =
  | { readonly kind: 'key'; readonly alias: string; readonly protectedKey: Buffer; readonly chain: readonly Buffer[] }
  | { readonly kind: 'cert'; readonly alias: string; readonly cert: Buffer };

/** Why a JKS store cannot be read: `format` (not a JKS file, cut short) or `password` (integrity check failed). */
export class JksError extends Error {
  readonly reason: 'format' | 'password';
  constructor(reason: 'format' | 'password', message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Java's `char[]` → bytes as KeyProtector and JavaKeyStore feed them to SHA-1: UTF-16BE. */
function passwordBytes(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

class Reader {
  private at = 0;
  private readonly data: Buffer;
  constructor(data: Buffer) {
    this.data = data;
  }
  get offset(): number {
    return this.at;
  }
  private need(n: number): void {
    if (this.at + n > this.data.length) throw new JksError('format', 'the JKS file is truncated');
  }
  int(): number {
    this.need(4);
    const v = this.data.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.at += n;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  /** `DataInputStream.readUTF`: a 2-byte length, then (modified) UTF-8. */
  utf(): string {
    this.need(2);
    const n = this.data.readUInt16BE(this.at);
    this.at += 2;
    return this.bytes(n).toString('utf8');
  }
}

/**
 * The entries of a JKS store. With a password the integrity digest is checked (a mismatch is a
 * `password` JksError); without one it is not, as Java's `KeyStore.load(in, null)` does for a
 * trust store whose password is not configured.
 */
export function readJks(data: Buffer, storePassword: string | undefined): JksEntry[] {
  const r = new Reader(data);
  const magic = r.int();
  if (magic === JCEKS_MAGIC)
    throw new JksError(
      'format',
      'the file is a JCEKS store, which is not supported: convert it to PKCS12 with keytool',
    );
  if (magic !== JKS_MAGIC) throw new JksError('format', 'the file is not a JKS store');
  const version = r.int();
  if (version !== 1 && version !== 2) throw new JksError('format', `the JKS store has unknown version ${version}`);
  const count = r.int();
  const entries: JksEntry[] = [];
  const certificate = (): Buffer => {
    if (version === 2) r.utf(); // certificate type, "X.509"
    return r.bytes(r.int());
  };
  for (let i = 0; i < count; i++) {
    const tag = r.int();
    const alias = r.utf();
    r.skip(8); // creation date
    if (tag === 1) {
      const protectedKey = r.bytes(r.int());
      const chainLength = r.int();
      const chain: Buffer[] = [];
      for (let c = 0; c < chainLength; c++) chain.push(certificate());
      entries.push({ kind: 'key', alias, protectedKey, chain });
    } else if (tag === 2) {
      entries.push({ kind: 'cert', alias, cert: certificate() });
    } else {
      throw new JksError('format', `the JKS store has an entry of unknown kind ${tag} (alias ${alias})`);
    }
  }
  const body = data.subarray(0, r.offset);
  const digest = r.bytes(20);
  if (storePassword !== undefined) {
    const expected = createHash('sha1')
      .update(passwordBytes(storePassword))
      .update('Mighty Aphrodite', 'utf8')
      .update(body)
      .digest();
    if (!timingSafeEqual(expected, digest)) throw new JksError('password', 'the JKS store integrity check failed');
  }
  return entries;
}

/**
 * The PKCS#8 DER of a JKS private-key entry (`KeyProtector.recover`), or undefined when the
 * password is wrong (the key's digest does not match).
 */
export function recoverJksKey(protectedKey: Buffer, password: string): Buffer | undefined {
  const info = forge.asn1.fromDer(forge.util.createBuffer(protectedKey.toString('binary')));
  const parts = info.value as forge.asn1.Asn1[];
  const algorithm = (parts[0]?.value as forge.asn1.Asn1[] | undefined)?.[0];
  const oid = algorithm ? forge.asn1.derToOid(forge.util.createBuffer(algorithm.value as string)) : '';
  if (oid !== KEY_PROTECTOR_OID) {
    throw new JksError('format', `the JKS key is protected by algorithm ${oid}, not Sun's KeyProtector`);
  }
  const encrypted = Buffer.from(parts[1]?.value as string, 'binary');
  if (encrypted.length < 40) throw new JksError('format', 'the JKS key entry is truncated');
  const salt = encrypted.subarray(0, 20);
  const cipherText = encrypted.subarray(20, encrypted.length - 20);
  const check = encrypted.subarray(encrypted.length - 20);
  const pw = passwordBytes(password);
  const plain = Buffer.alloc(cipherText.length);
  let block: Buffer = salt;
  for (let at = 0; at < cipherText.length; at += 20) {
    block = createHash('sha1').update(pw).update(block).digest();
    for (let i = 0; i < 20 && at + i < cipherText.length; i++) plain[at + i] = cipherText[at + i]! ^ block[i]!;
  }
  const digest = createHash('sha1').update(pw).update(plain).digest();
  return timingSafeEqual(digest, check) ? plain : undefined;
}
