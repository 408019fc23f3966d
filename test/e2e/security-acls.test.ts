import { X509Certificate } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorAcl } from '../../src/cli/commands/acls.ts';
import type { AclBinding } from '../../src/kafka/index.ts';
import { scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { requireSasl, requireTls, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';
import {
  metricValue,
  notRunning,
  SINGLE_BROKER_LINES,
  waitForMirror,
  type StatusResponse,
} from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, total } from '../support/records.ts';

// Then the mirror itself with one ACL missing per route: each refusal named for its feature
// (docs/security.md lists what each one shows), the other features working on.
//
// `mm2 config check` against the secured test bed: the super user passes every check, a wrong
// SCRAM password is an authentication failure naming the key, and the least-privileged principal
// (the bed's CN=mm2-mirror certificate) with every ACL `mm2 acls` prints but one is reported not
// authorized for exactly that operation. Nothing here revokes ACLs (the port cannot delete them):
// the one left out is on resources under this file's unique prefix, which no other test grants.

const REPO_ROOT = join(import.meta.dirname, '..', '..');

interface Answer {
  code: number;
  stdout: string;
  stderr: string;
}

function mm2(args: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'src', 'cli', 'mm2-bin.ts'), ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

interface Report {
  ok: boolean;
  clusters: {
    cluster: string;
    principal: string;
    roles: string[];
    checks: { check: string; status: string; message: string; key?: string }[];
  }[];
}

describe('least privilege on secured clusters: mm2 config check, and one ACL missing', () => {
  const kafka = testKafka();
  const t = useMirrorTestContext(kafka.clusters);
  const tls = requireTls(kafka);
  const sasl = requireSasl(kafka);
  const files = tls.files;
  let dir: string;
  const file = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'security-acls-e2e-'));
    writeFileSync(
      file('mirror-all.pem'),
      readFileSync(files.mirror.keyFile, 'utf8') + readFileSync(files.mirror.certFile, 'utf8'),
    );
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scram = (alias: 'A' | 'B', password: string): string[] => [
    `${alias}.bootstrap.servers = ${tls.saslSsl[alias]}`,
    `${alias}.security.protocol = SASL_SSL`,
    `${alias}.sasl.mechanism = SCRAM-SHA-512`,
    `${alias}.sasl.jaas.config = ${scramJaasConfig({ name: sasl.users.admin.name, password })}`,
    `${alias}.ssl.truststore.type = PEM`,
    `${alias}.ssl.truststore.location = ${files.caFile}`,
  ];

  it('passes every check for the super user, and names the key of a wrong password as an authentication failure', async () => {
    const good = file('admin.properties');
    writeFileSync(
      good,
      [
        'clusters = A, B',
        ...SINGLE_BROKER_LINES,
        ...scram('A', sasl.users.admin.password),
        ...scram('B', sasl.users.admin.password),
        'A->B.enabled = true',
      ].join('\n'),
    );
    const ok = await mm2(['config', 'check', good, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.clusters.map((c) => c.cluster).sort()).toEqual(['A', 'B']);
    for (const c of report.clusters) {
      expect(
        c.checks.filter((x) => x.status === 'failed'),
        c.cluster,
      ).toEqual([]);
      expect(c.checks.find((x) => x.check === 'authenticated')?.message).toMatch(
        `SASL SCRAM-SHA-512 as User:${sasl.users.admin.name}`,
      );
      expect(c.checks.filter((x) => x.check === 'authorized' && x.status === 'ok').length).toBeGreaterThan(0);
      // The broker's certificate, read with the same trust store.
      expect(c.checks.find((x) => x.check === 'TLS')?.message).toMatch(
        /^SASL_SSL: the broker certificate \(subject CN=[^)]+\) is trusted$/,
      );
    }

    const wrongPassword = 'not-the-Password-42';
    const bad = file('wrong-password.properties');
    writeFileSync(
      bad,
      [
        'clusters = A, B',
        ...SINGLE_BROKER_LINES,
        ...scram('A', wrongPassword),
        ...scram('B', sasl.users.admin.password),
        'A->B.enabled = true',
      ].join('\n'),
    );
    const started = Date.now();
    const failed = await mm2(['config', 'check', bad, '--json']);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const badReport = JSON.parse(failed.stdout) as Report;
    const a = badReport.clusters.find((c) => c.cluster === 'A')!;
    expect(a.checks).toEqual([
      expect.objectContaining({ check: 'authenticated', status: 'failed', key: 'A.sasl.jaas.config' }),
    ]);
    expect(a.checks[0]!.message).toMatch(/cluster A: authentication failed/);
    expect(badReport.clusters.find((c) => c.cluster === 'B')!.checks.every((x) => x.status !== 'failed')).toBe(true);
    // The text form says the same.
    const text = await mm2(['config', 'check', bad]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAIL authenticated: cluster A: authentication failed.*\[A\.sasl\.jaas\.config\]/);
    for (const out of [ok, failed, text]) {
      expect(out.stdout + out.stderr).not.toContain(wrongPassword);
      expect(out.stdout + out.stderr).not.toContain(sasl.users.admin.password);
    }
  });

  it('reports the least-privileged principal not authorized for the one operation whose ACL is missing', async () => {
    const prefix = uniqueName('cc');
    const side = (alias: 'A' | 'B'): string[] => [
      `${alias}.bootstrap.servers = ${tls.ssl[alias]}`,
      `${alias}.security.protocol = SSL`,
      `${alias}.ssl.keystore.type = PEM`,
      `${alias}.ssl.keystore.location = ${file('mirror-all.pem')}`,
      `${alias}.ssl.truststore.type = PEM`,
      `${alias}.ssl.truststore.location = ${files.caFile}`,
    ];
    const mmFile = file('least-privilege.properties');
    writeFileSync(
      mmFile,
      [
        'clusters = A, B',
        ...SINGLE_BROKER_LINES,
        ...side('A'),
        ...side('B'),
        'A->B.enabled = true',
        `A->B.topics = ${prefix}-.*`,
        `A->B.groups = ${prefix}-.*`,
      ].join('\n'),
    );
    const printed = await mm2(['acls', mmFile, '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const acls = JSON.parse(printed.stdout) as {
      cluster: string;
      principal: string;
      resourceType: string;
      patternType: string;
      name: string;
      operations: string[];
      reason: string;
    }[];
    // Left out: Describe on the source's groups, which the checkpoint connector needs.
    const missing = (a: (typeof acls)[number], op: string): boolean =>
      a.cluster === 'A' && a.resourceType === 'group' && a.name === `${prefix}-` && op === 'Describe';
    expect(acls.some((a) => a.operations.some((op) => missing(a, op)))).toBe(true);
    const bindings = (alias: string): AclBinding[] =>
      acls
        .filter((a) => a.cluster === alias)
        .flatMap((a) =>
          a.operations
            .filter((op) => !missing(a, op))
            .map((op): AclBinding => ({
              resourceType: a.resourceType.toUpperCase() as AclBinding['resourceType'],
              resourceName: a.name,
              patternType: a.patternType.toUpperCase() as AclBinding['patternType'],
              principal: a.principal,
              host: '*',
              operation: op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
              permission: 'ALLOW',
            })),
        );
    for (const [alias, admin] of [
      ['A', t.adminA],
      ['B', t.adminB],
    ] as const) {
      await admin.createAcls(bindings(alias));
      await waitFor(
        `the mirror's ACLs in effect on ${alias}`,
        () => admin.describeAcls({ resourceType: 'ANY' }),
        (all) => {
          const key = (b: AclBinding): string => `${b.resourceType}/${b.patternType}/${b.resourceName}/${b.operation}`;
          const present = new Set(all.filter((b) => b.principal === 'User:CN=mm2-mirror').map(key));
          return bindings(alias).every((b) => present.has(key(b)));
        },
        30_000,
      );
    }
    const checked = await mm2(['config', 'check', mmFile, '--json']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(1);
    const report = JSON.parse(checked.stdout) as Report;
    const failures = report.clusters.flatMap((c) => c.checks.filter((x) => x.status === 'failed'));
    expect(failures, JSON.stringify(report, null, 2)).toHaveLength(1);
    expect(failures[0]!.message).toMatch(
      `cluster A: User:CN=mm2-mirror is not authorized for Describe on group prefixed '${prefix}-', needed for A->B checkpoints`,
    );
    expect(failures[0]!.message).toMatch(/GROUP_AUTHORIZATION_FAILED.*kafka-acls\.sh .*--operation Describe --group/);
    // The other harmless checks ran and passed: Describe/DescribeConfigs of the internal topics on B.
    const b = report.clusters.find((c) => c.cluster === 'B')!;
    expect(b.principal).toBe('User:CN=mm2-mirror');
    expect(
      b.checks.some((x) => x.status === 'ok' && /DescribeConfigs on topic 'mm2-offsets\.A\.internal'/.test(x.message)),
    ).toBe(true);
  });
  it('a mirror missing one ACL names it: Write on the remote topics fails the source task (/status, /ready), Write on the offset-syncs topic is logged per send', async () => {
    // Three routes in one process, each its own pair of aliases on the bed's A and B (so its
    // internal topics have names of its own), each missing one ACL `mm2 acls` prints.
    const id = uniqueName('x').replace(/[^a-z0-9]/g, '');
    const prefix = uniqueName('rm');
    const features = [
      { name: 'data', missing: { cluster: 'B', op: 'Write', topic: (s: string) => `${s}.${prefix}-` } },
      {
        name: 'syncs',
        missing: { cluster: 'A', op: 'Write', topic: (_s: string, t: string) => `mm2-offset-syncs.${t}.internal` },
      },
    ].map((f) => ({ ...f, source: `S${f.name}${id}`, target: `T${f.name}${id}` }));
    const onCluster = new Map<string, 'A' | 'B'>(
      features.flatMap(
        (f) =>
          [
            [f.source, 'A'],
            [f.target, 'B'],
          ] as const,
      ),
    );
    const lines = [
      'clusters = ' + [...onCluster.keys()].join(', '),
      ...SINGLE_BROKER_LINES,
      'emit.heartbeats.enabled = false',
      'sync.topic.acls.enabled = false',
      'refresh.topics.interval.seconds = 2',
    ];
    for (const [alias, cluster] of onCluster) {
      lines.push(
        `${alias}.bootstrap.servers = ${tls.ssl[cluster]}`,
        `${alias}.security.protocol = SSL`,
        `${alias}.ssl.keystore.type = PEM`,
        `${alias}.ssl.keystore.location = ${file('mirror-all.pem')}`,
        `${alias}.ssl.truststore.type = PEM`,
        `${alias}.ssl.truststore.location = ${files.caFile}`,
        `${alias}.offset.flush.interval.ms = 1000`,
      );
    }
    for (const f of features)
      lines.push(`${f.source}->${f.target}.enabled = true`, `${f.source}->${f.target}.topics = ${prefix}-.*`);
    const properties = lines.join('\n');
    const mmFile = file('one-missing.properties');
    writeFileSync(mmFile, properties);
    const printed = await mm2(['acls', mmFile, '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const acls = JSON.parse(printed.stdout) as MirrorAcl[];
    const omitted = (a: (typeof acls)[number], op: string): boolean =>
      features.some(
        (f) =>
          a.cluster === (f.missing.cluster === 'A' ? f.source : f.target) &&
          a.name === f.missing.topic(f.source, f.target) &&
          op === f.missing.op,
      );
    for (const f of features) {
      expect(
        acls.some((a) => a.operations.some((op) => omitted(a, op) && a.name === f.missing.topic(f.source, f.target))),
        f.name,
      ).toBe(true);
    }
    for (const [bed, admin] of [
      ['A', t.adminA],
      ['B', t.adminB],
    ] as const) {
      const bindings = acls
        .filter((a) => onCluster.get(a.cluster) === bed)
        .flatMap((a) =>
          a.operations
            .filter((op) => !omitted(a, op))
            .map((op): AclBinding => ({
              resourceType: a.resourceType.toUpperCase() as AclBinding['resourceType'],
              resourceName: a.name,
              patternType: a.patternType.toUpperCase() as AclBinding['patternType'],
              principal: a.principal,
              host: '*',
              operation: op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
              permission: 'ALLOW',
            })),
        );
      await admin.createAcls(bindings);
      const key = (b: AclBinding): string => `${b.resourceType}/${b.patternType}/${b.resourceName}/${b.operation}`;
      await waitFor(
        `the mirror's ACLs in effect on ${bed}`,
        () => admin.describeAcls({ resourceType: 'ANY' }),
        (all) => {
          const present = new Set(all.filter((b) => b.principal === 'User:CN=mm2-mirror').map(key));
          return bindings.every((b) => present.has(key(b)));
        },
        30_000,
      );
    }
    const topic = `${prefix}-orders`;
    await t.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await (await t.a.recordSink()).send(topic, makeRecords(5, 1, 3));

    const mm = await t.start(properties);
    /** Every FAILED unit of a route with its error text: route error, connector or task trace. */
    const failures = (status: StatusResponse, route: string): string[] => {
      const r = status.routes.find((x) => x.route === route);
      if (!r) return [];
      return [
        ...(r.state === 'FAILED' ? [`route: ${r.error ?? ''}`] : []),
        ...r.connectors.flatMap((c) => [
          ...(c.state === 'FAILED' ? [`${c.name}: ${c.trace ?? ''}`] : []),
          ...c.tasks.filter((k) => k.state === 'FAILED').map((k) => `${c.name}/${k.id}: ${k.trace ?? ''}`),
        ]),
      ];
    };
    // Topic data: the source task FAILED, in /status and /ready, naming the remote topic.
    const data = features[0]!;
    const dataRoute = `${data.source}->${data.target}`;
    const remote = `${data.source}.${topic}`;
    const status = await waitForMirror(
      mm,
      `the source task of ${dataRoute} FAILED`,
      () => mm.status(),
      (st) => failures(st, dataRoute).length > 0,
      30_000,
    );
    const failed = failures(status, dataRoute).join('\n');
    expect(failed).toMatch(/^MirrorSourceConnector\/0: KafkaPortError: TOPIC_AUTHORIZATION_FAILED/);
    expect(failed).toContain(`op=produce topic=${remote}`);
    const ready = await mm.ready();
    expect(ready.code).toBe(503);
    expect(notRunning(ready)).toContainEqual(
      expect.objectContaining({
        route: dataRoute,
        connector: 'MirrorSourceConnector',
        task: 0,
        state: 'FAILED',
        error: expect.stringContaining(`TOPIC_AUTHORIZATION_FAILED`),
      }),
    );
    // The client certificate's expiry, per cluster alias and role, as the process set it at start.
    const notAfter = new Date(new X509Certificate(readFileSync(files.mirror.certFile)).validTo).getTime() / 1000;
    const samples = await mm.metrics();
    const name = 'mm2ts_tls_certificate_not_after_seconds';
    expect(metricValue(samples, name, { cluster: data.source, role: 'replication-consumer', store: 'keystore' })).toBe(
      notAfter,
    );
    expect(
      metricValue(samples, name, { cluster: data.target, role: 'replication-target-admin', store: 'keystore' }),
    ).toBe(notAfter);
    // Offset syncs: as Java's MirrorSourceTask, a failed offset-sync send is logged ("Failure
    // sending offset sync.") and replication goes on: the log names the topic and the error.
    const syncs = features[1]!;
    const syncsTopic = syncs.missing.topic(syncs.source, syncs.target);
    await waitForMirror(
      mm,
      `the offset-sync failure logged for ${syncsTopic}`,
      async () => mm.output(),
      (out) =>
        out
          .split('\n')
          .some(
            (l) =>
              l.includes('Failure sending offset sync') &&
              l.includes(`topic=${syncsTopic}`) &&
              l.includes('TOPIC_AUTHORIZATION_FAILED'),
          ),
      30_000,
    );
  });
  it('names each refused ACL for its feature while the other features work: one mirror, one ACL missing per route', async () => {
    // A principal of its own (a client certificate from the bed's CA), so that no ACL another test
    // granted to CN=mm2-mirror (`heartbeats`, the clusters) can stand in for one left out here.
    const id = uniqueName('f').replace(/[^a-z0-9]/g, '');
    const cn = `mm2-acl-${id}`;
    const principal = `User:CN=${cn}`;
    const key = file(`${cn}.key`);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', file(`${cn}.csr`)]);
    writeFileSync(file(`${cn}.ext`), 'extendedKeyUsage=clientAuth\n');
    execFileSync('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${cn}.csr`),
      '-CA',
      files.caFile,
      '-CAkey',
      join(files.dir, 'ca.key'),
      '-set_serial',
      `0x${Date.now().toString(16)}`,
      '-days',
      '2',
      '-sha256',
      '-extfile',
      file(`${cn}.ext`),
      '-out',
      file(`${cn}.pem`),
    ]);
    writeFileSync(file(`${cn}-all.pem`), readFileSync(key, 'utf8') + readFileSync(file(`${cn}.pem`), 'utf8'));

    const prefix = uniqueName('fa');
    type Bed = 'A' | 'B';
    interface Missing {
      bed: Bed;
      op: string;
      /** The resource name as `mm2 acls` prints it. */
      name: (r: Route) => string;
    }
    interface Route {
      name: string;
      source: string;
      target: string;
      from: Bed;
      to: Bed;
      lines: string[];
      missing: Missing[];
    }
    const route = (name: string, from: Bed, lines: string[], missing: Missing[]): Route => ({
      name,
      source: `S${name}${id}`,
      target: `T${name}${id}`,
      from,
      to: from === 'A' ? 'B' : 'A',
      lines,
      missing,
    });
    const remotePrefix = (r: Route): string => `${r.source}.${prefix}-${r.name}-`;
    const groupPrefix = (r: Route): string => `${prefix}-${r.name}-`;
    // Four routes, each its own pair of aliases (internal topics of its own); the ACLs left out of
    // one route are of features that do not depend on one another.
    const routes = [
      // Checkpoints: Write on an existing checkpoints topic. Topic config sync: AlterConfigs on the
      // remote topics. Heartbeats (see below).
      route(
        'ck',
        'A',
        ['emit.heartbeats.enabled = true'],
        [
          { bed: 'B', op: 'Write', name: (r) => `${r.source}.checkpoints.internal` },
          { bed: 'B', op: 'AlterConfigs', name: remotePrefix },
        ],
      ),
      // Offset syncs: Create on the offset-syncs topic (on the source).
      route('os', 'A', [], [{ bed: 'A', op: 'Create', name: (r) => `mm2-offset-syncs.${r.target}.internal` }]),
      // The checkpoint side's Read of the offset-syncs topic. Topic config sync: DescribeConfigs on
      // the source topics. ACL sync: Describe on the source cluster.
      route(
        'rd',
        'A',
        ['sync.topic.acls.enabled = true'],
        [
          { bed: 'A', op: 'Read', name: (r) => `mm2-offset-syncs.${r.target}.internal` },
          { bed: 'A', op: 'DescribeConfigs', name: (r) => `${prefix}-${r.name}-` },
          { bed: 'A', op: 'Describe', name: () => 'kafka-cluster' },
        ],
      ),
      // B->A. Group offset sync: Read on the target's groups. ACL sync: Alter on the target cluster.
      route(
        'gb',
        'B',
        ['sync.group.offsets.enabled = true', 'sync.topic.acls.enabled = true', 'emit.heartbeats.enabled = true'],
        [
          { bed: 'A', op: 'Read', name: groupPrefix },
          { bed: 'A', op: 'Alter', name: () => 'kafka-cluster' },
        ],
      ),
    ];
    // Heartbeats: Write on `heartbeats` on B (`ck` writes its heartbeats there, `gb` to A).
    const heartbeatsMissing: Missing = { bed: 'B', op: 'Write', name: () => 'heartbeats' };
    const bedOf = new Map<string, Bed>(routes.flatMap((r) => [[r.source, r.from] as const, [r.target, r.to] as const]));
    const lines = [
      'clusters = ' + [...bedOf.keys()].join(', '),
      ...SINGLE_BROKER_LINES,
      'sync.topic.acls.enabled = false',
      'sync.topic.configs.interval.seconds = 1',
      'sync.topic.acls.interval.seconds = 1',
      'emit.checkpoints.interval.seconds = 1',
      'sync.group.offsets.interval.seconds = 1',
      // Heartbeats on for two routes only: on everywhere, every pair of the 8 aliases would be a
      // heartbeat route (as in Java).
      'emit.heartbeats.enabled = false',
      'emit.heartbeats.interval.seconds = 1',
      'heartbeats.replication.enabled = false',
      'refresh.topics.interval.seconds = 2',
      'refresh.groups.interval.seconds = 2',
    ];
    for (const [alias, bed] of bedOf) {
      lines.push(
        `${alias}.bootstrap.servers = ${tls.ssl[bed]}`,
        `${alias}.security.protocol = SSL`,
        `${alias}.ssl.keystore.type = PEM`,
        `${alias}.ssl.keystore.location = ${file(`${cn}-all.pem`)}`,
        `${alias}.ssl.truststore.type = PEM`,
        `${alias}.ssl.truststore.location = ${files.caFile}`,
        `${alias}.offset.flush.interval.ms = 1000`,
      );
    }
    for (const r of routes) {
      const flow = `${r.source}->${r.target}`;
      lines.push(
        `${flow}.enabled = true`,
        `${flow}.topics = ${prefix}-${r.name}-.*`,
        `${flow}.groups = ${prefix}-${r.name}-.*`,
      );
      lines.push(...r.lines.map((l) => `${flow}.${l}`));
    }
    const properties = lines.join('\n');
    const mmFile = file('features.properties');
    writeFileSync(mmFile, properties);
    const printed = await mm2(['acls', mmFile, '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const acls = JSON.parse(printed.stdout) as MirrorAcl[];
    expect(new Set(acls.map((a) => a.principal))).toEqual(new Set([principal]));
    // One ACL of the printed list is left out per entry; several routes print the same cluster or
    // `heartbeats` ACL, so an ACL is matched by bed, resource and operation.
    const omissions = [
      ...routes.flatMap((r) => r.missing.map((m) => ({ bed: m.bed, op: m.op, name: m.name(r) }))),
      { bed: heartbeatsMissing.bed, op: heartbeatsMissing.op, name: 'heartbeats' },
    ];
    const omitted = (a: (typeof acls)[number], op: string): boolean =>
      omissions.some((m) => bedOf.get(a.cluster) === m.bed && a.name === m.name && op === m.op);
    for (const m of omissions) {
      expect(
        acls.some((a) => a.operations.some((op) => omitted(a, op) && a.name === m.name)),
        `${m.op} on ${m.name} is in the printed list`,
      ).toBe(true);
    }
    const toBinding = (a: (typeof acls)[number], op: string): AclBinding => ({
      resourceType: a.resourceType.toUpperCase() as AclBinding['resourceType'],
      resourceName: a.name,
      patternType: a.patternType.toUpperCase() as AclBinding['patternType'],
      principal: a.principal,
      host: '*',
      operation: op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
      permission: 'ALLOW',
    });
    const aclKey = (b: AclBinding): string => `${b.resourceType}/${b.patternType}/${b.resourceName}/${b.operation}`;
    for (const [bed, admin] of [
      ['A', t.adminA],
      ['B', t.adminB],
    ] as const) {
      const bindings = acls
        .filter((a) => bedOf.get(a.cluster) === bed)
        .flatMap((a) => a.operations.filter((op) => !omitted(a, op)).map((op) => toBinding(a, op)));
      await admin.createAcls(bindings);
      await waitFor(
        `the mirror's ACLs in effect on ${bed}`,
        () => admin.describeAcls({ resourceType: 'ANY' }),
        (all) => {
          const present = new Set(all.filter((b) => b.principal === principal).map(aclKey));
          return bindings.every((b) => present.has(aclKey(b)));
        },
        30_000,
      );
    }

    // Per route: a topic with 5 records and a group with a committed offset, on its source bed.
    const byName = new Map(routes.map((r) => [r.name, r]));
    const r = (name: string): Route => byName.get(name)!;
    const topicOf = (x: Route): string => `${prefix}-${x.name}-orders`;
    const groupOf = (x: Route): string => `${prefix}-${x.name}-app`;
    const bedAdmin = (bed: Bed) => (bed === 'A' ? t.adminA : t.adminB);
    for (const x of routes) {
      const admin = bedAdmin(x.from);
      await admin.createTopics([{ name: topicOf(x), partitions: 1, replicationFactor: 1 }]);
      await (await (x.from === 'A' ? t.a : t.b).recordSink()).send(topicOf(x), makeRecords(5, 1, 3));
      await admin.commitGroupOffsets(groupOf(x), [{ topic: topicOf(x), partition: 0, offset: 3n }]);
    }
    // What exists beforehand: the checkpoints topic (Write is what is refused, not Create), and the
    // remote topic of `cf` (without DescribeConfigs it could not be created with the source configs).
    await t.adminB.createTopics([
      {
        name: `${r('ck').source}.checkpoints.internal`,
        partitions: 1,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact' },
      },
      { name: `${r('rd').source}.${topicOf(r('rd'))}`, partitions: 1, replicationFactor: 1 },
    ]);
    // A topic ACL on `ab`'s source for its ACL sync to copy.
    await t.adminB.createAcls([
      {
        resourceType: 'TOPIC',
        resourceName: topicOf(r('gb')),
        patternType: 'LITERAL',
        principal: `User:reader-${id}`,
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
    ]);

    // (listOffsets of a topic that is not there would be retried for ~25 s.)
    const heartbeatsBefore = (await t.adminA.listTopics()).includes('heartbeats')
      ? total(await endOffsets(t.adminA, 'heartbeats'))
      : 0n;
    const started = Date.now();
    const mm = await t.start(properties);
    const flow = (x: Route): string => `${x.source}->${x.target}`;
    const connector = (st: StatusResponse, x: Route, name: string) =>
      st.routes.find((y) => y.route === flow(x))?.connectors.find((c) => c.name === name) as
        (StatusResponse['routes'][number]['connectors'][number] & { warnings?: string[] }) | undefined;
    const refusal = (x: Route, op: string, what: string, feature: string): string =>
      `${principal} is not authorized for ${op} on ${what}, needed for ${flow(x)} ${feature}`;
    const checks: { what: string; ok: (st: StatusResponse, log: string) => boolean }[] = [
      {
        what: 'ck: checkpoint task FAILED naming Write on the checkpoints topic',
        ok: (st) =>
          connector(st, r('ck'), 'MirrorCheckpointConnector')?.tasks.some(
            (k) =>
              k.state === 'FAILED' &&
              (k.trace ?? '').includes(
                refusal(r('ck'), 'Write', `topic '${r('ck').source}.checkpoints.internal'`, 'checkpoints'),
              ),
          ) === true,
      },
      {
        what: 'ck: topic config sync refused (AlterConfigs on the remote topic) in /status warnings',
        ok: (st) =>
          connector(st, r('ck'), 'MirrorSourceConnector')?.warnings?.some((w) =>
            w.includes(
              refusal(r('ck'), 'AlterConfigs', `topic '${r('ck').source}.${topicOf(r('ck'))}'`, 'topic config sync'),
            ),
          ) === true,
      },
      {
        what: 'os: source connector FAILED naming Create on the offset-syncs topic and the grant',
        ok: (st) => {
          const c = connector(st, r('os'), 'MirrorSourceConnector');
          const topic = `mm2-offset-syncs.${r('os').target}.internal`;
          return (
            c?.state === 'FAILED' &&
            (c.trace ?? '').includes(refusal(r('os'), 'Create', `topic '${topic}'`, 'offset syncs')) &&
            (c.trace ?? '').includes(`kafka-acls.sh --bootstrap-server ${tls.ssl['A']}`)
          );
        },
      },
      {
        what: 'rd: checkpoint task FAILED naming Read on the offset-syncs topic',
        ok: (st) =>
          connector(st, r('rd'), 'MirrorCheckpointConnector')?.tasks.some(
            (k) =>
              k.state === 'FAILED' &&
              (k.trace ?? '').includes(
                refusal(r('rd'), 'Read', `topic 'mm2-offset-syncs.${r('rd').target}.internal'`, 'checkpoints'),
              ),
          ) === true,
      },
      {
        what: 'gb: group offset sync refused (Read on the group) logged',
        ok: (_st, log) => log.includes(refusal(r('gb'), 'Read', `group '${groupOf(r('gb'))}'`, 'group offset sync')),
      },
      {
        what: 'rd: topic config sync refused (DescribeConfigs on the source topic) in /status warnings',
        ok: (st) =>
          connector(st, r('rd'), 'MirrorSourceConnector')?.warnings?.some((w) =>
            w.includes(refusal(r('rd'), 'DescribeConfigs', `topic '${topicOf(r('rd'))}'`, 'topic config sync')),
          ) === true,
      },
      {
        what: 'rd: ACL sync refused (Describe on the source cluster) in /status warnings',
        ok: (st) =>
          connector(st, r('rd'), 'MirrorSourceConnector')?.warnings?.some((w) =>
            w.includes(refusal(r('rd'), 'Describe', 'the cluster', 'ACL sync')),
          ) === true,
      },
      {
        what: 'gb: ACL sync refused (Alter on the target cluster) in /status warnings',
        ok: (st) =>
          connector(st, r('gb'), 'MirrorSourceConnector')?.warnings?.some((w) =>
            w.includes(refusal(r('gb'), 'Alter', 'the cluster', 'ACL sync')),
          ) === true,
      },
      {
        what: 'heartbeats: the heartbeat task of a route to B FAILED naming Write on heartbeats',
        ok: (st) =>
          connector(st, r('ck'), 'MirrorHeartbeatConnector')?.tasks.some(
            (k) =>
              k.state === 'FAILED' &&
              (k.trace ?? '').includes(refusal(r('ck'), 'Write', "topic 'heartbeats'", 'heartbeats')),
          ) === true,
      },
    ];
    let last: StatusResponse | undefined;
    let pending: string[] = [];
    try {
      await waitForMirror(
        mm,
        'every refusal named',
        async () => ({ st: (last = await mm.status()), log: mm.output() }),
        ({ st, log }) => {
          pending = checks.filter((c) => !c.ok(st, log)).map((c) => c.what);
          return pending.length === 0;
        },
        60_000,
      );
    } catch (err) {
      throw new Error(`not shown: ${pending.join('; ')}\n${(err as Error).message}`, { cause: err });
    }
    // Each refusal stays with its feature: data and checkpoints flow where nothing they need is refused.
    await waitForMirror(
      mm,
      'records of ck and rd on B; checkpoints and heartbeats of gb on A',
      async () => ({
        ck: await endOffsets(t.adminB, `${r('ck').source}.${topicOf(r('ck'))}`).catch(() => new Map<number, bigint>()),
        rd: await endOffsets(t.adminB, `${r('rd').source}.${topicOf(r('rd'))}`).catch(() => new Map<number, bigint>()),
        gb: await endOffsets(t.adminA, `${r('gb').source}.checkpoints.internal`).catch(() => new Map<number, bigint>()),
        hb: await endOffsets(t.adminA, 'heartbeats').catch(() => new Map<number, bigint>()),
        st: await mm.status(),
      }),
      (x) =>
        total(x.ck) === 5n &&
        total(x.rd) === 5n &&
        total(x.gb) > 0n &&
        total(x.hb) > heartbeatsBefore &&
        connector(x.st, r('gb'), 'MirrorHeartbeatConnector')?.tasks.every((k) => k.state === 'RUNNING') === true &&
        connector(x.st, r('gb'), 'MirrorCheckpointConnector')?.tasks.every((k) => k.state === 'RUNNING') === true,
      30_000,
    );
    const ready = await mm.ready();
    expect(ready.code).toBe(503);
    expect(notRunning(ready)).toContainEqual(
      expect.objectContaining({ route: flow(r('ck')), connector: 'MirrorCheckpointConnector', state: 'FAILED' }),
    );
    // One line of each kind, for the report.
    const st = last!;
    const firstLine = (s?: string): string => (s ?? '').split('\n')[0] ?? '';
    console.log(
      `[acls] all refusals named ${Math.round((Date.now() - started) / 1000)} s after start:\n` +
        [
          firstLine(connector(st, r('ck'), 'MirrorCheckpointConnector')?.tasks[0]?.trace),
          firstLine(connector(st, r('os'), 'MirrorSourceConnector')?.trace),
          firstLine(connector(st, r('rd'), 'MirrorCheckpointConnector')?.tasks[0]?.trace),
          ...(['ck', 'rd', 'gb'] as const).flatMap((n) => connector(st, r(n), 'MirrorSourceConnector')?.warnings ?? []),
          firstLine(connector(st, r('ck'), 'MirrorHeartbeatConnector')?.tasks[0]?.trace),
          ...mm
            .output()
            .split('\n')
            .filter((l) => l.includes('group offset sync refused') || l.includes('could not describe the group'))
            .slice(0, 2),
        ].join('\n'),
    );
    // Nothing is checked after this: a graceful stop (final checkpoint rounds bounded at 10 s, a
    // source connector in its start backoff) would only cost CI time.
    t.forget(mm);
    mm.signal('SIGKILL');
    await mm.exited;
  });
});
