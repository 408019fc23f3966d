import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/kafka/ports.ts';
import { testKafka } from '../support/kafka.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

interface ReadyBody {
  status: string;
  notRunning: { route: string; connector?: string; state: string; error?: string }[];
}

describe('stopping while a route cannot start', () => {
  const { clusters } = testKafka();
  const t = useMirrorTestContext(clusters);

  it('SIGTERM while a target is unreachable at start: /ready names the route, the process exits 0 promptly', async () => {
    const closedPort = await freePort(); // nothing listens here
    const properties = [
      baseProperties(clusters),
      'clusters = A, B, C',
      `C.bootstrap.servers = 127.0.0.1:${closedPort}`,
      'A->C.enabled = true',
      'A->C.topics = never-created-.*',
      'A->B.enabled = false',
      'B->A.enabled = false',
      'C->A.enabled = false',
      'C->B.enabled = false',
      'B->C.enabled = false',
      'A->C.replication.factor = 1',
    ].join('\n');
    const mm = await t.start(properties, ['--clusters', 'C']);
    const ready = await waitFor(
      '/ready to name route A->C and why',
      async () => {
        const res = await fetch(`${mm.httpUrl}/ready`);
        return { code: res.status, body: (await res.json()) as ReadyBody };
      },
      (r) => r.code === 503 && r.body.notRunning.some((n) => n.route === 'A->C' && n.error !== undefined),
      60_000,
    );
    expect(ready.body.status).toBe('not ready');
    const entry = ready.body.notRunning.find((n) => n.route === 'A->C')!;
    expect(entry.state).toBe('FAILED');
    expect(entry.error).toMatch(/127\.0\.0\.1|connect|ECONNREFUSED|refused/i);
    // Liveness stays up: the process runs and will recover when C comes.
    expect((await fetch(`${mm.httpUrl}/health`)).status).toBe(200);

    const before = Date.now();
    mm.signal('SIGTERM');
    const code = await Promise.race([mm.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    t.forget(mm);
    if (code === 'still running') mm.signal('SIGKILL');
    expect(code, mm.output().slice(-3000)).toBe(0);
    expect(Date.now() - before).toBeLessThan(15_000);
  });
});
