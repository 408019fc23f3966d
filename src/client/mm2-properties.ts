import { loadMirrorMakerConfig, valuesOf } from '../config/index.ts';
import { ConfigError } from '../util/errors.ts';

/**
 * Java's `new MirrorMakerConfig(props).clientConfig(alias)` from an `mm2.properties` file: every
 * top-level key plus the `<alias>.`-prefixed ones, config providers resolved — the properties
 * to build a MirrorClient for cluster `alias`. Reads the file; throws ConfigError for an unknown alias.
 */
export function mirrorClientPropertiesFromFile(mm2PropertiesPath: string, alias: string): Map<string, string> {
  const loaded = loadMirrorMakerConfig(mm2PropertiesPath);
  const props = loaded.clusterClientConfigs.get(alias);
  if (props === undefined) {
    throw new ConfigError(
      `cluster alias '${alias}' is not in clusters of ${mm2PropertiesPath}; valid: ${loaded.clusters.join(', ')}`,
      { key: 'clusters', file: mm2PropertiesPath },
    );
  }
  return new Map(Object.entries(valuesOf(props)));
}
