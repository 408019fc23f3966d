import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { openTestCluster, readAll, testKafka } from '../support/kafka.ts';
import { baseProperties, startMirrorMaker, waitForMirror, type RunningMirrorMaker } from '../support/mirror-maker.ts';
import { endOffsets, total } from '../support/records.ts';

const run = promisify(execFile);

/** The ```sh blocks of a Markdown file, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/**
 * docs/runbooks/rest-api.md works as written: every ```sh block runs, in order, with bash
 * against a running appliance whose file is the runbook's (aliases eu and us, topic `orders`).
 * The only change to the commands: `localhost:8083` becomes the test appliance's `127.0.0.1:<port>`.
 * After each block the test checks what the runbook says it does, on the clusters.
 */
describe('runbook docs/runbooks/rest-api.md, executed as written', () => {
  const { clusters } = testKafka();
  const blocks = shellBlocks(readFileSync(join(REPO_ROOT, 'docs', 'runbooks', 'rest-api.md'), 'utf8'));
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;
  let mm: RunningMirrorMaker;

  const remoteEnd = async (): Promise<bigint> => total(await endOffsets(adminB, 'eu.orders'));
  const sourceEnd = async (): Promise<bigint> => total(await endOffsets(adminA, 'orders'));
  const produce = async (n: number): Promise<void> => {
    const base = Number(await sourceEnd());
    await (
      await a.recordSink()
    ).send(
      'orders',
      Array.from({ length: n }, (_, i) => ({ partition: 0, key: null, value: Buffer.from(`order-${base + i}`) })),
    );
  };
  const remoteValue = async (offset: bigint): Promise<string | undefined> => {
    const source = await b.recordSource();
    try {
      const records = await readAll(source, 'eu.orders', await endOffsets(adminB, 'eu.orders'));
      return records.find((r) => r.offset === offset)?.value?.toString();
    } finally {
      await source.close();
    }
  };
  const block = async (index: number): Promise<string> => {
    const port = new URL(mm.httpUrl).port;
    const script = blocks[index]!.replaceAll('localhost:8083', `127.0.0.1:${port}`);
    const { stdout } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], { timeout: 60_000 }).catch(
      (err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`runbook block ${index + 1} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      },
    );
    return stdout;
  };
  const caughtUp = (what: string, expected: () => Promise<bigint>) =>
    waitForMirror(
      mm,
      what,
      async () => [await remoteEnd(), await expected()],
      ([remote, want]) => remote === want,
      60_000,
    );

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!);
    b = openTestCluster(clusters['B']!);
    adminA = await a.admin();
    adminB = await b.admin();
    await adminA.createTopics([{ name: 'orders', partitions: 1, replicationFactor: 1 }]);
    await produce(100);
    mm = await startMirrorMaker(
      [
        baseProperties(clusters, ['eu', 'us']),
        'eu->us.enabled = true',
        'eu->us.topics = orders',
        'us->eu.enabled = false',
      ].join('\n'),
    );
    await caughtUp('every order on us', sourceEnd);
  }, 90_000);

  afterAll(async () => {
    await mm?.stop();
    await adminA?.close();
    await adminB?.close();
    await a?.close();
    await b?.close();
  }, 60_000);

  it('has the blocks the walk-through describes', () => {
    expect(blocks).toHaveLength(7);
  });

  it('1. lists the connectors, their status and tasks', async () => {
    const listing = await block(0);
    expect(listing).toContain('"eu->us.MirrorSourceConnector"');
    expect(listing).toContain('"state":"RUNNING"');
    const scoped = await block(1);
    expect(scoped).toContain('"MirrorSourceConnector"');
    expect(scoped).toMatch(/"task\.assigned\.partitions":"[^"]*\borders-0\b/);
  }, 60_000);

  it('2. pause: nothing is copied while paused; resume copies what arrived meanwhile', async () => {
    expect(await block(2)).toContain('"state":"PAUSED"');
    const before = await remoteEnd();
    await produce(10);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await remoteEnd()).toBe(before);
    await block(3);
    await caughtUp('the orders produced while paused', sourceEnd);
  }, 60_000);

  it('3. replay from offset 42 after storing 41', async () => {
    const before = await remoteEnd();
    const end = await sourceEnd();
    const out = await block(4);
    expect(out).toContain('{"partition":{"cluster":"eu","partition":0,"topic":"orders"},"offset":{"offset":');
    expect(out).toContain('altered successfully');
    await caughtUp('orders 42 and later copied again', async () => before + end - 42n);
    expect(await remoteValue(before)).toBe('order-42');
  }, 60_000);

  it('4. restarts only what failed (nothing here): the connector keeps running', async () => {
    expect(await block(5)).toContain('"connector":{"state":"RUNNING"');
  }, 60_000);

  it('5. starts over: every order is copied again', async () => {
    const before = await remoteEnd();
    const end = await sourceEnd();
    expect(await block(6)).toContain('reset successfully');
    await caughtUp('every order copied once more', async () => before + end);
    expect(await remoteValue(before)).toBe('order-0');
  }, 60_000);
});
