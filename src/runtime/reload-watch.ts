import { unwatchFile, watchFile, type Stats } from 'node:fs';

/**
 * Calls `onChange` when the file at `path` changed and then stayed unchanged for two intervals
 * (an editor or a deployment tool writing it in several steps makes one reload, after the last).
 * It polls the path's stat rather than using inotify: a file replaced by a rename, or a
 * Kubernetes ConfigMap whose symlink is swapped, keeps being watched. Returns the stop function.
 */
export function watchConfigFile(path: string, intervalMs: number, onChange: () => void): () => void {
  let settle: NodeJS.Timeout | undefined;
  const listener = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
    clearTimeout(settle);
    settle = setTimeout(onChange, 2 * intervalMs);
    settle.unref();
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => {
    clearTimeout(settle);
    unwatchFile(path, listener);
  };
}
