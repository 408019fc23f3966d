import { loadKeyMaterial } from './key-material.ts';
import type { LoadedConfig } from './load.ts';

/** One certificate store of one client of the running routes. */
export interface ClientCertificate {
  /** Cluster alias the client connects to. */
  readonly cluster: string;
  /** The client's role, as in its client.id (`replication-consumer`, `checkpoint-target-admin`, …). */
  readonly role: string;
  readonly store: 'keystore' | 'truststore';
  readonly subject: string;
  readonly notAfter: Date;
}

/**
 * The certificates every client of `config`'s routes uses (its key store's leaf and its trusted
 * certificates), from the same resolved client configs the clients are built from. Key material
 * is cached by loadKeyMaterial, so this re-reads no file the loader already read.
 */
export function clientCertificates(config: Pick<LoadedConfig, 'routes'>): ClientCertificate[] {
  const out: ClientCertificate[] = [];
  for (const route of config.routes) {
    for (const { use, config: props } of route.clients.values()) {
      const values = new Map([...props].map(([k, v]) => [k, v.value]));
      // Key stores of a PLAINTEXT or SASL_PLAINTEXT client are never presented: nothing to expire.
      if (!/SSL$/i.test(values.get('security.protocol')?.trim() ?? '')) continue;
      const cluster = use.side === 'source' ? route.source : route.target;
      const { certificates } = loadKeyMaterial(values);
      for (const c of certificates) out.push({ cluster, role: use.role, ...c });
    }
  }
  return out;
}
