import type { Metric, Registry } from 'prom-client';
import { MirrorError } from '../util/errors.ts';
import { ExpositionWriter } from './exposition-writer.ts';

/** Label values of one series, built once when its handle is created. */
export type SeriesLabels = Readonly<Record<string, string>>;

/** Something that owns one series per family: a partition, a group partition, a route, a task. */
export interface SeriesOwner {
  readonly labels: SeriesLabels;
}

export interface FamilySpec<H extends SeriesOwner> {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** `counter` for Java's cumulative stats and our own `_total`s; `gauge` for everything else. */
  type: 'counter' | 'gauge';
  /** The value of `owner`'s series at scrape time; `undefined` leaves the series out. */
  read: (owner: H, nowMs: number) => number | undefined;
}

/**
 * Registers a family whose series are read from live handles when Prometheus scrapes, instead
 * of being pushed into prom-client on every update.
 *
 * Why: prom-client's `labels()` children still hash the label set on every `inc`/`set`, which
 * is a string build per call; the replication hot path instead writes plain numbers into its
 * handle, and the cost moves to the scrape. Rebuilding the family on each scrape also makes
 * removal free: a handle that is gone has no series.
 */
export function registerFamily<H extends SeriesOwner>(
  registry: Registry,
  spec: FamilySpec<H>,
  owners: () => Iterable<H>,
  clock: () => number,
): void {
  if (registry.getSingleMetric(spec.name)) {
    throw new MirrorError(
      'ERR_METRICS_DUPLICATE',
      `metric ${spec.name} is already registered in this registry; create each metrics group once per registry`,
      { metric: spec.name },
    );
  }
  // prom-client's registry takes any object of its metric shape (name, get, reset).
  registry.registerMetric(new LiveFamily(spec, owners, clock) as unknown as Metric);
}

/**
 * A family in prom-client's registry whose series are read at scrape time. It is not a
 * prom-client Gauge or Counter: filling one of those on every scrape hashed and validated every
 * label set and formatted every label again (the better part of a 50–100 ms scrape at 8,000
 * partitions, docs/benchmarks/2026-11-30-scale-3.md). Here each series' label text is escaped
 * once per label set (handles keep theirs for life) and {@link render} writes the family's text
 * straight away, in exactly the form prom-client's `Registry.getMetricsAsString` would.
 */
export class LiveFamily<H extends SeriesOwner> {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  private readonly read: (owner: H, nowMs: number) => number | undefined;
  private readonly owners: () => Iterable<H>;
  private readonly clock: () => number;
  /** `# HELP …` and `# TYPE …`, as prom-client writes them, in UTF-8. */
  private readonly head: Buffer;
  /** What starts each series' line: a newline and the metric name. */
  private readonly lineStart: Buffer;

  constructor(spec: FamilySpec<H>, owners: () => Iterable<H>, clock: () => number) {
    this.name = spec.name;
    this.help = spec.help;
    this.type = spec.type;
    this.labelNames = spec.labelNames;
    this.read = spec.read;
    this.owners = owners;
    this.clock = clock;
    const name = escapeText(spec.name);
    this.head = Buffer.from(`# HELP ${name} ${escapeText(spec.help)}\n# TYPE ${name} ${spec.type}`);
    this.lineStart = Buffer.from(`\n${name}`);
  }

  /** prom-client's view (`registry.getSingleMetric(name).get()`, `getMetricsAsJSON`). */
  get(): Promise<{
    name: string;
    help: string;
    type: 'counter' | 'gauge';
    aggregator: 'sum';
    values: { labels: Record<string, string>; value: number }[];
  }> {
    const values: { labels: Record<string, string>; value: number }[] = [];
    const now = this.clock();
    for (const owner of this.owners()) {
      const value = this.read(owner, now);
      if (value !== undefined) values.push({ labels: { ...owner.labels }, value });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Nothing to reset: the values live in the handles (`registry.resetMetrics()` calls this). */
  reset(): void {}

  /** The family in the Prometheus text format (0.0.4), without a trailing newline. */
  render(): string {
    // Only the string path (`registry.metrics()`, not the HTTP server) comes here: start small.
    const out = new ExpositionWriter(1024);
    this.renderInto(out);
    return out.finish().toString('utf8');
  }

  /** {@link render}'s bytes, written into `out`. */
  renderInto(out: ExpositionWriter): void {
    out.bytes(this.head);
    const now = this.clock();
    for (const owner of this.owners()) {
      const value = this.read(owner, now);
      if (value === undefined) continue;
      out.sample(this.lineStart, labelBytes(owner.labels), value);
    }
  }
}

/** `{a="x",b="y"}` for a label set in UTF-8, encoded once per label object (handles keep theirs). */
const labelBytesOf = new WeakMap<SeriesLabels, Buffer>();

function labelBytes(labels: SeriesLabels): Buffer {
  let bytes = labelBytesOf.get(labels);
  if (bytes === undefined) {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(labels)) {
      // Label values are strings; anything else is written as it is (prom-client does the same).
      const escaped = typeof value === 'string' ? escapeText(value).replace(/"/g, '\\"') : String(value);
      parts.push(`${name}="${escaped}"`);
    }
    bytes = Buffer.from(parts.length > 0 ? `{${parts.join(',')}}` : '');
    labelBytesOf.set(labels, bytes);
  }
  return bytes;
}

/** prom-client's escaping of help text and label values (backslash, newline). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * How finely the per-partition families are exported (`mm2ts.metrics.level`): one series per
 * partition (Java's MirrorSourceMetrics/MirrorCheckpointMetrics granularity), per topic, or per
 * route. The handles stay per partition whatever the level; only the scrape aggregates.
 */
export const METRICS_LEVELS = ['partition', 'topic', 'route'] as const;
export type MetricsLevel = (typeof METRICS_LEVELS)[number];

/**
 * How one family's per-partition values make one series at a coarser level. Values a handle
 * leaves `undefined` are skipped (a group of only those has no series); NaN (a window with no
 * recording) is skipped by `min`/`max`/`mean` and reported only when every member is NaN.
 * - `sum`: counts, rates, lag;
 * - `min`/`max`: windowed minimum/maximum, and `max` for a last value (the worst partition's);
 * - `mean`: a weighted mean, `Σ value·weight / Σ weight` (a window average weighted by its count).
 */
export type Combine = 'sum' | 'min' | 'max' | 'mean';

export interface GroupedFamilySpec<H extends SeriesOwner> extends Omit<FamilySpec<H>, 'labelNames'> {
  combine: Combine;
  /** For `mean`: each member's weight (e.g. the records in its window). */
  weight?: (owner: H, nowMs: number) => number;
}

/** The handles that make one exported series at the set's level, and that series' labels. */
export interface SeriesGroup<H> {
  readonly labels: SeriesLabels;
  readonly members: Set<H>;
}

/**
 * A set of live handles keyed by their full label set, grouped by the labels kept at the export
 * level. Creating a handle for labels that already have one replaces it (a partition reassigned
 * to a new task before the old one let go); the replaced handle keeps working but no longer
 * reports, and its `remove()` does not remove the new one.
 */
export class SeriesSet<H extends SeriesOwner> {
  private readonly byKey = new Map<string, H>();
  private readonly groups = new Map<string, SeriesGroup<H>>();
  private readonly groupOf = new Map<H, { key: string; group: SeriesGroup<H> }>();
  /** The labels every series keeps at this set's level, in exposition order. */
  readonly labelNames: readonly string[];

  /** `labelNames`: the labels kept at the export level, a subset of every handle's. */
  constructor(labelNames: readonly string[]) {
    this.labelNames = labelNames;
  }

  values(): IterableIterator<H> {
    return this.byKey.values();
  }

  /** The exported series: one group per distinct set of kept labels. */
  seriesGroups(): IterableIterator<SeriesGroup<H>> {
    return this.groups.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  put(key: string, owner: H): void {
    const replaced = this.byKey.get(key);
    if (replaced !== undefined) this.leaveGroup(replaced);
    this.byKey.set(key, owner);
    const kept = pick(owner.labels, this.labelNames);
    const groupKey = seriesKey(this.labelNames.map((n) => kept[n]!));
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      group = { labels: Object.freeze(kept), members: new Set() };
      this.groups.set(groupKey, group);
    }
    group.members.add(owner);
    this.groupOf.set(owner, { key: groupKey, group });
  }

  /** Removes `owner` only if it is still the live handle for `key`. */
  delete(key: string, owner: H): void {
    if (this.byKey.get(key) !== owner) return;
    this.byKey.delete(key);
    this.leaveGroup(owner);
  }

  clear(): void {
    this.byKey.clear();
    this.groups.clear();
    this.groupOf.clear();
  }

  private leaveGroup(owner: H): void {
    const entry = this.groupOf.get(owner);
    if (entry === undefined) return;
    this.groupOf.delete(owner);
    entry.group.members.delete(owner);
    if (entry.group.members.size === 0) this.groups.delete(entry.key);
  }
}

function pick(labels: SeriesLabels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}

/**
 * Registers a family read from the groups of a `SeriesSet` at scrape time: a group of one handle
 * exports that handle's value, a larger group the members' values combined per `spec.combine`.
 */
export function registerGroupedFamily<H extends SeriesOwner>(
  registry: Registry,
  spec: GroupedFamilySpec<H>,
  set: SeriesSet<H>,
  clock: () => number,
): void {
  const { read, combine } = spec;
  const weight = spec.weight ?? (() => 1);
  const groupRead = (group: SeriesGroup<H>, now: number): number | undefined => {
    if (group.members.size === 1) {
      for (const only of group.members) return read(only, now);
    }
    let seen = false;
    let acc = combine === 'min' ? Number.POSITIVE_INFINITY : combine === 'max' ? Number.NEGATIVE_INFINITY : 0;
    let weights = 0;
    for (const m of group.members) {
      const v = read(m, now);
      if (v === undefined) continue;
      seen = true;
      if (combine === 'sum') acc += v;
      else if (v !== v) continue;
      else if (combine === 'min') acc = v < acc ? v : acc;
      else if (combine === 'max') acc = v > acc ? v : acc;
      else {
        const w = weight(m, now);
        if (w > 0) {
          acc += v * w;
          weights += w;
        }
      }
    }
    if (!seen) return undefined;
    if (combine === 'mean') return weights > 0 ? acc / weights : Number.NaN;
    return Number.isFinite(acc) || combine === 'sum' ? acc : Number.NaN;
  };
  registerFamily(
    registry,
    { name: spec.name, help: spec.help, type: spec.type, labelNames: set.labelNames, read: groupRead },
    () => set.seriesGroups(),
    clock,
  );
}

/** A collision-free key for a label tuple (label values may contain any character). */
export function seriesKey(values: readonly string[]): string {
  return JSON.stringify(values);
}
