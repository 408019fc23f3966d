import { connectorSimpleName } from '../config/mirror-maker-config.ts';
import { formatDiagnostic, redacted, type LoadedConfig } from '../config/index.ts';
import type { ConnectorKind } from '../config/index.ts';

/**
 * The JSON shape of `mm2 config show --json`: secrets redacted, provider placeholders as written. It mirrors what the Java
 * cross-check prints (test/java/config-dump), so the two can be compared key for key.
 */
export interface ConfigView {
  file: string | null;
  clusters: string[];
  clusterPairs: string[];
  routes: Record<
    string,
    {
      enabled: boolean;
      connectors: Record<string, Record<string, string>>;
      clients: Record<string, Record<string, string>>;
      worker: Record<string, string>;
    }
  >;
  clientConfigs: Record<string, Record<string, string>>;
  warnings: string[];
}

const KINDS: ConnectorKind[] = ['source', 'checkpoint', 'heartbeat'];

export function configView(config: LoadedConfig): ConfigView {
  const show = (m: Parameters<typeof redacted>[0]): Record<string, string> =>
    redacted(m, config.providerKeys, (k) => config.properties.values.get(k));
  const routes: ConfigView['routes'] = {};
  for (const r of config.routes) {
    routes[r.name] = {
      enabled: r.enabled,
      connectors: Object.fromEntries(KINDS.map((k) => [connectorSimpleName(k), show(r.connectors[k])])),
      clients: Object.fromEntries([...r.clients].map(([label, c]) => [label, show(c.config)])),
      worker: show(r.worker),
    };
  }
  return {
    file: config.file ?? null,
    clusters: [...config.clusters],
    clusterPairs: config.routes.map((r) => r.name),
    routes,
    clientConfigs: Object.fromEntries([...config.clusterClientConfigs].map(([alias, m]) => [alias, show(m)])),
    warnings: config.diagnostics.map(formatDiagnostic),
  };
}
