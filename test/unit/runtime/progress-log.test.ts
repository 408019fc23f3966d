import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RouteTotals } from '../../../src/metrics/index.ts';
import { startProgressLog } from '../../../src/runtime/progress-log.ts';
import type { RouteStatus } from '../../../src/runtime/route-runtime.ts';
import type { Logger } from '../../../src/util/logger.ts';

const route = (name: string, enabled: boolean): RouteStatus => ({
  route: name,
  source: name.split('->')[0]!,
  target: name.split('->')[1]!,
  enabled,
  state: 'RUNNING',
  connectors: [
    { name: 'MirrorSourceConnector', state: 'RUNNING', tasks: [{ id: 0, state: 'FAILED', assignedPartitions: [] }] },
  ],
});

describe('progress log', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('logs one line per replicating route and interval: records/s since the last line, lag, recovery point age, units not running', () => {
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const logger = {
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }),
    } as unknown as Logger;
    let records = 0;
    const totals = (): RouteTotals => ({ partitions: 3, records, lag: 42, recoveryPointMs: Date.now() - 5_000 });
    const stop = startProgressLog({
      intervalMs: 10_000,
      routes: () => [route('A->B', true), route('B->A', false)],
      totals,
      logger,
    });
    records = 1_000;
    vi.advanceTimersByTime(10_000);
    records = 6_000;
    vi.advanceTimersByTime(10_000);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(lines.map((l) => l.msg)).toEqual(['replication progress', 'replication progress']);
    expect(lines[0]!.fields).toEqual({
      route: 'A->B',
      state: 'RUNNING',
      partitions: 3,
      recordsPerSecond: null, // no earlier line to compare with
      lagRecords: 42,
      recoveryPointAgeSeconds: 5,
      notRunning: 1,
    });
    expect(lines[1]!.fields['recordsPerSecond']).toBe(500);
  });

  it('is off at interval 0', () => {
    const info = vi.fn();
    startProgressLog({
      intervalMs: 0,
      routes: () => [route('A->B', true)],
      totals: () => ({ partitions: 0, records: 0, lag: 0, recoveryPointMs: undefined }),
      logger: { info } as unknown as Logger,
    });
    vi.advanceTimersByTime(3_600_000);
    expect(info).not.toHaveBeenCalled();
  });
});
