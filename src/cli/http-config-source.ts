import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  createProviders,
  parseJavaList,
  providerDeclarations,
  readPropertiesFile,
  resolvePlaceholders,
  type LoadedConfig,
} from '../config/index.ts';
import { loadKeyMaterial } from '../config/key-material.ts';
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
    loadJavaStore: (props) => loadKeyMaterial(props),
    baseDir: config.file ? dirname(config.file) : process.cwd(),
  };
}

/** The key a `readHttpSettings` error names (its ConfigError's `details.key`), else the listener key. */
export function httpSettingsErrorKey(err: unknown): string {
  const key = isMirrorError(err) ? err.details['key'] : undefined;
  return typeof key === 'string' ? key : 'mm2ts.http.listener';
}

/** Top-level keys the operator HTTP server reads (src/http/listener-settings.ts, tls.ts). */
function isHttpKey(key: string, httpsFromTopLevel: boolean): boolean {
  return (
    key.startsWith('mm2ts.http.') ||
    key === 'listeners' ||
    key.startsWith('listeners.https.') ||
    key.startsWith('rest.') ||
    key === 'ssl.client.auth' ||
    // An https listener reads the top-level ssl.* keys when no listeners.https.* key is set (Connect's rule).
    (httpsFromTopLevel && key.startsWith('ssl.'))
  );
}

/**
 * What the operator HTTP server was started with, per key: a digest of the resolved value and,
 * for a key naming a file (users file, key and trust stores), of the file's content. A reload
 * compares the new file's against the one taken at start (`changedHttpKeys`): the server keeps
 * its settings until a restart, so a changed secret behind the same provider placeholder or a
 * renewed certificate at the same path is named as needing one, as a changed key is. Digests,
 * so no secret is kept in clear for this.
 */
export function httpSettingsFingerprint(config: LoadedConfig): Map<string, string> {
  const source = httpConfigSource(config);
  const keys = [...source.keys()];
  const digest = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
  const listeners = `${source.value('mm2ts.http.listener') ?? ''} ${source.value('listeners') ?? ''}`;
  const httpsFromTopLevel = /https:\/\//i.test(listeners) && !keys.some((k) => k.startsWith('listeners.https.'));
  const out = new Map<string, string>();
  for (const key of keys) {
    if (!isHttpKey(key, httpsFromTopLevel)) continue;
    let value: string;
    try {
      value = source.value(key) ?? '';
    } catch {
      value = '(unresolved)';
    }
    let fileDigest = '';
    if (/\.(location|file)$/.test(key) && value.trim() !== '') {
      try {
        fileDigest = digest(readFileSync(resolvePath(source.baseDir, value.trim())));
      } catch {
        fileDigest = '(unreadable)';
      }
    }
    out.set(key, `${digest(value)}:${fileDigest}`);
  }
  return out;
}

/** The keys whose fingerprint differs (set, changed or removed), sorted. */
export function changedHttpKeys(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const keys = new Set<string>();
  for (const [k, v] of after) if (before.get(k) !== v) keys.add(k);
  for (const k of before.keys()) if (!after.has(k)) keys.add(k);
  return [...keys].sort();
}
