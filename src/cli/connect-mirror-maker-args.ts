import { ArgumentError } from './io.ts';

export interface ConnectMirrorMakerArgs {
  readonly configFile: string;
  /** Target aliases this node serves; empty: all. */
  readonly clusters: readonly string[];
}

export type ParsedCommandLine =
  | { readonly kind: 'run'; readonly args: ConnectMirrorMakerArgs }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

export const USAGE = `usage: connect-mirror-maker [-h] [--version] [--clusters CLUSTER [CLUSTER ...]] mm2.properties

MirrorMaker 2.0 driver

positional arguments:
  mm2.properties         MM2 configuration file.

named arguments:
  -h, --help             show this help message and exit
  --version              print the version and exit
  --clusters CLUSTER [CLUSTER ...]
                         Target cluster to use for this node.`;

/** Java's argparse4j grammar: one positional file, `--clusters` taking one or more aliases. */
export function parseConnectMirrorMakerArgs(argv: readonly string[]): ParsedCommandLine {
  let configFile: string | undefined;
  const clusters: string[] = [];
  let inClusters = false;
  let sawClusters = false;
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--version') return { kind: 'version' };
    if (arg === '--clusters') {
      inClusters = true;
      sawClusters = true;
      continue;
    }
    if (arg.startsWith('--clusters=')) {
      const value = arg.slice('--clusters='.length);
      if (value === '') throw new ArgumentError('argument --clusters: expected at least one argument');
      clusters.push(value);
      sawClusters = true;
      inClusters = false;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') throw new ArgumentError(`unrecognized arguments: '${arg}'`);
    if (inClusters) {
      clusters.push(arg);
      continue;
    }
    if (configFile !== undefined) throw new ArgumentError(`unrecognized arguments: '${arg}'`);
    configFile = arg;
  }
  // Like argparse: a file after --clusters A B is taken as an alias, so the file must come first.
  if (sawClusters && clusters.length === 0)
    throw new ArgumentError('argument --clusters: expected at least one argument');
  if (configFile === undefined) throw new ArgumentError('too few arguments');
  return { kind: 'run', args: { configFile, clusters } };
}
