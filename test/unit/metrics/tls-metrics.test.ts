import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCertificates } from '../../../src/config/client-certificates.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { makeIdentity, type TestIdentity } from '../../support/tls-fixtures.ts';
import { series, value } from './scrape.ts';

const NAME = 'mm2ts_tls_certificate_not_after_seconds';

let dir: string;
let ca: TestIdentity;
let client: TestIdentity;
let shortLived: TestIdentity;
const seconds = (pem: string): number => new Date(new X509Certificate(pem).validTo).getTime() / 1000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-metrics-'));
  ca = makeIdentity({ commonName: 'mm2-test-ca', isCa: true, notAfterDays: 365 });
  client = makeIdentity({ commonName: 'mm2-client', issuer: ca, notAfterDays: 40 });
  shortLived = makeIdentity({ commonName: 'mm2-producer', issuer: ca, notAfterDays: 9 });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'client.pem'), client.keyPem + client.certPem);
  writeFileSync(join(dir, 'producer.pem'), shortLived.keyPem + shortLived.certPem);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A over mTLS with PEM stores; B PLAINTEXT (its stray ssl.* keys are never used); one route A->B. */
function config(extra = ''): ReturnType<typeof loadMirrorMakerConfigText> {
  return loadMirrorMakerConfigText(
    [
      'clusters = A, B',
      'A.bootstrap.servers = a:9093',
      'A.security.protocol = SSL',
      'A.ssl.keystore.type = PEM',
      `A.ssl.keystore.location = ${join(dir, 'client.pem')}`,
      'A.ssl.truststore.type = PEM',
      `A.ssl.truststore.location = ${join(dir, 'ca.pem')}`,
      'B.bootstrap.servers = b:9092',
      'B.ssl.keystore.type = PEM',
      `B.ssl.keystore.location = ${join(dir, 'client.pem')}`,
      'A->B.enabled = true',
      extra,
    ].join('\n'),
  );
}

describe('mm2ts_tls_certificate_not_after_seconds', () => {
  it('holds the not-after time of each client certificate and trust store, per cluster alias and role', async () => {
    const metrics = createApplianceMetrics({ processMetrics: false });
    metrics.tls.set(clientCertificates(config()));
    const all = await series(metrics.registry, NAME);
    // Only cluster A's clients use TLS.
    expect(new Set(all.map((s) => s.labels['cluster']))).toEqual(new Set(['A']));
    expect(await value(metrics.registry, NAME, { cluster: 'A', role: 'replication-consumer', store: 'keystore' })).toBe(
      seconds(client.certPem),
    );
    expect(
      await value(metrics.registry, NAME, { cluster: 'A', role: 'replication-source-admin', store: 'truststore' }),
    ).toBe(seconds(ca.certPem));
    expect(
      await value(metrics.registry, NAME, { cluster: 'A', role: 'checkpoint-source-admin', store: 'keystore' }),
    ).toBe(seconds(client.certPem));
    expect(await value(metrics.registry, NAME, { cluster: 'B', role: 'replication-target-admin' })).toBeUndefined();
  });

  it('follows a per-role key store override, and a reload replaces the series', async () => {
    const metrics = createApplianceMetrics({ processMetrics: false });
    metrics.tls.set(clientCertificates(config()));
    // The source consumer of A->B gets its own certificate (Java's `A->B.source.consumer.*` override).
    metrics.tls.set(
      clientCertificates(config(`A->B.source.consumer.ssl.keystore.location = ${join(dir, 'producer.pem')}`)),
    );
    expect(await value(metrics.registry, NAME, { cluster: 'A', role: 'replication-consumer', store: 'keystore' })).toBe(
      seconds(shortLived.certPem),
    );
    expect(
      await value(metrics.registry, NAME, { cluster: 'A', role: 'replication-source-admin', store: 'keystore' }),
    ).toBe(seconds(client.certPem));
    metrics.tls.set(
      clientCertificates(
        loadMirrorMakerConfigText(
          'clusters = A, B\nA.bootstrap.servers = a:9092\nB.bootstrap.servers = b:9092\nA->B.enabled = true\n',
        ),
      ),
    );
    expect(await series(metrics.registry, NAME)).toEqual([]);
  });

  it('keeps the earliest not-after when one label set has several certificates', async () => {
    const metrics = createApplianceMetrics({ processMetrics: false });
    const at = (days: number): Date => new Date(Date.UTC(2030, 0, days));
    metrics.tls.set([
      { cluster: 'A', role: 'r', store: 'truststore', notAfter: at(20) },
      { cluster: 'A', role: 'r', store: 'truststore', notAfter: at(5) },
      { cluster: 'A', role: 'r', store: 'truststore', notAfter: at(10) },
    ]);
    expect(await value(metrics.registry, NAME, { cluster: 'A', role: 'r', store: 'truststore' })).toBe(
      at(5).getTime() / 1000,
    );
  });
});
