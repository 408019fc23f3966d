import { describe, expect, it } from 'vitest';
import { useMirrorTestContext } from '../support/e2e.ts';
import { readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { kcat, kcatConsume } from '../support/dr.ts';
import { allRunning, baseProperties, logProblems, propertiesWith, waitForMirror } from '../support/mirror-maker.ts';
import { endOffsets, partitionDigests, total } from '../support/records.ts';

const RECORDS = 3_000;

// A source topic with a small max.message.bytes whose producer compresses (librdkafka batches up
// to 1 MB of records by default): MM2 creates the remote topic with the same limit, and our
// uncompressed target batches of up to 900,000 bytes were refused (MESSAGE_TOO_LARGE), which
// failed the task. The mirror now splits them until they fit.
describe('a remote topic that takes smaller batches than the mirror cuts', () => {
  const { clusters } = testKafka();
  const t = useMirrorTestContext(clusters);

  it('kcat writes lz4 batches to a topic with max.message.bytes 150000: every record lands, in order, the task stays RUNNING', async () => {
    const topic = uniqueName('small-batches');
    await t.adminA.createTopics([
      { name: topic, partitions: 2, replicationFactor: 1, configs: { 'max.message.bytes': '150000' } },
    ]);
    const values = Array.from({ length: RECORDS }, (_, i) => `${i}-`.padEnd(1_000, 'abcdefgh'[i % 8]));
    const produced = await kcat(
      ['-b', clusters['A']!, '-t', topic, '-P', '-K:', '-z', 'lz4', '-X', 'linger.ms=200', '-X', 'acks=all'],
      { input: values.map((v, i) => `k${i}:${v}`).join('\n') + '\n', timeoutMs: 60_000 },
    );
    expect(produced.code, produced.stderr).toBe(0);
    const mm = await t.start(
      propertiesWith(
        [baseProperties(clusters), 'A->B.enabled = true', `A->B.topics = ${topic}`, 'B->A.enabled = false'].join('\n'),
        {},
      ),
    );
    const remote = `A.${topic}`;
    await waitForMirror(
      mm,
      `${RECORDS} records on ${remote}`,
      () => endOffsets(t.adminB, remote).catch(() => new Map<number, bigint>()),
      (ends) => total(ends) === BigInt(RECORDS),
      90_000,
      1_000,
    );
    // The remote topic has the source's limit (topic config sync), which the copy met.
    const configs = await t.adminB.describeTopicConfigs([remote]);
    expect(configs.get(remote)?.find((e) => e.name === 'max.message.bytes')?.value).toBe('150000');
    const source = await readAll(await t.a.recordSource(), topic, await endOffsets(t.adminA, topic));
    const copied = await readAll(await t.b.recordSource(), remote, await endOffsets(t.adminB, remote));
    expect(partitionDigests(copied)).toEqual(partitionDigests(source));
    // A librdkafka consumer reads the same values from the target.
    const read = await kcatConsume(clusters['B']!, uniqueName('small-batches-group'), remote, RECORDS);
    expect(read.sort()).toEqual([...values].sort());
    expect(allRunning(await mm.status()), await mm.diagnostics()).toBe(true);
    const logged = logProblems(mm.output());
    expect(logged.messages.filter((m) => m.includes('too large for the topic'))).toHaveLength(1);
    expect(logged.error).toBe(0);
  }, 180_000);
});
