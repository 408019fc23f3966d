import { afterAll, afterEach, beforeAll } from 'vitest';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { openTestCluster } from './kafka.ts';
import { spawnMirrorMaker, startMirrorMaker, type RunningMirrorMaker } from './mirror-maker.ts';

/** Clients on clusters A and B plus our mirror processes, for an e2e describe block. */
export interface MirrorTestContext {
  a: KafkaCluster;
  b: KafkaCluster;
  adminA: KafkaAdmin;
  adminB: KafkaAdmin;
  /** Starts our driver; it is stopped after the test unless `forget` took it over. */
  start(properties: string, args?: string[]): Promise<RunningMirrorMaker>;
  /**
   * Starts our driver again on the file (and HTTP port) of `previous`, which must have exited:
   * "the operator restarts it". Stopped after the test like `start`'s.
   */
  restart(previous: RunningMirrorMaker): RunningMirrorMaker;
  /** The test ended this process itself (e.g. SIGKILL): do not stop it again. */
  forget(mm: RunningMirrorMaker): void;
}

/** Registers the hooks of an e2e describe block: open clients once, stop mirrors after each test. */
export function useMirrorTestContext(clusters: Record<string, string>): MirrorTestContext {
  const running: RunningMirrorMaker[] = [];
  const ctx = {
    start: async (properties: string, args: string[] = []) => {
      const mm = await startMirrorMaker(properties, args);
      running.push(mm);
      return mm;
    },
    restart: (previous: RunningMirrorMaker) => {
      const mm = spawnMirrorMaker(previous.file, Number(new URL(previous.httpUrl).port));
      running.push(mm);
      return mm;
    },
    forget: (mm: RunningMirrorMaker) => {
      const i = running.indexOf(mm);
      if (i >= 0) running.splice(i, 1);
    },
  } as MirrorTestContext;
  beforeAll(async () => {
    ctx.a = openTestCluster(clusters['A']!);
    ctx.b = openTestCluster(clusters['B']!);
    ctx.adminA = await ctx.a.admin();
    ctx.adminB = await ctx.b.admin();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });
  afterAll(async () => {
    await ctx.a?.close();
    await ctx.b?.close();
  });
  return ctx;
}
