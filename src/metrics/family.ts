import { Counter, Gauge, type Registry } from 'prom-client';
import { MirrorError } from '../util/errors.ts';

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
 * handle, and the cost moves to the scrape (one label hash per series per scrape). Rebuilding
 * the family on each scrape also makes removal free: a handle that is gone has no series.
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
  const { name, help, read } = spec;
  const labelNames = [...spec.labelNames];
  if (spec.type === 'counter') {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter) {
        this.reset();
        const now = clock();
        for (const owner of owners()) {
          const v = read(owner, now);
          if (v !== undefined) this.inc(owner.labels, v);
        }
      },
    });
  } else {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Gauge) {
        this.reset();
        const now = clock();
        for (const owner of owners()) {
          const v = read(owner, now);
          if (v !== undefined) this.set(owner.labels, v);
        }
      },
    });
  }
}

/**
 * A set of live handles keyed by their label set. Creating a handle for labels that already
 * have one replaces it (a partition reassigned to a new task before the old one let go); the
 * replaced handle keeps working but no longer reports, and its `remove()` does not remove the
 * new one.
 */
export class SeriesSet<H extends SeriesOwner> {
  private readonly byKey = new Map<string, H>();

  values(): IterableIterator<H> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  put(key: string, owner: H): void {
    this.byKey.set(key, owner);
  }

  /** Removes `owner` only if it is still the live handle for `key`. */
  delete(key: string, owner: H): void {
    if (this.byKey.get(key) === owner) this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }
}

/** A collision-free key for a label tuple (label values may contain any character). */
export function seriesKey(values: readonly string[]): string {
  return JSON.stringify(values);
}
