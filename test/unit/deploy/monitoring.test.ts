import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/http/index.ts';
import {
  createApplianceMetrics,
  DEFAULT_METRICS_LEVEL,
  METRICS_LEVELS,
  type MetricsLevel,
} from '../../../src/metrics/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { grafanaToPromql, metricNames } from './promql.ts';
import { promtool, type PromtoolResult } from './promtool.ts';

/**
 * The shipped Prometheus alert rules and Grafana dashboard (deploy/) are proven with promtool,
 * and every metric they read must be one the appliance exports (docs/metrics.md).
 */

const ROOT = join(import.meta.dirname, '../../..');
const PROM_DIR = join(ROOT, 'deploy/prometheus');
const RULES = join(PROM_DIR, 'mirrormaker-ts-alerts.yml');
const RULE_TESTS = join(PROM_DIR, 'mirrormaker-ts-alerts.test.yml');
const DASHBOARD = join(ROOT, 'deploy/grafana/mirrormaker-ts.json');
const RUNBOOK = 'docs/runbooks/alerts.md';

/** Series Prometheus adds to every scrape itself (the rules document the job name). */
const SCRAPE_SERIES = new Set(['up']);

interface AlertRule {
  alert: string;
  expr: string;
  severity: string | undefined;
  annotations: Set<string>;
  runbookUrl: string | undefined;
  /** The rule's whole text (labels and annotations). */
  text: string;
}

/**
 * The alerting rules of the (prettier-formatted) rules file. A line reader rather than a YAML
 * library (none is a dependency); the count is checked against promtool's own.
 */
function readAlertRules(text: string): AlertRule[] {
  return text
    .split(/^\s*- alert: /m)
    .slice(1)
    .map((block) => {
      const lines = block.split('\n');
      const alert = lines[0]!.trim();
      const exprAt = lines.findIndex((l) => /^\s+expr:/.test(l));
      const exprLine = lines[exprAt]!;
      let expr = exprLine.replace(/^\s+expr:\s*/, '');
      if (expr === '>-' || expr === '>' || expr === '|') {
        const indent = exprLine.search(/\S/);
        const body: string[] = [];
        for (const l of lines.slice(exprAt + 1)) {
          if (l.trim() !== '' && l.search(/\S/) <= indent) break;
          body.push(l.trim());
        }
        expr = body.join(' ');
      }
      const annotations = new Set<string>();
      for (const m of block.matchAll(/^\s+(summary|description|runbook_url):/gm)) annotations.add(m[1]!);
      return {
        alert,
        expr,
        severity: /^\s+severity:\s*(\S+)/m.exec(block)?.[1],
        annotations,
        runbookUrl: /^\s+runbook_url:\s*(\S+)/m.exec(block)?.[1],
        text: block,
      };
    });
}

/** Alert names the rule tests expect firing at some time, and those they expect quiet at some time. */
function readRuleTests(text: string): { firing: Set<string>; quiet: Set<string> } {
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const block of text.split(/^\s*- eval_time:/m).slice(1)) {
    const name = /alertname:\s*(\S+)/.exec(block)?.[1];
    if (name === undefined) continue;
    (/exp_alerts:\s*\[\]/.test(block) ? quiet : firing).add(name);
  }
  return { firing, quiet };
}

interface GrafanaTarget {
  expr?: string;
  legendFormat?: string;
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: GrafanaTarget[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
}
interface GrafanaDashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}

/** Every PromQL query of the dashboard: panel targets and query variables, with where it is. */
function dashboardQueries(d: GrafanaDashboard): { where: string; query: string; legend?: string }[] {
  const queries: { where: string; query: string; legend?: string }[] = [];
  for (const p of d.panels) {
    for (const t of p.targets ?? [])
      if (t.expr !== undefined)
        queries.push({
          where: `panel "${p.title}"`,
          query: t.expr,
          ...(t.legendFormat ? { legend: t.legendFormat } : {}),
        });
  }
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q !== undefined) queries.push({ where: `variable $${v.name}`, query: q });
  }
  return queries;
}

/**
 * What a scrape of a working appliance's /metrics returns, with samples in every metric group, at
 * an aggregation level (`mm2ts.metrics.level`; the appliance's default unless told).
 */
async function applianceExposition(level: MetricsLevel = DEFAULT_METRICS_LEVEL): Promise<string> {
  const metrics = createApplianceMetrics({ version: '0.0.0-test', level });
  const partition = metrics.source.partition({ source: 'A', target: 'B', topic: 'A.orders', partition: 0 });
  partition.polled(10, 1000, 5, 50, 200);
  partition.lag(3);
  partition.acked(10, 6, 60, 300);
  partition.lost(2);
  const group = metrics.checkpoint.partition({
    source: 'A',
    target: 'B',
    group: 'orders',
    topic: 'A.orders',
    partition: 0,
  });
  group.checkpointed(12);
  group.failover(1, 2);
  const route = metrics.checkpoint.route({ source: 'A', target: 'B' });
  route.offsetSync(Date.now() - 1000);
  route.checkpoint(Date.now() - 500);
  const ab = { route: 'A->B', source: 'A', target: 'B' };
  metrics.states.observe(() => [
    { ...ab, state: 'RUNNING' },
    { ...ab, connector: 'MirrorSourceConnector', state: 'RUNNING' },
    { ...ab, connector: 'MirrorSourceConnector', task: 0, state: 'FAILED' },
    { ...ab, connector: 'MirrorCheckpointConnector', state: 'RUNNING' },
    { ...ab, connector: 'MirrorCheckpointConnector', task: 0, state: 'RUNNING' },
  ]);
  // A route whose client to B uses TLS (mm2ts_tls_certificate_not_after_seconds).
  metrics.tls.set([
    { cluster: 'B', role: 'replication-producer', store: 'keystore', notAfter: new Date(Date.now() + 30 * 86_400_000) },
  ]);
  // Scraped over HTTP from the appliance's own server, as Prometheus would.
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry: metrics.registry,
    health: () => ({ status: 'healthy', message: 'test' }),
    logger: silentLogger(),
  });
  try {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    return await res.text();
  } finally {
    await server.close();
  }
}

/** Series names an exposition can produce: its families, plus the suffixed series of histograms and summaries. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Labels each family of an exposition carries (from its sample lines). */
function labelsByFamily(exposition: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of exposition.matchAll(/^([a-zA-Z_:][\w:]*)\{([^}]*)\}/gm)) {
    const [, name, body] = m as unknown as [string, string, string];
    const set = out.get(name) ?? new Set<string>();
    for (const l of body.matchAll(/(\w+)="/g)) set.add(l[1]!);
    out.set(name, set);
  }
  return out;
}

/**
 * Labels a query groups, joins or filters by (`by (…)`, `on (…)`, `{x=…}`) or shows (`{{x}}`,
 * `$labels.x`) that none of its metrics carries at `level`: what would silently go empty.
 */
function missingLabels(query: string, shown: string, families: Map<string, Set<string>>): string[] {
  const have = new Set<string>(['job', 'instance', '__name__']);
  for (const name of metricNames(query)) for (const l of families.get(name) ?? []) have.add(l);
  const wanted = new Set<string>();
  for (const m of query.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)) {
    for (const l of m[1]!.split(',')) if (l.trim() !== '') wanted.add(l.trim());
  }
  for (const m of query.matchAll(/\{([^}]*)\}/g))
    for (const l of m[1]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) wanted.add(l[1]!);
  for (const m of shown.matchAll(/\{\{\s*(\w+)\s*\}\}|\$labels\.(\w+)/g)) wanted.add((m[1] ?? m[2])!);
  return [...wanted].filter((l) => !have.has(l)).sort();
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

let rulesText: string;
let rules: AlertRule[];
let dashboard: GrafanaDashboard;
let exposition: string;
let exported: Set<string>;

beforeAll(async () => {
  rulesText = await readFile(RULES, 'utf8');
  rules = readAlertRules(rulesText);
  dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as GrafanaDashboard;
  exposition = await applianceExposition();
  exported = exportedNames(exposition);
});

// Without promtool every test that runs it fails with the install command: never a skip, and
// not a failed beforeAll either (vitest would count the tests as skipped).
// The first run of the binary on a fresh machine reads its ~50 MB from disk: 5 s was seen under a loaded unit run.
it('promtool is installed (Debian package prometheus: apt-get install prometheus)', async () => {
  const r = await promtool(['--version']);
  expect(r.code, r.stderr).toBe(0);
}, 30_000);

describe('Prometheus alert rules (deploy/prometheus)', () => {
  it('pass promtool check rules', async () => {
    const r = await promtool(['check', 'rules', RULES]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The line reader above saw every rule promtool saw.
    expect(r.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('pass their unit tests (promtool test rules): each alert fires where it must and stays quiet where it must not', async () => {
    const r = await promtool(['test', 'rules', RULE_TESTS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { firing, quiet } = readRuleTests(await readFile(RULE_TESTS, 'utf8'));
    for (const name of new Set(rules.map((rule) => rule.alert))) {
      expect(firing, `${name} has a test where it fires`).toContain(name);
      expect(quiet, `${name} has a test where it stays quiet`).toContain(name);
    }
  }, 15_000);

  /**
   * The rule tests catch a broken rule: each edit below breaks one rule the way a careless
   * change would, and the unchanged tests must then fail on that alert.
   */
  it('unit tests fail when a rule is broken', async () => {
    const breakages: { alert: string; from: string; to: string }[] = [
      { alert: 'MirrorMakerDown', from: 'up{job="mirrormaker-ts"} == 0', to: 'up{job="mirrormaker-ts"} == 1' },
      {
        alert: 'MirrorMakerNoRouteStarted',
        from: 'count by (job, instance) (mm2ts_connector_state{job="mirrormaker-ts"})',
        to: 'count by (job, instance) (up{job="mirrormaker-ts"} == 2)',
      },
      // Treating an operator's PAUSED as a fault.
      {
        alert: 'MirrorMakerConnectorNotRunning',
        from: 'state=~"FAILED|UNASSIGNED|RESTARTING"',
        to: 'state!="RUNNING"',
      },
      // Reading the 0 of a state set as the current state.
      {
        alert: 'MirrorMakerTaskFailed',
        from: 'mm2ts_task_state{state="FAILED"} == 1',
        to: 'mm2ts_task_state{state="FAILED"} >= 0',
      },
      {
        alert: 'MirrorMakerTaskNotRunning',
        from: 'state=~"UNASSIGNED|RESTARTING"} == 1',
        to: 'state=~"RESTARTING"} == 1',
      },
      // A high but shrinking lag (a catch-up) must not alert.
      {
        alert: 'MirrorMakerReplicationLagGrowing',
        from: 'deriv(mm2ts_source_replication_lag_records[10m])) > 0',
        to: 'deriv(mm2ts_source_replication_lag_records[10m])) > -1e9',
      },
      {
        alert: 'MirrorMakerRecoveryPointOld',
        from: '(mm2ts_source_recovery_point_timestamp_seconds) > 300',
        to: '(mm2ts_source_recovery_point_timestamp_seconds) > 3000',
      },
      // Checking the counter's value instead of its increase keeps the alert firing forever.
      {
        alert: 'MirrorMakerRecordsLostToRetention',
        from: 'increase(mm2ts_source_records_lost_to_retention_total[15m])',
        to: 'mm2ts_source_records_lost_to_retention_total',
      },
      // An idle route's offset-syncs age on purpose.
      {
        alert: 'MirrorMakerOffsetSyncsStale',
        from: '(rate(kafka_connect_mirror_source_connector_record_count[10m])) > 0',
        to: '(rate(kafka_connect_mirror_source_connector_record_count[10m])) >= 0',
      },
      // An idle group's checkpoint ages on purpose.
      {
        alert: 'MirrorMakerCheckpointsStale',
        from: 'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds) > 900',
        to: 'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds) > -1',
      },
    ];
    const dir = await mkdtemp(join(tmpdir(), 'mm2ts-alerts-'));
    try {
      const testFiles: string[] = [];
      for (const [i, b] of breakages.entries()) {
        expect(rulesText.split(b.from).length - 1, `"${b.from}" occurs once in the rules (update this test)`).toBe(1);
        const copy = join(dir, String(i));
        await mkdir(copy);
        await writeFile(join(copy, 'mirrormaker-ts-alerts.yml'), rulesText.replace(b.from, b.to));
        await copyFile(RULE_TESTS, join(copy, 'mirrormaker-ts-alerts.test.yml'));
        testFiles.push(join(copy, 'mirrormaker-ts-alerts.test.yml'));
      }
      // One promtool process per file: promtool prints failures on stderr and file names on
      // stdout, so only separate runs tell which file failed. Three at a time.
      const results: PromtoolResult[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < testFiles.length) {
          const i = next++;
          results[i] = await promtool(['test', 'rules', testFiles[i]!]);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      for (const [i, b] of breakages.entries()) {
        const r = results[i]!;
        expect(r.code, `breaking ${b.alert}: promtool test rules must fail`).toBe(1);
        expect(r.stderr, `breaking ${b.alert}`).toContain(`alertname: ${b.alert},`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('give every alert a severity, summary, description, a runbook section that exists and a line in docs/metrics.md', async () => {
    const runbook = await readFile(join(ROOT, RUNBOOK), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
    const metricsDoc = await readFile(join(ROOT, 'docs/metrics.md'), 'utf8');
    const alertsSection = metricsDoc.slice(metricsDoc.indexOf('## Alerts and dashboard'));
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const rule of rules) {
      expect(['critical', 'warning', 'info'], `${rule.alert} severity`).toContain(rule.severity);
      expect([...rule.annotations].sort(), rule.alert).toEqual(['description', 'runbook_url', 'summary']);
      const [file, section] = (rule.runbookUrl ?? '').split('#');
      expect(file, `${rule.alert} runbook_url`).toBe(RUNBOOK);
      expect(anchors, `${rule.alert}: ${RUNBOOK} has a heading for #${section}`).toContain(section);
      expect(alertsSection, `docs/metrics.md "Alerts and dashboard" lists ${rule.alert}`).toContain(
        `\`${rule.alert}\``,
      );
    }
  });

  it('read only metrics the appliance exports, and cover what operators alert on', () => {
    const used = new Set<string>();
    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) {
        expect(
          exported.has(name) || SCRAPE_SERIES.has(name),
          `${rule.alert} reads ${name}, which /metrics does not export`,
        ).toBe(true);
        used.add(name);
      }
    }
    expect([...used].sort()).toEqual(
      expect.arrayContaining([
        'up',
        'mm2ts_connector_state',
        'mm2ts_task_state',
        'mm2ts_source_replication_lag_records',
        'mm2ts_source_recovery_point_timestamp_seconds',
        'mm2ts_source_records_lost_to_retention_total',
        'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds',
        'mm2ts_checkpoint_newest_offset_sync_timestamp_seconds',
      ]),
    );
  });

  it('example Prometheus configuration (scrape job and rule file) passes promtool check config', async () => {
    const r = await promtool(['check', 'config', 'prometheus.example.yml'], { cwd: PROM_DIR });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe('Grafana dashboard (deploy/grafana/mirrormaker-ts.json)', () => {
  it('has a datasource variable, route/source/target filters, and every panel queries through the datasource variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('mirrormaker-ts');
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['route', 'source', 'target']) expect(vars.get(name)?.type, name).toBe('query');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size, 'panel ids are unique').toBe(ids.length);
    const dataPanels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(dataPanels.length).toBeGreaterThanOrEqual(15);
    for (const p of dataPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.expr, p.title).toMatch(/\S/);
      expect(p.gridPos, p.title).toBeDefined();
    }
  });

  it('reads only metrics the appliance exports, and shows throughput, lag, recovery point, latency, checkpoints, states and retention loss', () => {
    const used = new Set<string>();
    for (const { where, query } of dashboardQueries(dashboard)) {
      const names = metricNames(grafanaToPromql(query));
      expect(names.size, `${where} reads some metric`).toBeGreaterThan(0);
      for (const name of names) {
        expect(
          exported.has(name) || SCRAPE_SERIES.has(name),
          `${where} reads ${name}, which /metrics does not export`,
        ).toBe(true);
        used.add(name);
      }
    }
    expect([...used].sort()).toEqual(
      expect.arrayContaining([
        'kafka_connect_mirror_source_connector_record_count',
        'kafka_connect_mirror_source_connector_byte_count',
        'mm2ts_source_replication_lag_records',
        'kafka_connect_mirror_source_connector_record_age_ms_max',
        'mm2ts_source_recovery_point_timestamp_seconds',
        'kafka_connect_mirror_source_connector_replication_latency_ms_max',
        'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds',
        'mm2ts_connector_state',
        'mm2ts_task_state',
        'mm2ts_source_records_lost_to_retention_total',
      ]),
    );
  });

  it('has only valid PromQL (each query checked by promtool as a recording rule)', async () => {
    const queries = dashboardQueries(dashboard);
    const file = [
      'groups:',
      '  - name: dashboard',
      '    rules:',
      ...queries.flatMap(({ query }, i) => [
        `      - record: dashboard:query_${i}`,
        `        expr: ${JSON.stringify(grafanaToPromql(query))}`,
      ]),
      '',
    ].join('\n');
    const dir = await mkdtemp(join(tmpdir(), 'mm2ts-dashboard-'));
    try {
      await writeFile(join(dir, 'dashboard-rules.yml'), file);
      const r = await promtool(['check', 'rules', join(dir, 'dashboard-rules.yml')]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('/metrics exposition', () => {
  /**
   * promtool's lint findings the appliance accepts on purpose: Java MM2's JMX-exporter names are
   * kept so existing MM2 dashboards work (docs/metrics.md, "Naming"), and prom-client names its
   * own Node gauges `…_total`. Any other finding (a new metric of ours) fails.
   */
  const ACCEPTED_LINT = [
    /^kafka_connect_mirror_(source|checkpoint)_connector_\w+ metric names should not contain abbreviated units$/,
    /^kafka_connect_mirror_source_connector_(record|byte)_count counter metrics should have "_total" suffix$/,
    /^kafka_connect_mirror_source_connector_(record|byte)_count non-histogram and non-summary metrics should not have "_count" suffix$/,
    /^mm2ts_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/,
  ];

  it('passes promtool check metrics (parses; lint findings only the documented Java-compatible names)', async () => {
    const r = await promtool(['check', 'metrics'], { stdin: exposition });
    // 0: clean, 3: lint findings only; 1 would be an exposition Prometheus cannot parse.
    expect([0, 3], r.stdout + r.stderr).toContain(r.code);
    const findings = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '');
    const unexpected = findings.filter((f) => !ACCEPTED_LINT.some((re) => re.test(f)));
    expect(unexpected).toEqual([]);
    // Every mm2ts_ family of ours is in the exposition checked (none silently missing).
    for (const name of [
      'mm2ts_connector_state',
      'mm2ts_task_state',
      'mm2ts_source_replication_lag_records',
      'mm2ts_source_records_lost_to_retention_total',
      'mm2ts_source_recovery_point_timestamp_seconds',
      'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds',
      'mm2ts_checkpoint_failover_reread_records',
      'mm2ts_build_info',
    ]) {
      expect(exposition, name).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
  });

  it('promtool check metrics rejects a broken exposition and flags a badly named metric (the check can fail)', async () => {
    const broken = await promtool(['check', 'metrics'], { stdin: exposition + 'mm2ts_broken{route="A->B" 1\n' });
    expect(broken.code).toBe(1);
    const badName = await promtool(['check', 'metrics'], {
      stdin: exposition + '# HELP mm2ts_lag_ms x\n# TYPE mm2ts_lag_ms counter\nmm2ts_lag_ms 1\n',
    });
    const findings = (badName.stdout + badName.stderr).split('\n').filter((l) => l.trim() !== '');
    expect(findings.filter((f) => !ACCEPTED_LINT.some((re) => re.test(f))).join('\n')).toContain('mm2ts_lag_ms');
  });

  it('every level (mm2ts.metrics.level) passes promtool check metrics with the same families', async () => {
    for (const level of METRICS_LEVELS) {
      const text = level === DEFAULT_METRICS_LEVEL ? exposition : await applianceExposition(level);
      const r = await promtool(['check', 'metrics'], { stdin: text });
      expect([0, 3], `${level}: ${r.stdout}${r.stderr}`).toContain(r.code);
      const findings = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '');
      expect(
        findings.filter((f) => !ACCEPTED_LINT.some((re) => re.test(f))),
        level,
      ).toEqual([]);
      expect([...exportedNames(text)].sort(), level).toEqual([...exported].sort());
    }
  });

  it('at the default level, the rules and the dashboard find every label they group by, filter on or show', async () => {
    const queries = [
      ...rules.map((r) => ({ where: r.alert, query: r.expr, shown: r.text })),
      ...dashboardQueries(dashboard).map((q) => ({
        where: q.where,
        query: grafanaToPromql(q.query),
        shown: q.legend ?? '',
      })),
    ];
    const missingAt = (families: Map<string, Set<string>>): string[] =>
      queries.flatMap(({ where, query, shown }) => missingLabels(query, shown, families).map((l) => `${where}: ${l}`));
    expect(missingAt(labelsByFamily(exposition))).toEqual([]);
    // The check can fail: per route, the per-topic retention-loss alert and panel lose `topic`
    // (docs/metrics.md says so).
    const routeLevel = missingAt(labelsByFamily(await applianceExposition('route')));
    expect(routeLevel).toContain('MirrorMakerRecordsLostToRetention: topic');
    expect(
      routeLevel.every((m) => m.endsWith(': topic')),
      routeLevel.join('\n'),
    ).toBe(true);
  });

  it('the metric-name extractor finds every bare name and nothing else', () => {
    expect(
      [
        ...metricNames(
          'sum by (source, target) (rate(a_total{x="y", job=~"$job"}[$__rate_interval])) > 0 and on (job) b - time() unless c:rec offset 5m',
        ),
      ].sort(),
    ).toEqual(['a_total', 'b', 'c:rec']);
    expect([...metricNames(grafanaToPromql('label_values(mm2ts_connector_state{job=~"$job"}, route)'))]).toEqual([
      'mm2ts_connector_state',
    ]);
    expect([...metricNames('count(x == 1) or vector(0)')]).toEqual(['x']);
  });
});
