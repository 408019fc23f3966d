import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/http/index.ts';
import { uiPlugin, type StatusPageData, type StatusPageRoute } from '../../src/http/plugins/ui.ts';
import { createApplianceMetrics } from '../../src/metrics/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { loadPage } from '../support/chromium.ts';

/** An error text that would run script if the page wrote it as markup. */
const HOSTILE = `<img src=x onerror="document.title='injected'"><script>document.title='injected'</script>`;

function route(name: string, overrides: Partial<StatusPageRoute>): StatusPageRoute {
  const [source = '', target = ''] = name.split('->');
  return {
    route: name,
    source,
    target,
    enabled: true,
    state: 'RUNNING',
    connectors: [],
    replication: { partitions: 1, records: 0, recordsPerSecond: 0, lagRecords: 0, recoveryPointAgeSeconds: 0 },
    heartbeats: [],
    ...overrides,
  };
}

/**
 * The page's own behaviour in the browser, against a data source the test scripts (no broker):
 * it polls and redraws, keeps the last picture and says so when the appliance stops answering,
 * and shows hostile text as text. The appliance-backed test is status-page.test.ts.
 */
describe('status page script (headless Chromium)', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('polls and redraws, marks stale data when the appliance stops answering, never turns data into markup', async () => {
    let calls = 0;
    const data = async (): Promise<StatusPageData> => {
      calls++;
      if (calls >= 3) throw new Error('appliance gone');
      const first = calls === 1;
      return {
        generatedAt: new Date().toISOString(),
        version: '9.9.9',
        clusters: ['A', 'B'],
        routes: [
          route('A->B', {
            connectors: [
              {
                name: 'MirrorSourceConnector',
                state: 'RUNNING',
                tasks: [{ id: 0, state: first ? 'UNASSIGNED' : 'RUNNING' }],
              },
            ],
            replication: {
              partitions: 1,
              records: first ? 0 : 500,
              recordsPerSecond: first ? 0 : 25,
              lagRecords: first ? 500 : 0,
              recoveryPointAgeSeconds: 3,
            },
          }),
          route('B->A', { state: 'FAILED', error: HOSTILE, connectors: [] }),
        ],
      };
    };
    const metrics = createApplianceMetrics({ processMetrics: false });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      health: () => ({ status: 'healthy' }),
      logger: silentLogger(),
      plugins: [uiPlugin({ data, logger: silentLogger() })],
    });
    // Polls every 3 s of page time: at 0 (task UNASSIGNED), 3 s (all RUNNING), 6 s and on (HTTP 500).
    const html = await loadPage(`${server.url}/ui`, { budgetMs: 8000 });

    expect(calls).toBeGreaterThanOrEqual(3);
    // The second poll's data is drawn, not the first's.
    expect(html).toMatch(/<g class="edge RUNNING" data-route="A-&gt;B" data-state="RUNNING" data-records="500"/);
    expect(html).toContain('A-&gt;B: 25 rec/s, lag 0');
    expect(html).not.toContain('UNASSIGNED');
    // Then the appliance stopped answering: the picture stays, the header says how old it is.
    expect(html).toMatch(
      /<p id="updated"[^>]*class="stale"[^>]*>Cannot reach the appliance \(HTTP 500\); showing data from /,
    );
    // The hostile error is text: escaped in the DOM, no element made from it, no script run.
    expect(html).toContain('<p class="error">&lt;img src=x onerror="document.title=\'injected\'"&gt;&lt;script&gt;');
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<title>mirrormaker-ts status</title>');
    expect(html).toContain('<span id="version">v9.9.9</span>');
  }, 40_000);
});
