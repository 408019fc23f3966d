import { createRequire } from 'node:module';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerFamily, type SeriesLabels } from '../../../src/metrics/family.ts';
import { ExpositionWriter } from '../../../src/metrics/exposition-writer.ts';
import { createApplianceMetrics, createMetricsRegistry } from '../../../src/metrics/index.ts';

/**
 * A scrape writes the live families' text itself (family.ts `LiveFamily.render`): the same bytes
 * prom-client would write, with each series' label text built once per label set instead of on
 * every scrape (docs/benchmarks/2026-11-30-scale-3.md).
 */

/** What prom-client's own `getMetricsAsString` makes of every metric of `registry`, as `metrics()` joins them. */
async function promClientText(registry: Registry): Promise<string> {
  const render = (
    Registry.prototype as unknown as { getMetricsAsString(this: Registry, metric: unknown): Promise<string> }
  ).getMetricsAsString;
  const parts = await Promise.all(registry.getMetricsAsArray().map((m) => render.call(registry, m)));
  return `${parts.join('\n\n')}\n`;
}

/** Label sets that count how often anything reads them. */
function countedLabels(values: Record<string, string>, reads: { n: number }): SeriesLabels {
  return new Proxy(values, {
    get(target, key, receiver) {
      reads.n++;
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      reads.n++;
      return Reflect.ownKeys(target);
    },
  });
}

describe('rendering the live families', () => {
  it('writes what prom-client writes: escaped label values, NaN, infinities, counters and gauges', async () => {
    const registry = createMetricsRegistry({ processMetrics: false, version: '1.2.3' });
    const owners = [
      { labels: { topic: 'a"b', partition: '0' }, value: Number.NaN },
      { labels: { topic: 'back\\slash\nnew line', partition: '1' }, value: Number.POSITIVE_INFINITY },
      { labels: { topic: 'plain', partition: '2' }, value: -Infinity },
      { labels: { topic: 'plain', partition: '3' }, value: 0.125 },
      { labels: { topic: 'skipped', partition: '4' }, value: undefined },
    ];
    registerFamily(
      registry,
      {
        name: 'test_gauge',
        help: 'a help text with a \\ and a\nnewline',
        labelNames: ['topic', 'partition'],
        type: 'gauge',
        read: (o) => o.value,
      },
      () => owners,
      Date.now,
    );
    registerFamily(
      registry,
      { name: 'test_empty_total', help: 'no series', labelNames: ['topic'], type: 'counter', read: () => 1 },
      () => [],
      Date.now,
    );
    const text = await registry.metrics();
    expect(text).toBe(await promClientText(registry));
    expect(text).toContain('test_gauge{topic="a\\"b",partition="0"} Nan\n');
    expect(text).toContain('test_gauge{topic="back\\\\slash\\nnew line",partition="1"} +Inf\n');
    expect(text).not.toContain('skipped');
  });

  it('the whole appliance registry at 1,000 topics renders as prom-client would', async () => {
    const metrics = createApplianceMetrics({
      processMetrics: false,
      version: '0.0.0-test',
      level: 'topic',
      clock: () => 1_700_000_000_000, // rates read the clock: both renders see the same instant
    });
    for (let t = 0; t < 1000; t++) {
      for (let p = 0; p < 8; p++) {
        const m = metrics.source.partition({ source: 'A', target: 'B', topic: `A.s-${t}`, partition: p });
        m.polled(1, 100, 5, 5, 5);
        m.lag(0);
        m.acked(1, 7, 7, 7);
        m.batches(p % 2, 1 - (p % 2));
      }
    }
    const text = await metrics.registry.metrics();
    expect(text).toBe(await promClientText(metrics.registry));
    expect(text).toContain('mm2ts_source_batches_total{source="A",target="B",topic="A.s-999",mode="shallow"} 4\n');
  });

  it('builds a series label text once, not at every scrape', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const reads = { n: 0 };
    const owners = Array.from({ length: 100 }, (_, i) => ({
      labels: countedLabels({ topic: `t${i}`, partition: '0' }, reads),
    }));
    registerFamily(
      registry,
      { name: 'test_series', help: 'h', labelNames: ['topic', 'partition'], type: 'gauge', read: () => 1 },
      () => owners,
      Date.now,
    );
    await registry.metrics();
    const first = reads.n;
    expect(first).toBeGreaterThan(0);
    await registry.metrics();
    await registry.metrics();
    expect(reads.n).toBe(first);
  });

  it('the bytes a scrape sends are the registry text in UTF-8, live families and prom-client metrics alike', async () => {
    const metrics = createApplianceMetrics({
      processMetrics: false,
      version: '0.0.0-test',
      level: 'partition',
      clock: () => 1_700_000_000_000,
    });
    const topics = ['A.plain', 'A.tópico-ü', 'A.日本', 'A.quote"back\\slash'];
    for (const [t, topic] of topics.entries()) {
      for (let p = 0; p < 3; p++) {
        const m = metrics.source.partition({ source: 'A', target: 'B', topic, partition: p });
        m.polled(t + 1, 1_000_000_007 * (p + 1), 3, 9, 17);
        m.lag(p === 2 ? 2 ** 53 + 2 : p);
        m.acked(t + 1, 0.25, 1e-7, 123.456);
      }
    }
    // A metric prom-client renders itself sits between the live families.
    const gauge = new Gauge({
      name: 'test_prom_client_gauge',
      help: 'ü',
      labelNames: ['k'],
      registers: [metrics.registry],
    });
    gauge.set({ k: 'wért' }, -42.5);
    const registry = metrics.registry as Registry & { metricsBytes(): Promise<Buffer> };
    const text = await registry.metrics();
    const bytes = await registry.metricsBytes();
    expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(text).toBe(await promClientText(registry));
    expect(text).toContain('topic="A.日本"');
    expect(text).toContain('test_prom_client_gauge{k="wért"} -42.5\n');
    // A second scrape starts from the first one's size and writes the same bytes again.
    expect((await registry.metricsBytes()).equals(bytes)).toBe(true);
  });
});

describe('ExpositionWriter', () => {
  /** prom-client's own `getValueAsString`, which its registry applies to every sample (not in its type declarations). */
  const promClientValue = (
    createRequire(import.meta.url)('prom-client/lib/util') as { getValueAsString(v: number): string }
  ).getValueAsString;

  it('writes every value as prom-client does, growing from a small buffer', () => {
    let seed = 0x5eed;
    const random = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const values = [
      0,
      -0,
      1,
      -1,
      9,
      10,
      99,
      100,
      123_456_789,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1,
      2 ** 60,
      1e21,
      0.1,
      -0.125,
      1e-7,
      5e-324,
      Number.MAX_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (let i = 0; i < 2_000; i++) {
      const r = random();
      values.push(Math.floor(r * 2 ** (1 + (i % 53))) * (i % 3 === 0 ? -1 : 1), (r - 0.5) * 10 ** ((i % 40) - 20));
    }
    const out = new ExpositionWriter(16);
    for (const v of values) {
      out.value(v);
      out.byte(0x0a);
    }
    expect(out.finish().toString('utf8')).toBe(values.map((v) => `${promClientValue(v)}\n`).join(''));
  });
});
