import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkStatus } from '../../../src/connect/states.ts';
import { SourceConnector, type TopicSyncSteps } from '../../../src/connectors/source/source-connector.ts';
import type { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { TopicPartition } from '../../../src/records/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/** Topic steps over a fixed partition list; `listError` makes listing the source fail. */
function topics(partitions: TopicPartition[], listError?: () => Error): TopicSyncSteps {
  return {
    loadSourceTopicPartitions: async () => {
      if (listError) throw listError();
      return partitions;
    },
    loadTargetTopicPartitions: async () => [],
    createMissingTopicsAndPartitions: async () => {},
    refresh: async () => {
      if (listError) throw listError();
      return { sourcePartitions: partitions, changed: false };
    },
    syncTopicConfigs: async () => {},
    syncTopicAcls: async () => {},
  };
}

/** The smallest task the connector can run: it only reports states. */
function fakeTask(partitions: readonly TopicPartition[], onStateChange: (s: WorkStatus) => void): SourceTask {
  let status: WorkStatus = { state: 'UNASSIGNED' };
  return {
    get status() {
      return status;
    },
    assignedPartitions: partitions,
    start: async () => {
      status = { state: 'RUNNING' };
      onStateChange(status);
    },
    stop: async () => {
      status = { state: 'STOPPED' };
    },
    flush: async () => {},
  } as unknown as SourceTask;
}

const options = (
  steps: TopicSyncSteps,
  createTask: ConstructorParameters<typeof SourceConnector>[0]['createTask'],
) => ({
  route: 'A->B',
  enabled: true,
  tasksMax: 2,
  adminTimeoutMs: 5_000,
  refreshTopics: { enabled: true, intervalSeconds: 3 },
  syncTopicConfigs: { enabled: false, intervalSeconds: 0 },
  syncTopicAcls: { enabled: false, intervalSeconds: 0 },
  topics: steps,
  createTask,
  logger: silentLogger(),
});

describe('SourceConnector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a task creation that fails once during a refresh is recovered on the next refresh', async () => {
    const tps = [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ];
    let calls = 0;
    const connector = new SourceConnector(
      options(topics(tps), async (i: number, share: readonly TopicPartition[], onState: (s: WorkStatus) => void) => {
        calls++;
        if (calls === 2) throw new Error('could not open the replication producer');
        return fakeTask(share, onState);
      }),
    );
    await connector.start();
    expect(connector.status().tasks.map((t) => t.state)).toEqual(['RUNNING', 'FAILED']);
    expect(connector.status().tasks[1]!.trace).toContain('could not open the replication producer');
    // Nothing changed on the source, yet the next refresh rebuilds the missing task.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(connector.status().tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING']);
    expect(connector.status().state).toBe('RUNNING');
    await connector.stop();
  });

  it('cannot start when it cannot list its source topics (no RUNNING with no tasks)', async () => {
    const denied = (): Error =>
      new KafkaPortError('ERR_KAFKA_AUTHENTICATION', 'A (127.0.0.1:9092): authentication failed', { retriable: false });
    const connector = new SourceConnector(options(topics([], denied), async () => fakeTask([], () => {})));
    await expect(connector.start()).rejects.toThrow(/cannot list the source topics: .*authentication failed/);
    await connector.stop();
  });

  it('turns FAILED while its topic refresh fails, and RUNNING again once it succeeds', async () => {
    let broken = false;
    const steps = topics([{ topic: 't', partition: 0 }]);
    const refresh = steps.refresh;
    steps.refresh = async () => {
      if (broken) throw new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'not authorized', { retriable: false });
      return refresh();
    };
    const connector = new SourceConnector(
      options(steps, async (_i: number, share: readonly TopicPartition[], onState: (s: WorkStatus) => void) =>
        fakeTask(share, onState),
      ),
    );
    await connector.start();
    broken = true;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(connector.status().state).toBe('FAILED');
    expect(connector.status().trace).toContain('not authorized');
    broken = false;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(connector.status().state).toBe('RUNNING');
    await connector.stop();
  });
});
