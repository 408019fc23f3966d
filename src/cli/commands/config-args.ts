import { ArgumentError } from '../io.ts';

export interface ConfigCommandArgs {
  readonly file: string;
  readonly clusters: readonly string[];
  readonly json: boolean;
}

/** `<file> [--clusters A [B ...]] [--json]`. */
export function parseConfigCommandArgs(argv: readonly string[], allowJson: boolean): ConfigCommandArgs {
  let file: string | undefined;
  const clusters: string[] = [];
  let json = false;
  let inClusters = false;
  for (const arg of argv) {
    if (arg === '--json' && allowJson) {
      json = true;
      inClusters = false;
    } else if (arg === '--clusters') {
      inClusters = true;
    } else if (arg.startsWith('--clusters=')) {
      clusters.push(arg.slice('--clusters='.length));
      inClusters = false;
    } else if (arg.startsWith('-')) {
      throw new ArgumentError(`unrecognized argument '${arg}'`);
    } else if (inClusters) {
      clusters.push(arg);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new ArgumentError(`unexpected argument '${arg}'`);
    }
  }
  if (file === undefined) throw new ArgumentError('missing <file>');
  return { file, clusters, json };
}
