import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * Certificates for unit tests, made in memory: keys by Node's crypto (fast), certificates signed by
 * node-forge. Stores as real tools write them (keytool, openssl) are made by the tests that need
 * them; these are for PEM cases and validity/mismatch faults.
 */
export interface TestIdentity {
  /** PKCS#8 PEM, unencrypted. */
  keyPem: string;
  certPem: string;
}

export interface CertOptions {
  commonName: string;
  issuer?: TestIdentity;
  /** Validity window in days relative to now (default -1 … 30). */
  notBeforeDays?: number;
  notAfterDays?: number;
  isCa?: boolean;
  /** Subject alternative names: `DNS:host` or `IP:1.2.3.4`. */
  altNames?: string[];
}

export function makeIdentity(options: CertOptions): TestIdentity {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const day = 86_400_000;
  cert.validity.notBefore = new Date(Date.now() + (options.notBeforeDays ?? -1) * day);
  cert.validity.notAfter = new Date(Date.now() + (options.notAfterDays ?? 30) * day);
  const subject = [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(subject);
  const issuerCert = options.issuer ? forge.pki.certificateFromPem(options.issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.isCa ?? false }];
  if (options.altNames) {
    extensions.push({
      name: 'subjectAltName',
      altNames: options.altNames.map((n) =>
        n.startsWith('IP:') ? { type: 7, ip: n.slice(3) } : { type: 2, value: n.replace(/^DNS:/, '') },
      ),
    });
  }
  cert.setExtensions(extensions);
  const signer = options.issuer ? forge.pki.privateKeyFromPem(options.issuer.keyPem) : forgeKey;
  cert.sign(signer as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n') };
}

/**
 * A PEM value as it reaches the config after Java's `.properties` reader joined a value written
 * over several lines with trailing backslashes: one line, the line breaks gone.
 */
export function joinedPem(pem: string): string {
  return pem.replace(/\r?\n/g, '');
}

/** The same value as a `.properties` text continued over lines with backslashes (indented, as people write it). */
export function continuedPropertyValue(pem: string): string {
  return pem
    .trimEnd()
    .split('\n')
    .map((line, i) => (i === 0 ? line : `    ${line}`))
    .join('\\\n');
}
