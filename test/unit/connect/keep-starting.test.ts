import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepStarting } from '../../../src/connect/keep-starting.ts';
import { ConfigError, KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const retriable = (): KafkaPortError =>
  new KafkaPortError('ERR_KAFKA_CONNECTION', 'connection refused', { retriable: true });
const authFailed = (): KafkaPortError =>
  new KafkaPortError('ERR_KAFKA_AUTHENTICATION', 'authentication failed', { retriable: false });
const policy = {
  retriable: { initialMs: 100, maxMs: 1_000, jitter: 0 },
  nonRetriable: { initialMs: 10_000, maxMs: 60_000, jitter: 0 },
};

describe('keepStarting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries a retriable failure on the fast backoff until the start succeeds', async () => {
    const failures: (number | undefined)[] = [];
    let attempts = 0;
    const outcome = keepStarting(
      'starting x',
      async () => {
        if (++attempts < 4) throw retriable();
      },
      {
        signal: new AbortController().signal,
        policy,
        logger: silentLogger(),
        onFailure: (_e, next) => failures.push(next),
      },
    );
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    await expect(outcome).resolves.toBe('started');
    expect(failures).toEqual([100, 200, 400]);
  });

  it('spaces failures retrying cannot fix on the slow backoff', async () => {
    const failures: (number | undefined)[] = [];
    const abort = new AbortController();
    const outcome = keepStarting(
      'starting x',
      async () => {
        throw authFailed();
      },
      { signal: abort.signal, policy, logger: silentLogger(), onFailure: (_e, next) => failures.push(next) },
    );
    await vi.advanceTimersByTimeAsync(9_999);
    expect(failures).toEqual([10_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(failures).toEqual([10_000, 20_000]);
    abort.abort();
    await expect(outcome).resolves.toBe('aborted');
  });

  it('gives up at once on a configuration error', async () => {
    const failures: (number | undefined)[] = [];
    const outcome = await keepStarting(
      'starting x',
      async () => {
        throw new ConfigError('replication.policy.class = x: class not found');
      },
      {
        signal: new AbortController().signal,
        policy,
        logger: silentLogger(),
        onFailure: (_e, next) => failures.push(next),
      },
    );
    expect(outcome).toBe('fatal');
    expect(failures).toEqual([undefined]);
  });

  it('an abort ends an attempt that hangs', async () => {
    const abort = new AbortController();
    const outcome = keepStarting('starting x', () => new Promise<void>(() => {}), {
      signal: abort.signal,
      policy,
      logger: silentLogger(),
      onFailure: () => {},
    });
    abort.abort();
    await expect(outcome).resolves.toBe('aborted');
  });
});
