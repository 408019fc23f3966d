import { dirname } from 'node:path';
import {
  createProviders,
  parseJavaList,
  providerDeclarations,
  readPropertiesFile,
  resolvePlaceholders,
  type LoadedConfig,
} from '../config/index.ts';
import type { HttpConfigSource } from '../http/index.ts';
import { isMirrorError } from '../util/errors.ts';

/**
 * The file as the HTTP settings (`readHttpSettings`) read it: top-level values with
 * config-provider placeholders resolved, relative paths against the file's directory. The run
 * (src/cli/run-driver.ts, at start and on every reload) and `mm2 config lint` read the same view,
 * so lint reports exactly what would stop the start.
 */
export function httpConfigSource(config: LoadedConfig): HttpConfigSource {
  const raw = config.properties.values;
  const providers = createProviders(providerDeclarations(raw, parseJavaList(raw.get('config.providers') ?? '')));
  const cache = new Map<string, Map<string, string>>();
  return {
    value: (key) => {
      const v = raw.get(key);
      return v === undefined ? undefined : resolvePlaceholders(v, providers, cache).value;
    },
    keys: () => raw.keys(),
    readProperties: (path) => readPropertiesFile(path, 'utf8').values,
    baseDir: config.file ? dirname(config.file) : process.cwd(),
  };
}

/** The key a `readHttpSettings` error names (its ConfigError's `details.key`), else the listener key. */
export function httpSettingsErrorKey(err: unknown): string {
  const key = isMirrorError(err) ? err.details['key'] : undefined;
  return typeof key === 'string' ? key : 'mm2ts.http.listener';
}
