import { describe, expect, it } from 'vitest';
import { toKafkaClientSettings } from '../../../src/config/client-settings.ts';
import { tlsOptions } from '../../../src/kafka/kafkajs/settings.ts';
import { makeIdentity } from '../../support/tls-fixtures.ts';

// Java's ssl.* client keys → the Node TLS options kafkajs gets.
const ca = makeIdentity({ commonName: 'ca', isCa: true });
const client = makeIdentity({ commonName: 'client', issuer: ca });

function options(props: Record<string, string>) {
  const { settings, problems } = toKafkaClientSettings(
    new Map(Object.entries({ 'bootstrap.servers': 'k:9093', 'security.protocol': 'SSL', ...props })),
  );
  return { tls: tlsOptions(settings), problems };
}

describe('TLS options from Java ssl.* keys', () => {
  it('verifies the host name by default (https) and not with an empty ssl.endpoint.identification.algorithm', () => {
    const on = options({});
    expect(on.tls).toMatchObject({ rejectUnauthorized: true });
    expect((on.tls as { checkServerIdentity?: unknown }).checkServerIdentity).toBeUndefined();
    const off = options({ 'ssl.endpoint.identification.algorithm': '' }).tls as {
      checkServerIdentity?: (host: string, cert: unknown) => Error | undefined;
    };
    expect(off.checkServerIdentity?.('other-host', {})).toBeUndefined();
  });

  it('passes the decrypted key, the chain and the CAs', () => {
    const { tls, problems } = options({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': client.certPem,
      'ssl.keystore.key': client.keyPem,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': ca.certPem,
    });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(tls).toMatchObject({ ca: [ca.certPem], cert: client.certPem, key: client.keyPem });
  });

  it('maps ssl.enabled.protocols to a version range; versions Node cannot speak are reported', () => {
    expect(options({ 'ssl.enabled.protocols': 'TLSv1.3' }).tls).toMatchObject({
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    expect(options({ 'ssl.enabled.protocols': 'TLSv1.2,TLSv1.3' }).tls).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
    const old = options({ 'ssl.enabled.protocols': 'TLSv1.1, TLSv1.2' });
    expect(old.tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(old.problems).toEqual([expect.objectContaining({ severity: 'warning', key: 'ssl.enabled.protocols' })]);
    expect(options({ 'ssl.enabled.protocols': 'SSLv3' }).problems).toEqual([
      expect.objectContaining({ severity: 'error', key: 'ssl.enabled.protocols' }),
    ]);
  });

  it('applies TLS 1.3 cipher suites and warns about Java names of TLS 1.2 suites', () => {
    expect(options({ 'ssl.cipher.suites': 'TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256' }).tls).toMatchObject({
      ciphers: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
    });
    const java12 = options({ 'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    expect((java12.tls as { ciphers?: string }).ciphers).toBeUndefined();
    expect(java12.problems).toEqual([expect.objectContaining({ severity: 'warning', key: 'ssl.cipher.suites' })]);
  });
});
