import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusPageData } from '../../src/http/plugins/ui.ts';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { freePort } from '../../scripts/kafka/ports.ts';
import { loadPage } from '../support/chromium.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, waitForMirror } from '../support/mirror-maker.ts';
import { makeRecords } from '../support/records.ts';

/** The attributes of every element in `html` that has `data-route`, by tag, as the page rendered them. */
function routeElements(html: string): { tag: string; attributes: Record<string, string>; at: number }[] {
  const out: { tag: string; attributes: Record<string, string>; at: number }[] = [];
  for (const m of html.matchAll(/<(\w+)\s([^>]*data-route="[^"]*"[^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([\w-]+)="([^"]*)"/g)) attributes[a[1]!] = htmlText(a[2]!);
    out.push({ tag: m[1]!, attributes, at: m.index });
  }
  return out;
}

function htmlText(text: string): string {
  return text
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** The markup of the table row of `route` (up to the next row). */
function rowOf(html: string, route: string): string {
  const start = html.indexOf(`<tr data-route="${route.replace('>', '&gt;')}"`);
  if (start < 0) return '';
  const end = html.indexOf('</tr>', start);
  return html.slice(start, end);
}

/**
 * The status page in a real browser (Debian's headless Chromium) against a running appliance:
 * A->B copies, A->C cannot start (nothing listens on C), B->A only emits heartbeats (so A has a
 * heartbeats topic that A->B copies to B: one hop). The page must show the copying edge with its
 * count and rate, RUNNING states, and A->C as FAILED with its error text.
 */
describe('status page (headless Chromium)', () => {
  const { clusters, version } = testKafka();
  const t = useMirrorTestContext(clusters);

  it('shows the topology with A->B copying and RUNNING, A->C FAILED with its error, and heartbeat hops', async () => {
    const p = uniqueName('ui');
    const topic = `${p}-orders`;
    await t.adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    await (await t.a.recordSink()).send(topic, makeRecords(200, 2, 3));
    const closedPort = await freePort(); // nothing listens here
    const startedAt = Date.now();
    const mm = await t.start(
      [
        baseProperties(clusters).replace('clusters = A, B', 'clusters = A, B, C'),
        `C.bootstrap.servers = 127.0.0.1:${closedPort}`,
        'A->B.enabled = true',
        `A->B.topics = ${p}.*`,
        'A->C.enabled = true',
        `A->C.topics = ${p}.*`,
        'A->B.sync.topic.acls.enabled = false',
        // B->A emits heartbeats to A (heartbeat-only); no other flow touches C.
        'B->A.enabled = false',
        ...['B->C', 'C->A', 'C->B'].flatMap((r) => [`${r}.enabled = false`, `${r}.emit.heartbeats.enabled = false`]),
        'emit.heartbeats.interval.seconds = 1',
      ].join('\n'),
    );

    // What the page will draw, once it has something to show (the data endpoint it polls).
    const data = await waitForMirror(
      mm,
      'ui/data: A->B copied records and saw A heartbeats, A->C FAILED with an error',
      async () => (await (await fetch(`${mm.httpUrl}/ui/data`)).json()) as StatusPageData,
      (d) => {
        const ab = d.routes.find((r) => r.route === 'A->B');
        const ac = d.routes.find((r) => r.route === 'A->C');
        return (
          ab?.state === 'RUNNING' &&
          ab.replication.records >= 200 &&
          ab.heartbeats.some((h) => h.origin === 'A' && h.hops === 1) &&
          ac?.state === 'FAILED' &&
          Boolean(ac.error)
        );
      },
      30_000,
    );
    const ab = data.routes.find((r) => r.route === 'A->B')!;
    const dataAfterMs = Date.now() - startedAt;
    expect(ab.replication.recordsPerSecond).toBeGreaterThan(0);

    // `/` with a browser's Accept gets the page too: load it there, screenshot /ui.
    const screenshot = join(REPO_ROOT, 'test-results', `status-page-${version}.png`);
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    const html = await loadPage(`${mm.httpUrl}/`, { budgetMs: 3000 });
    await loadPage(`${mm.httpUrl}/ui`, { budgetMs: 3000, screenshot, windowSize: [1200, 1250] });
    const browserMs = Date.now() - startedAt - dataAfterMs;
    if (process.env['UPDATE_SCREENSHOT'])
      copyFileSync(screenshot, join(REPO_ROOT, 'docs', 'images', 'status-page.png'));

    expect(html).toContain('<title>mirrormaker-ts status</title>');
    expect(html, 'the script ran and filled the page').toMatch(/id="updated"[^>]*>Updated /);
    const elements = routeElements(html);
    const edge = (route: string) => elements.find((e) => e.tag === 'g' && e.attributes['data-route'] === route);
    // The copying edge: RUNNING, a non-zero count and rate, a label saying so.
    const abEdge = edge('A->B');
    expect(abEdge?.attributes, html).toMatchObject({ 'data-state': 'RUNNING' });
    expect(Number(abEdge!.attributes['data-records'])).toBeGreaterThanOrEqual(200);
    expect(Number(abEdge!.attributes['data-rate'])).toBeGreaterThan(0);
    expect(html).toMatch(/A-&gt;B: [\d.,]+ rec\/s, lag [\d,]+<\/tspan><tspan[^>]*>RUNNING</);
    // The route that cannot start: FAILED on its edge and in its row, with the error text.
    expect(edge('A->C')?.attributes['data-state']).toBe('FAILED');
    const acRow = rowOf(html, 'A->C');
    expect(acRow).toMatch(/<span class="state FAILED">FAILED<\/span>/);
    expect(acRow).toMatch(
      new RegExp(`<p class="error">[^<]*(127\\.0\\.0\\.1:${closedPort}|ECONNREFUSED|connect)`, 'i'),
    );
    // Every connector and task of A->B RUNNING, as state words (readable without colour).
    const abRow = rowOf(html, 'A->B');
    for (const name of ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector']) {
      expect(abRow).toContain(`data-connector="${name}" data-state="RUNNING"`);
    }
    expect(abRow).toMatch(
      /data-task="MirrorSourceConnector-0" data-state="RUNNING">task 0: <span class="state RUNNING">RUNNING/,
    );
    expect(abRow).not.toMatch(/data-state="(?!RUNNING)/);
    // B hears A's heartbeats over one hop (A->B copies A's heartbeats topic).
    expect(html).toMatch(/data-cluster="B">.*?heartbeats from A \(1 hop\)/s);
    expect(edge('B->A')?.attributes['data-state']).toBe('heartbeats only');
    console.log(
      `[status page on Kafka ${version}] A->B ${abEdge!.attributes['data-records']} records, ${abEdge!.attributes['data-rate']} rec/s; ` +
        `A->C: ${data.routes.find((r) => r.route === 'A->C')!.error}; data ready after ${dataAfterMs} ms, ` +
        `two Chromium loads ${browserMs} ms; screenshot ${screenshot}`,
    );
  }, 60_000);
});
