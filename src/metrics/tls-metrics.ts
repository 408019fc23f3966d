import { Gauge, type Registry } from 'prom-client';
import { METRICS_PREFIX } from './registry.ts';

/** The not-after time of one client's certificates, as the config loader read them. */
export interface CertificateExpirySample {
  /** Cluster alias the client connects to. */
  readonly cluster: string;
  /** The client's role (Java's client.id role, e.g. `replication-consumer`). */
  readonly role: string;
  readonly store: 'keystore' | 'truststore';
  readonly notAfter: Date;
}

/**
 * `mm2ts_tls_certificate_not_after_seconds{cluster,role,store}`: when the certificates a client
 * presents (keystore) or trusts (truststore) stop being valid, so an alert can fire days before
 * a handshake starts failing. An expired certificate otherwise shows only as TLS errors after
 * the fact, and the client retries them as if the broker were down.
 */
export class TlsCertificateMetrics {
  private readonly notAfter: Gauge<'cluster' | 'role' | 'store'>;

  constructor(registry: Registry) {
    this.notAfter = new Gauge({
      name: `${METRICS_PREFIX}tls_certificate_not_after_seconds`,
      help: 'Not-after time (Unix seconds) of the certificates a client uses, per cluster alias, client role and store (keystore: the client certificate; truststore: the earliest-expiring trusted certificate)',
      labelNames: ['cluster', 'role', 'store'],
      registers: [registry],
    });
  }

  /**
   * Replaces every series with `samples` (start-up and each applied reload). Several samples for
   * one label set (the same cluster and role in several routes, or several trusted
   * certificates) keep the earliest: that is when something first breaks.
   */
  set(samples: Iterable<CertificateExpirySample>): void {
    const earliest = new Map<string, CertificateExpirySample>();
    for (const s of samples) {
      const id = JSON.stringify([s.cluster, s.role, s.store]);
      const seen = earliest.get(id);
      if (!seen || s.notAfter.getTime() < seen.notAfter.getTime()) earliest.set(id, s);
    }
    this.notAfter.reset();
    for (const s of earliest.values()) {
      this.notAfter.set({ cluster: s.cluster, role: s.role, store: s.store }, s.notAfter.getTime() / 1000);
    }
  }
}
