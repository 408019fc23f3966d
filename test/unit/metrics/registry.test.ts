import { describe, expect, it } from 'vitest';
import { createApplianceMetrics, createMetricsRegistry } from '../../../src/metrics/index.ts';
import { value } from './scrape.ts';

describe('createMetricsRegistry', () => {
  it('reports the build version and prefixed Node process metrics', async () => {
    const registry = createMetricsRegistry({ version: '1.2.3' });
    expect(await value(registry, 'mm2ts_build_info', { version: '1.2.3' })).toBe(1);
    const text = await registry.metrics();
    expect(text).toMatch(/^mm2ts_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^mm2ts_nodejs_heap_size_used_bytes /m);
  });

  it('gives every instance its own registry, so two runtimes in one process do not collide', async () => {
    const a = createApplianceMetrics({ processMetrics: false });
    const b = createApplianceMetrics({ processMetrics: false });
    a.source.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 0 }).acked(3, 1, 1, 3);
    expect(await value(a.registry, 'kafka_connect_mirror_source_connector_record_count')).toBe(3);
    expect(await value(b.registry, 'kafka_connect_mirror_source_connector_record_count')).toBeUndefined();
  });

  it("writes nothing into prom-client's global registry", async () => {
    const { register } = await import('prom-client');
    createApplianceMetrics();
    expect(register.getSingleMetric('mm2ts_build_info')).toBeUndefined();
    expect(register.getSingleMetric('kafka_connect_mirror_source_connector_record_count')).toBeUndefined();
  });
});
