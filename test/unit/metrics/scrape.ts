import type { Registry } from 'prom-client';

export interface Sample {
  labels: Record<string, string | number>;
  value: number;
}

/** The series of one family as prom-client computes them for a scrape. */
export async function series(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const got = await metric.get();
  return got.values.map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
}

/** The value of the only series of `name` matching `labels` (undefined when there is none). */
export async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const matches = (await series(registry, name)).filter((s) =>
    Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v),
  );
  if (matches.length > 1) throw new Error(`${matches.length} series of ${name} match`);
  return matches[0]?.value;
}
