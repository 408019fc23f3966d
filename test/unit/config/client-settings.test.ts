import { describe, expect, it } from 'vitest';
import { parseJaasConfig, toKafkaClientSettings } from '../../../src/config/client-settings.ts';
import { makeIdentity } from '../../support/tls-fixtures.ts';

const settings = (props: Record<string, string>) => toKafkaClientSettings(new Map(Object.entries(props)));
const CA = makeIdentity({ commonName: 'test-ca', isCa: true }).certPem;

describe('client settings → Kafka port', () => {
  it('maps bootstrap, client id and timeouts', () => {
    const r = settings({ 'bootstrap.servers': 'a:1, b:2', 'client.id': 'x', 'request.timeout.ms': '5000' });
    expect(r.problems).toEqual([]);
    expect(r.settings).toEqual({
      clientId: 'x',
      bootstrapServers: ['a:1', 'b:2'],
      securityProtocol: 'PLAINTEXT',
      requestTimeoutMs: 5000,
    });
  });
  it('parses SCRAM credentials from sasl.jaas.config', () => {
    const r = settings({
      'bootstrap.servers': 'a:1',
      'security.protocol': 'sasl_ssl',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="p\\"w";',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': CA,
    });
    expect(r.problems).toEqual([]);
    expect(r.settings.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'mm2', password: 'p"w' });
    expect(r.settings.tls).toEqual({ ca: CA, checkServerIdentity: true });
  });
  it('turns host name checks off with an empty ssl.endpoint.identification.algorithm', () => {
    expect(
      settings({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' })
        .settings.tls?.checkServerIdentity,
    ).toBe(false);
  });
  it('reports what Node cannot honour (GSSAPI, Java-only tuning) and unreadable stores', () => {
    const gssapi = settings({ 'bootstrap.servers': 'a:1', 'security.protocol': 'SASL_PLAINTEXT' });
    expect(gssapi.problems).toContainEqual(expect.objectContaining({ severity: 'error', key: 'sasl.mechanism' }));
    const jks = settings({
      'bootstrap.servers': 'a:1',
      'security.protocol': 'SSL',
      'ssl.truststore.location': '/x.jks',
      'ssl.provider': 'SunJSSE',
    });
    expect(jks.problems).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        key: 'ssl.truststore.location',
        message: expect.stringMatching(/cannot read \/x\.jks/),
      }),
    );
    expect(jks.problems).toContainEqual(expect.objectContaining({ severity: 'warning', key: 'ssl.provider' }));
    expect(settings({}).problems).toContainEqual(expect.objectContaining({ key: 'bootstrap.servers' }));
  });
  it('parses jaas options quoted and unquoted', () => {
    expect(parseJaasConfig('a.B required username=u password="p w";')?.options).toEqual(
      new Map([
        ['username', 'u'],
        ['password', 'p w'],
      ]),
    );
  });
});
