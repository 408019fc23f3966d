/** Command-line flags of `npm run bench` (scripts/bench/run.ts), parsed and checked up front. */
import { parseArgs } from 'node:util';

export type MirrorKind = 'ours' | 'java';
export type Compression = 'none' | 'lz4';

/** One preloaded source topic: a record count of one size. */
export interface Workload {
  name: 'small' | 'large';
  records: number;
  recordSize: number;
}

export interface BenchOptions {
  quick: boolean;
  workloads: Workload[];
  compressions: Compression[];
  runs: number;
  mirrors: MirrorKind[];
  steady: boolean;
  /** Steady-state rates, records/s, each measured in turn (`--rate N` or `--latency`'s three). */
  steadyRates: number[];
  steadySeconds: number;
  partitions: number;
  /** MM2 `tasks.max`; Java's default is 1. */
  tasks: number;
  kafkaVersion: string;
  label: string;
  outDir: string;
  write: boolean;
  /** Run ours under `node --cpu-prof` and put a profile summary in the report. */
  profile: boolean;
  /** `batch.size` of the preload producer (with `linger.ms=50`); absent: the producer default (16 KB). */
  preloadBatchBytes?: number;
  /**
   * `--from-source-append`: steady-state source topics are LogAppendTime too, so latency runs from
   * the source broker's append to the target broker's — replication alone, without the load
   * generator's linger and round trip (which the default CreateTime measure includes).
   */
  fromSourceAppend?: boolean;
  /**
   * `--instances 1,2,3`: the scale-out mode (instances.ts) instead of the mirror comparison: each
   * count of our processes in one group (`mm2ts.cluster.enabled`), `solo` one process without it.
   */
  instances?: InstanceCount[];
  /**
   * `--property 'key = value'` (repeatable): lines added to every mirror's mm2.properties after the
   * bench's own, so one run can try a setting (a later line wins over the bench's, as in any
   * properties file). Keys only ours knows (`mm2ts.*`) are ignored by Java MM2 with a warning.
   */
  properties: string[];
}

/** A number of group members, or `solo`: one process with scale-out off (the baseline). */
export type InstanceCount = number | 'solo';

export const USAGE = `usage: node scripts/bench/run.ts [--quick] [--workload small|large|all] [--compression none|lz4|all]
       [--runs N] [--mirror ours|java|both] [--steady] [--latency] [--records N] [--rate N[,N…]] [--seconds N]
       [--partitions N] [--tasks N] [--kafka-version 4.1.2|3.9.2] [--label NAME] [--out DIR] [--no-write] [--profile]
       [--preload-batch-bytes N] [--instances solo,1,2,3] [--from-source-append] [--property 'key = value' …]`;

const FULL = { small: 2_000_000, large: 500_000, steadySeconds: 60 };
const QUICK = { small: 200_000, large: 50_000, steadySeconds: 10 };
/** --instances: 100 B records on 12 partitions (3 members get 4 each); one instance drains them in ~10–30 s. */
const INSTANCES = { records: 5_000_000, partitions: 12 };

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

function oneOf<T extends string>(name: string, text: string | undefined, valid: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(valid as readonly string[]).includes(text)) throw new Error(`--${name} must be one of ${valid.join('|')}`);
  return text as T;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      workload: { type: 'string' },
      compression: { type: 'string' },
      runs: { type: 'string' },
      mirror: { type: 'string' },
      steady: { type: 'boolean', default: false },
      latency: { type: 'boolean', default: false },
      records: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      partitions: { type: 'string' },
      tasks: { type: 'string' },
      'kafka-version': { type: 'string' },
      label: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'preload-batch-bytes': { type: 'string' },
      instances: { type: 'string' },
      'from-source-append': { type: 'boolean', default: false },
      property: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const sizes = values.quick ? QUICK : FULL;
  const instances = values.instances?.split(',').map((n): InstanceCount => {
    const text = n.trim();
    return text === 'solo' ? 'solo' : positiveInt('instances', text, 0);
  });
  // --records overrides both counts (a smoke run); the large workload keeps its 4:1 ratio to small.
  const records = values.records !== undefined ? positiveInt('records', values.records, 0) : undefined;
  const all: Workload[] = [
    { name: 'small', records: records ?? (instances ? INSTANCES.records : sizes.small), recordSize: 100 },
    {
      name: 'large',
      records: records !== undefined ? Math.max(1, Math.round(records / 4)) : sizes.large,
      recordSize: 1024,
    },
  ];
  // --instances runs one case: the small records, uncompressed unless asked otherwise.
  const workload = oneOf('workload', values.workload, ['small', 'large', 'all'] as const, instances ? 'small' : 'all');
  const compression = oneOf(
    'compression',
    values.compression,
    ['none', 'lz4', 'all'] as const,
    instances ? 'none' : 'all',
  );
  const mirror = oneOf('mirror', values.mirror, ['ours', 'java', 'both'] as const, 'both');
  // --latency: the steady mode at 20k, 50k and 100k records/s, 20 s each, 2 rounds (100 B records).
  const latency = values.latency ?? false;
  const steady = (values.steady ?? false) || latency;
  const rates = (values.rate ?? (latency ? '20000,50000,100000' : '20000'))
    .split(',')
    .map((r) => positiveInt('rate', r.trim(), 0));
  const label =
    values.label ??
    (instances ? 'instances' : latency ? 'latency' : (steady ? 'steady' : '') + (values.quick ? 'quick' : 'full'));
  if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new Error('--label may hold only letters, digits, ".", "_" and "-"');
  return {
    quick: values.quick ?? false,
    workloads: all.filter((w) => workload === 'all' || w.name === workload),
    compressions: compression === 'all' ? ['none', 'lz4'] : [compression],
    runs: positiveInt('runs', values.runs, values.quick || instances ? 1 : latency ? 2 : 3),
    mirrors: mirror === 'both' ? ['ours', 'java'] : [mirror],
    steady,
    steadyRates: rates,
    steadySeconds: positiveInt('seconds', values.seconds, latency ? 20 : sizes.steadySeconds),
    partitions: positiveInt('partitions', values.partitions, instances ? INSTANCES.partitions : 8),
    tasks: positiveInt('tasks', values.tasks, 1),
    kafkaVersion: values['kafka-version'] ?? '4.1.2',
    label: label.replace(/^steady(?=quick|full)/, 'steady-'),
    outDir: values.out ?? 'docs/benchmarks',
    write: !(values['no-write'] ?? false),
    profile: values.profile ?? false,
    ...(values['preload-batch-bytes'] !== undefined
      ? { preloadBatchBytes: positiveInt('preload-batch-bytes', values['preload-batch-bytes'], 0) }
      : {}),
    ...(instances ? { instances } : {}),
    ...(values['from-source-append'] ? { fromSourceAppend: true } : {}),
    properties: (values.property ?? []).map(propertyLine),
  };
}

/** One `--property`: `key = value` or `key=value`, written back as `key = value`. */
function propertyLine(text: string): string {
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at).trim();
  if (key === '' || /\s/.test(key))
    throw new Error(
      `--property must be "key = value" with a key of no spaces (e.g. "mm2ts.produce.connections.per.broker = 1"), got "${text}"`,
    );
  return `${key} = ${text.slice(at + 1).trim()}`;
}
