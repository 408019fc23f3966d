import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyMaterial, type KeyMaterialResult } from '../../../src/config/key-material.ts';
import { parseProperties } from '../../../src/config/properties-reader.ts';
import { continuedPropertyValue, makeIdentity, type TestIdentity } from '../../support/tls-fixtures.ts';

const run = promisify(execFile);
const load = (props: Record<string, string>): KeyMaterialResult => loadKeyMaterial(new Map(Object.entries(props)));
const errors = (r: KeyMaterialResult) => r.problems.filter((p) => p.severity === 'error');

// Distinct, recognisable passwords: every message is checked not to contain them.
const STORE_PW = 'store-Secret-1';
const KEY_PW = 'key-Secret-22';
const TRUST_PW = 'trust-Secret-3';
const SECRETS = [STORE_PW, KEY_PW, TRUST_PW];

let dir: string;
let ca: TestIdentity;
let client: TestIdentity;
const file = (name: string): string => join(dir, name);

/** A result's key and leaf certificate belong together and the leaf is the client's. */
function expectClientMaterial(r: KeyMaterialResult): void {
  expect(errors(r)).toEqual([]);
  expect(r.material.key).toBeDefined();
  expect(r.material.cert).toBeDefined();
  const leaf = new X509Certificate(r.material.cert!);
  expect(leaf.subject).toContain('CN=mm2-client');
  expect(leaf.checkPrivateKey(createPrivateKey(r.material.key!))).toBe(true);
  // The certificate bytes are the signed ones: the CA's signature still verifies.
  expect(leaf.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'key-material-'));
  ca = makeIdentity({ commonName: 'mm2-test-ca', isCa: true });
  client = makeIdentity({ commonName: 'mm2-client', issuer: ca });
  writeFileSync(file('ca.pem'), ca.certPem);
  writeFileSync(file('client.key'), client.keyPem);
  writeFileSync(file('client.pem'), client.certPem);
  writeFileSync(file('client-all.pem'), client.keyPem + client.certPem);
  // Stores as the tools write them: openssl's PKCS12 and encrypted PKCS#8; keytool's JKS
  // (with a key password different from the store password) and PKCS12, and JKS/PKCS12 trust stores.
  await Promise.all([
    run('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      file('client.key'),
      '-in',
      file('client.pem'),
      '-certfile',
      file('ca.pem'),
      '-name',
      'client',
      '-out',
      file('openssl.p12'),
      '-passout',
      `pass:${STORE_PW}`,
    ]),
    run('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      file('client.key'),
      '-out',
      file('client-enc.key'),
      '-v2',
      'aes-256-cbc',
      '-passout',
      `pass:${KEY_PW}`,
    ]),
    run('keytool', [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      file('ca.pem'),
      '-keystore',
      file('trust.jks'),
      '-storetype',
      'JKS',
      '-storepass',
      TRUST_PW,
    ]),
    run('keytool', [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      file('ca.pem'),
      '-keystore',
      file('trust.p12'),
      '-storetype',
      'PKCS12',
      '-storepass',
      TRUST_PW,
    ]),
  ]);
  await Promise.all([
    run('keytool', [
      '-importkeystore',
      '-noprompt',
      '-srckeystore',
      file('openssl.p12'),
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      STORE_PW,
      '-destkeystore',
      file('client.jks'),
      '-deststoretype',
      'JKS',
      '-deststorepass',
      STORE_PW,
      '-destkeypass',
      KEY_PW,
      '-srcalias',
      'client',
      '-destalias',
      'client',
    ]),
    run('keytool', [
      '-importkeystore',
      '-noprompt',
      '-srckeystore',
      file('openssl.p12'),
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      STORE_PW,
      '-destkeystore',
      file('keytool.p12'),
      '-deststoretype',
      'PKCS12',
      '-deststorepass',
      STORE_PW,
    ]),
  ]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key material as Java reads it', () => {
  it('reads inline PEM written over several lines with backslash continuations (Java joins them into one line)', () => {
    const text = [
      'ssl.keystore.type=PEM',
      `ssl.keystore.certificate.chain=${continuedPropertyValue(client.certPem)}`,
      `ssl.keystore.key=${continuedPropertyValue(client.keyPem)}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.certificates=${continuedPropertyValue(ca.certPem)}`,
      '',
    ].join('\n');
    const { values } = parseProperties(text);
    expect(values.get('ssl.keystore.key')).not.toContain('\n');
    const r = loadKeyMaterial(values);
    expectClientMaterial(r);
    expect(r.material.ca).toHaveLength(1);
  });

  it('reads inline PEM written with \\n escapes, and PEM files', () => {
    const escaped = parseProperties(
      [
        'ssl.keystore.type=PEM',
        `ssl.keystore.certificate.chain=${client.certPem.trimEnd().replace(/\n/g, '\\n')}`,
        `ssl.keystore.key=${client.keyPem.trimEnd().replace(/\n/g, '\\n')}`,
      ].join('\n'),
    ).values;
    expectClientMaterial(loadKeyMaterial(escaped));
    expectClientMaterial(load({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': file('client-all.pem') }));
    const trust = load({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': file('ca.pem') });
    expect(trust.material.ca).toEqual([ca.certPem]);
  });

  it('decrypts an encrypted PKCS#8 key with ssl.key.password; a wrong one names ssl.key.password', () => {
    const props = {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': client.certPem,
      'ssl.keystore.key': readFileSync(file('client-enc.key'), 'utf8'),
    };
    expectClientMaterial(load({ ...props, 'ssl.key.password': KEY_PW }));
    expect(errors(load({ ...props, 'ssl.key.password': 'nope-wrong' }))).toEqual([
      expect.objectContaining({ key: 'ssl.key.password', message: expect.stringMatching(/does not decrypt/) }),
    ]);
    expect(errors(load(props))).toEqual([
      expect.objectContaining({
        key: 'ssl.key.password',
        message: expect.stringMatching(/encrypted and ssl.key.password is not set/),
      }),
    ]);
  });

  it('reads JKS made by keytool (Java default type), with a key password of its own', () => {
    const jks = { 'ssl.keystore.location': file('client.jks'), 'ssl.keystore.password': STORE_PW };
    expectClientMaterial(load({ ...jks, 'ssl.key.password': KEY_PW }));
    expect(errors(load({ ...jks, 'ssl.keystore.password': 'wrong-pw' }))).toEqual([
      expect.objectContaining({ key: 'ssl.keystore.password', message: expect.stringMatching(/is wrong/) }),
    ]);
    expect(errors(load({ ...jks, 'ssl.key.password': 'wrong-pw' }))).toEqual([
      expect.objectContaining({ key: 'ssl.key.password', message: expect.stringMatching(/is wrong/) }),
    ]);
    expect(errors(load(jks))).toEqual([
      expect.objectContaining({ key: 'ssl.key.password', message: expect.stringMatching(/is not set/) }),
    ]);
  });

  it('reads PKCS12 made by keytool and by openssl; a wrong password names ssl.keystore.password', () => {
    for (const name of ['keytool.p12', 'openssl.p12']) {
      const props = {
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': file(name),
        'ssl.keystore.password': STORE_PW,
      };
      expectClientMaterial(load(props));
      expect(errors(load({ ...props, 'ssl.keystore.password': 'wrong-pw' }))).toEqual([
        expect.objectContaining({ key: 'ssl.keystore.password' }),
      ]);
    }
    // Java reads a PKCS12 file declared JKS (keystore.type.compat), the default type.
    expectClientMaterial(load({ 'ssl.keystore.location': file('keytool.p12'), 'ssl.keystore.password': STORE_PW }));
  });

  it('reads JKS and PKCS12 trust stores made by keytool (a JKS one also without its password)', () => {
    const stores: Record<string, string>[] = [
      { 'ssl.truststore.location': file('trust.jks'), 'ssl.truststore.password': TRUST_PW },
      { 'ssl.truststore.location': file('trust.jks') },
      {
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.location': file('trust.p12'),
        'ssl.truststore.password': TRUST_PW,
      },
    ];
    for (const props of stores) {
      const r = load(props);
      expect(errors(r)).toEqual([]);
      expect(r.material.ca).toEqual([ca.certPem]);
      expect(r.certificates).toEqual([expect.objectContaining({ store: 'truststore', subject: 'CN=mm2-test-ca' })]);
    }
    expect(
      errors(load({ 'ssl.truststore.location': file('trust.jks'), 'ssl.truststore.password': 'wrong-pw' })),
    ).toEqual([expect.objectContaining({ key: 'ssl.truststore.password' })]);
  });

  it('reports a truncated PEM, a certificate of another key, and a type that does not match the file', () => {
    const cut = client.keyPem.slice(0, client.keyPem.length / 2);
    expect(
      errors(
        load({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': client.certPem, 'ssl.keystore.key': cut }),
      ),
    ).toEqual([expect.objectContaining({ key: 'ssl.keystore.key', message: expect.stringMatching(/truncated/) })]);
    const other = makeIdentity({ commonName: 'other', issuer: ca });
    expect(
      errors(
        load({
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.certificate.chain': other.certPem,
          'ssl.keystore.key': client.keyPem,
        }),
      ),
    ).toEqual([
      expect.objectContaining({
        key: 'ssl.keystore.certificate.chain',
        message: expect.stringMatching(/does not belong to the private key/),
      }),
    ]);
    expect(errors(load({ 'ssl.truststore.location': file('ca.pem') }))).toEqual([
      expect.objectContaining({
        key: 'ssl.truststore.type',
        message: expect.stringMatching(/set ssl.truststore.type = PEM/),
      }),
    ]);
    expect(errors(load({ 'ssl.keystore.type': 'BCFKS', 'ssl.keystore.location': file('client.jks') }))).toEqual([
      expect.objectContaining({ key: 'ssl.keystore.type' }),
    ]);
  });

  it('reports an expired or not yet valid client certificate, and warns before expiry', () => {
    const pem = (id: TestIdentity) => ({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': id.certPem,
      'ssl.keystore.key': id.keyPem,
    });
    const expired = makeIdentity({ commonName: 'old', issuer: ca, notBeforeDays: -30, notAfterDays: -1 });
    expect(errors(load(pem(expired)))).toEqual([
      expect.objectContaining({
        key: 'ssl.keystore.certificate.chain',
        message: expect.stringMatching(/CN=old\) expired on .*renew it/),
      }),
    ]);
    const future = makeIdentity({ commonName: 'future', issuer: ca, notBeforeDays: 2, notAfterDays: 30 });
    expect(errors(load(pem(future)))).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/not valid before/) }),
    ]);
    const soon = makeIdentity({ commonName: 'soon', issuer: ca, notAfterDays: 5 });
    const r = load(pem(soon));
    expect(errors(r)).toEqual([]);
    expect(r.problems).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/expires on/) }),
    ]);
    expect(r.certificates).toEqual([expect.objectContaining({ store: 'keystore', subject: 'CN=soon' })]);
  });

  it('never repeats a password in a message', () => {
    const all = [
      load({
        'ssl.keystore.location': file('client.jks'),
        'ssl.keystore.password': STORE_PW,
        'ssl.key.password': TRUST_PW,
      }),
      load({ 'ssl.keystore.location': file('client.jks'), 'ssl.keystore.password': KEY_PW }),
      load({ 'ssl.keystore.location': file('keytool.p12'), 'ssl.keystore.password': KEY_PW }),
      load({ 'ssl.truststore.location': file('trust.p12'), 'ssl.truststore.password': STORE_PW }),
    ];
    const text = JSON.stringify(all.map((r) => r.problems));
    expect(all.every((r) => errors(r).length > 0)).toBe(true);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
