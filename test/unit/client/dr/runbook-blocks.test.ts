import { describe, expect, it } from 'vitest';
import { runbookBlocks, unmatchedLines } from '../../../support/runbook.ts';

// The runbook tests (test/e2e/dr-runbooks*.test.ts) are only as strict as these two helpers.
describe('runbook blocks and expected output', () => {
  it('reads fenced blocks in order, with the hook named before one', () => {
    const md = 'x\n```sh\necho 1\n```\n```text\n1\n```\n<!-- runbook-test: kill -->\n\n```sh\necho 2\n```\n';
    expect(runbookBlocks(md)).toEqual([
      { lang: 'sh', body: 'echo 1\n', hook: undefined },
      { lang: 'text', body: '1\n', hook: undefined },
      { lang: 'sh', body: 'echo 2\n', hook: 'kill' },
    ]);
  });

  it('expected lines match with <...> as any text and any run of spaces; others are reported', () => {
    const printed = 'EXECUTED operation failover-A-B-12ab: committed 1 group(s)\n  OK    source    A is reachable';
    expect(
      unmatchedLines(
        'EXECUTED operation failover-A-B-<...>: committed 1 group(s)\n  OK source A is reachable',
        printed,
      ),
    ).toEqual([]);
    expect(unmatchedLines('EXECUTED operation failover-A-B-<...>: committed 2 group(s)', printed)).toEqual([
      'EXECUTED operation failover-A-B-<...>: committed 2 group(s)',
    ]);
  });
});
