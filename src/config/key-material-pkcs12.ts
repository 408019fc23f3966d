import forge from 'node-forge';

/**
 * PKCS#12 stores (`ssl.keystore.type = PKCS12`, the JDK's default key store type since 9) read
 * with node-forge: it decrypts every algorithm keytool and OpenSSL write (PBES2 with AES and
 * HMAC-SHA-256 from current JDKs and OpenSSL 3, the SHA-1/3DES/RC2 PBEs of older ones) without
 * OpenSSL's legacy provider, and checks the MAC, so a wrong password is told from a damaged file.
 * Only forge's container decoding and decryption are used: keys and certificates leave here as DER
 * and are read by Node's crypto, which knows every key type (forge's own key objects are RSA-only).
 */

export interface Pkcs12Entry {
  /** PKCS#8 DER of a private key, or a certificate's DER. */
  readonly der: Buffer;
  readonly kind: 'key' | 'cert';
  /** `localKeyId` as hex: pairs a key with its certificate. */
  readonly localKeyId?: string;
  /** Java's `TrustedKeyUsage` attribute marks keytool's trusted-certificate entries. */
  readonly trusted: boolean;
}

/** Why a PKCS#12 store cannot be read. */
export class Pkcs12Error extends Error {
  readonly reason: 'format' | 'password';
  constructor(reason: 'format' | 'password', message: string) {
    super(message);
    this.reason = reason;
  }
}

const KEY_BAGS = new Set([forge.pki.oids['keyBag'], forge.pki.oids['pkcs8ShroudedKeyBag']]);
const CERT_BAG = forge.pki.oids['certBag'];
/** Oracle's `TrustedKeyUsage` (2.16.840.1.113894.746875.1.1) on keytool's trusted-certificate entries. */
const TRUSTED_KEY_USAGE = '2.16.840.1.113894.746875.1.1';

function derOf(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/** The keys and certificates of a PKCS#12 file, decrypted with `password`. */
export function readPkcs12(data: Buffer, password: string | undefined): Pkcs12Entry[] {
  let pfx: forge.asn1.Asn1;
  try {
    pfx = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
  } catch {
    throw new Pkcs12Error('format', 'the file is not a PKCS12 store (not DER)');
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(pfx, false, password ?? '');
  } catch (err) {
    const text = err instanceof Error ? err.message : '';
    if (/MAC could not be verified|wrong password|Invalid password|password/i.test(text))
      throw new Pkcs12Error('password', 'the PKCS12 store cannot be decrypted with the given password');
    throw new Pkcs12Error('format', 'the file is not a readable PKCS12 store');
  }
  const entries: Pkcs12Entry[] = [];
  for (const contents of p12.safeContents) {
    for (const bag of contents.safeBags) {
      const attributes = bag.attributes as Record<string, unknown[] | undefined>;
      const keyId = attributes['localKeyId']?.[0];
      const localKeyId = typeof keyId === 'string' ? Buffer.from(keyId, 'binary').toString('hex') : undefined;
      const trusted = Object.keys(attributes).some((k) => k === TRUSTED_KEY_USAGE || k === 'trustedKeyUsage');
      const asn1 = (bag as { asn1?: forge.asn1.Asn1 }).asn1;
      if (KEY_BAGS.has(bag.type)) {
        const der = bag.key
          ? derOf(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)))
          : asn1
            ? derOf(asn1)
            : undefined;
        if (der) entries.push({ kind: 'key', der, trusted, ...(localKeyId ? { localKeyId } : {}) });
      } else if (bag.type === CERT_BAG) {
        // forge keeps the parsed TBSCertificate, so re-encoding gives back the signed bytes.
        const der = bag.cert ? derOf(forge.pki.certificateToAsn1(bag.cert)) : asn1 ? derOf(asn1) : undefined;
        if (der) entries.push({ kind: 'cert', der, trusted, ...(localKeyId ? { localKeyId } : {}) });
      }
    }
  }
  return entries;
}
