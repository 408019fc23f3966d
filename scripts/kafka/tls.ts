import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTestBedOAuth, type TestBedOAuth } from './oauth.ts';
import { TESTBED_USERS } from './sasl.ts';

/**
 * The TLS side of every test-bed broker: a private CA made with openssl when the bed starts (in
 * its run folder, gone with it), a broker certificate for 127.0.0.1, and client certificates for
 * mutual TLS. Brokers read PEM files (`ssl.keystore.type = PEM`, KIP-651), which need no keytool
 * and so no extra JVM start; tests make JKS and PKCS12 stores from these files themselves.
 *
 * Keys are EC P-256: generated in milliseconds, and read by Java and Node alike.
 *
 * The broker certificate names only `IP:127.0.0.1` (the advertised host): a client that connects
 * by another name (`localhost`) sees a host-name mismatch, so verification can be tested.
 *
 * Principals (the broker's default principal builder): `User:CN=mm2-admin` is a super user (see
 * sasl.ts SUPER_USERS), `User:CN=mm2-mirror` gets only what ACLs grant.
 */
export interface TestBedIdentity {
  /** Common name; the broker's principal is `User:CN=<name>`. */
  name: string;
  /** PKCS#8 PEM private key, unencrypted. */
  keyFile: string;
  /** PEM certificate signed by the bed's CA. */
  certFile: string;
}

export interface TestBedTls {
  dir: string;
  /** The CA certificate (PEM): the trust store of clients and brokers. */
  caFile: string;
  /** Key and certificate of the brokers in one PEM file (the broker's `ssl.keystore.location`). */
  brokerKeystoreFile: string;
  admin: TestBedIdentity;
  mirror: TestBedIdentity;
  /** The JWKS the brokers validate OAUTHBEARER tokens with, and its signing key (oauth.ts). */
  oauth: TestBedOAuth;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.stdout || r.error?.message}`);
}

/** A key and a certificate signed by the CA in `dir` (ca.key, ca.pem). */
function issue(dir: string, name: string, subject: string, extensions: string): { keyFile: string; certFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile], dir);
  openssl(['req', '-new', '-key', keyFile, '-subj', subject, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      certFile,
    ],
    dir,
  );
  return { keyFile, certFile };
}

/** Makes the bed's CA, broker and client certificates in `dir`. */
export function generateTestBedTls(dir: string): TestBedTls {
  mkdirSync(dir, { recursive: true });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=mm2-testbed-ca',
      '-days',
      '365',
      '-sha256',
      '-out',
      'ca.pem',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const broker = issue(
    dir,
    'broker',
    '/CN=mm2-testbed-broker',
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  const brokerKeystoreFile = join(dir, 'broker-keystore.pem');
  writeFileSync(brokerKeystoreFile, readFileSync(broker.keyFile, 'utf8') + readFileSync(broker.certFile, 'utf8'));
  const client = (name: string): TestBedIdentity => ({
    name,
    ...issue(dir, name, `/CN=${name}`, 'extendedKeyUsage=clientAuth\n'),
  });
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    brokerKeystoreFile,
    admin: client(TESTBED_USERS.admin.name),
    mirror: client(TESTBED_USERS.mirror.name),
    oauth: generateTestBedOAuth(dir),
  };
}
