import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorAcl } from '../../src/cli/commands/acls.ts';
import { toKafkaClientSettings } from '../../src/config/client-settings.ts';
import { openKafkaCluster, type AclBinding } from '../../src/kafka/index.ts';
import { signTestToken } from '../../scripts/kafka/oauth.ts';
import { plainJaasConfig, scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { requireSasl, requireTls, testKafka, uniqueName } from '../support/kafka.ts';
import { allRunning, SINGLE_BROKER_LINES, waitForMirror } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, total } from '../support/records.ts';
import { continuedPropertyValue, makeIdentity } from '../support/tls-fixtures.ts';
import { waitFor } from '../support/wait.ts';

// Secured clusters as Java MM2 users configure them: the test bed's SASL_SSL listener (SCRAM,
// PLAIN) and its mTLS listener, with key and trust stores in every format Kafka reads (PEM files,
// inline PEM written both ways, PKCS12 and JKS made by keytool). One mirror process runs one route
// per way of connecting (each route its own pair of cluster aliases on the bed's A and B), so the
// whole matrix costs one start. Then the faults: those visible offline fail the start at once and
// `mm2 config lint` names them; those only a broker can show (untrusted CA, host name mismatch)
// fail the first call within seconds. No password, key or secret appears in any output.

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..');

const STORE_PW = 'e2e-Store-pw-71';
const KEY_PW = 'e2e-Key-pw-93';
const TRUST_PW = 'e2e-Trust-pw-55';

/** The replication-factor and timing lines every e2e file uses (test/support/mirror-maker.ts baseProperties), for any aliases. */
const COMMON = [
  ...SINGLE_BROKER_LINES,
  'refresh.topics.interval.seconds = 3',
  // Only the enabled routes get a herder (no heartbeats route for every pair of the many aliases).
  'emit.heartbeats.enabled = false',
  'emit.checkpoints.enabled = false',
  'sync.topic.acls.enabled = false',
];

interface Way {
  name: string;
  /** `<alias>.`-less client lines; `@` in a bootstrap value is replaced by the cluster's listener. */
  lines: (listener: 'ssl' | 'saslSsl', cluster: 'A' | 'B') => string[];
  listener: 'ssl' | 'saslSsl';
  /** Connect by `localhost` instead of the advertised 127.0.0.1 (the certificate names only the IP). */
  byName?: boolean;
}

describe('secured clusters: SASL_SSL and mTLS with every key store format', () => {
  const kafka = testKafka();
  const { clusters } = kafka;
  const t = useMirrorTestContext(clusters);
  const tls = requireTls(kafka);
  const sasl = requireSasl(kafka);
  const files = tls.files;
  let dir: string;
  const file = (name: string): string => join(dir, name);
  /** Everything that must never be printed: passwords and pieces of private keys. */
  const secrets: string[] = [STORE_PW, KEY_PW, TRUST_PW, sasl.users.admin.password, sasl.users.mirror.password];
  const outputs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'security-e2e-'));
    const key = readFileSync(files.admin.keyFile, 'utf8');
    secrets.push(key.split('\n')[2]!.slice(0, 40));
    writeFileSync(file('admin-all.pem'), key + readFileSync(files.admin.certFile, 'utf8'));
    // Stores made the way operators make them: openssl's PKCS12 → keytool's PKCS12 and JKS (a key
    // password of its own), keytool's trust stores.
    await run('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      files.admin.keyFile,
      '-in',
      files.admin.certFile,
      '-name',
      'mm2',
      '-out',
      file('openssl.p12'),
      '-passout',
      `pass:${STORE_PW}`,
    ]);
    const keytool = (args: string[]) => run('keytool', ['-noprompt', ...args]);
    await Promise.all([
      keytool([
        '-importkeystore',
        '-srckeystore',
        file('openssl.p12'),
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        STORE_PW,
        '-destkeystore',
        file('admin.p12'),
        '-deststoretype',
        'PKCS12',
        '-deststorepass',
        STORE_PW,
      ]),
      keytool([
        '-importkeystore',
        '-srckeystore',
        file('openssl.p12'),
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        STORE_PW,
        '-destkeystore',
        file('admin.jks'),
        '-deststoretype',
        'JKS',
        '-deststorepass',
        STORE_PW,
        '-destkeypass',
        KEY_PW,
        '-srcalias',
        'mm2',
        '-destalias',
        'mm2',
      ]),
      keytool([
        '-importcert',
        '-alias',
        'ca',
        '-file',
        files.caFile,
        '-keystore',
        file('trust.jks'),
        '-storetype',
        'JKS',
        '-storepass',
        TRUST_PW,
      ]),
      keytool([
        '-importcert',
        '-alias',
        'ca',
        '-file',
        files.caFile,
        '-keystore',
        file('trust.p12'),
        '-storetype',
        'PKCS12',
        '-storepass',
        TRUST_PW,
      ]),
    ]);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pemCa = ['ssl.truststore.type = PEM', `ssl.truststore.location = ${files.caFile}`];
  const escaped = (pem: string): string => pem.trimEnd().replace(/\n/g, '\\n');
  const admin = sasl.users.admin;
  const ways: Way[] = [
    {
      name: 'scram256',
      listener: 'saslSsl',
      lines: () => ['sasl.mechanism = SCRAM-SHA-256', `sasl.jaas.config = ${scramJaasConfig(admin)}`, ...pemCa],
    },
    {
      name: 'scram512',
      listener: 'saslSsl',
      // Trust store JKS, Java's default type (not named).
      lines: () => [
        'sasl.mechanism = SCRAM-SHA-512',
        `sasl.jaas.config = ${scramJaasConfig(admin)}`,
        `ssl.truststore.location = ${file('trust.jks')}`,
        `ssl.truststore.password = ${TRUST_PW}`,
      ],
    },
    {
      name: 'plain',
      listener: 'saslSsl',
      lines: () => [
        'sasl.mechanism = PLAIN',
        `sasl.jaas.config = ${plainJaasConfig(admin)}`,
        'ssl.truststore.type = PEM',
        `ssl.truststore.certificates = ${escaped(readFileSync(files.caFile, 'utf8'))}`,
      ],
    },
    {
      name: 'pemfiles',
      listener: 'ssl',
      lines: () => ['ssl.keystore.type = PEM', `ssl.keystore.location = ${file('admin-all.pem')}`, ...pemCa],
    },
    {
      name: 'pemcontinued',
      listener: 'ssl',
      lines: () => [
        'ssl.keystore.type = PEM',
        `ssl.keystore.certificate.chain = ${continuedPropertyValue(readFileSync(files.admin.certFile, 'utf8'))}`,
        `ssl.keystore.key = ${continuedPropertyValue(readFileSync(files.admin.keyFile, 'utf8'))}`,
        'ssl.truststore.type = PEM',
        `ssl.truststore.certificates = ${continuedPropertyValue(readFileSync(files.caFile, 'utf8'))}`,
      ],
    },
    {
      name: 'pemescaped',
      listener: 'ssl',
      lines: () => [
        'ssl.keystore.type = PEM',
        `ssl.keystore.certificate.chain = ${escaped(readFileSync(files.admin.certFile, 'utf8'))}`,
        `ssl.keystore.key = ${escaped(readFileSync(files.admin.keyFile, 'utf8'))}`,
        ...pemCa,
      ],
    },
    {
      name: 'pkcs12',
      listener: 'ssl',
      // By `localhost`, which the broker certificate does not name: accepted with verification off.
      byName: true,
      lines: () => [
        'ssl.keystore.type = PKCS12',
        `ssl.keystore.location = ${file('admin.p12')}`,
        `ssl.keystore.password = ${STORE_PW}`,
        'ssl.truststore.type = PKCS12',
        `ssl.truststore.location = ${file('trust.p12')}`,
        `ssl.truststore.password = ${TRUST_PW}`,
        'ssl.endpoint.identification.algorithm =',
      ],
    },
    {
      name: 'jks',
      listener: 'ssl',
      // Both stores JKS by Java's default type.
      lines: () => [
        `ssl.keystore.location = ${file('admin.jks')}`,
        `ssl.keystore.password = ${STORE_PW}`,
        `ssl.key.password = ${KEY_PW}`,
        `ssl.truststore.location = ${file('trust.jks')}`,
        `ssl.truststore.password = ${TRUST_PW}`,
      ],
    },
  ];

  /** The client lines of `alias` for way `w` on `cluster`. */
  function clientLines(alias: string, w: Way, cluster: 'A' | 'B'): string[] {
    const listener = tls[w.listener][cluster]!;
    const bootstrap = w.byName ? listener.replace('127.0.0.1', 'localhost') : listener;
    return [
      `${alias}.bootstrap.servers = ${bootstrap}`,
      `${alias}.security.protocol = ${w.listener === 'ssl' ? 'SSL' : 'SASL_SSL'}`,
      ...w.lines(w.listener, cluster).map((l) => `${alias}.${l}`),
    ];
  }

  function expectNoSecret(text: string, where: string): void {
    for (const secret of secrets) expect(text.includes(secret), `${where} shows a secret`).toBe(false);
  }

  it('replicates A->B over SCRAM-SHA-256/512 and PLAIN on SASL_SSL, and over mTLS with PEM files, inline PEM (continued and escaped), PKCS12 and JKS', async () => {
    const prefix = uniqueName('sec');
    // Four routes, each way once: as the source's (consumer, admin) or the target's (producer,
    // admin, worker) connection. Mixed so that each side has SASL_SSL and mTLS routes.
    const byName = new Map(ways.map((w) => [w.name, w]));
    const routes: [source: Way, target: Way][] = [
      ['scram256', 'pemfiles'],
      ['pemcontinued', 'scram512'],
      ['plain', 'jks'],
      ['pkcs12', 'pemescaped'],
    ].map(([a, b]) => [byName.get(a!)!, byName.get(b!)!]);
    const properties = [
      `clusters = ${ways.map((w) => w.name).join(', ')}`,
      ...COMMON,
      ...routes.flatMap(([src, dst]) => [
        ...clientLines(src.name, src, 'A'),
        ...clientLines(dst.name, dst, 'B'),
        `${src.name}->${dst.name}.enabled = true`,
        `${src.name}->${dst.name}.topics = ${prefix}-${src.name}`,
        `${dst.name}.offset.flush.interval.ms = 1000`,
      ]),
    ].join('\n');
    await t.adminA.createTopics(
      routes.map(([src]) => ({ name: `${prefix}-${src.name}`, partitions: 1, replicationFactor: 1 })),
    );
    const records = makeRecords(20, 1, 7);
    const sink = await t.a.recordSink();
    for (const [src] of routes) await sink.send(`${prefix}-${src.name}`, records);

    const started = Date.now();
    const mm = await t.start(properties);
    for (const [src, dst] of routes) {
      const remote = `${src.name}.${prefix}-${src.name}`;
      await waitForMirror(
        mm,
        `20 records in ${remote} on B (${src.name} -> ${dst.name})`,
        () => endOffsets(t.adminB, remote).catch(() => new Map<number, bigint>()),
        (ends) => total(ends) === 20n,
        60_000,
      );
      console.log(`[security] ${src.name}->${dst.name}: records on B after ${Date.now() - started} ms`);
    }
    const status = await mm.status();
    expect(
      status.routes
        .filter((r) => r.enabled)
        .map((r) => r.route)
        .sort(),
    ).toEqual(routes.map(([src, dst]) => `${src.name}->${dst.name}`).sort());
    expect(allRunning({ routes: status.routes.filter((r) => r.enabled) })).toBe(true);
    outputs.push(mm.output(), JSON.stringify(status), JSON.stringify(await mm.metrics()));
    expectNoSecret(outputs.join('\n'), 'the mirror');
  });

  it('key material that cannot work fails the start at once, naming the alias, the key and the fix; mm2 config lint names every one', async () => {
    const cert = readFileSync(files.admin.certFile, 'utf8');
    const key = readFileSync(files.admin.keyFile, 'utf8');
    const other = makeIdentity({ commonName: 'someone-else' });
    const expired = makeIdentity({ commonName: 'expired-client', notBeforeDays: -30, notAfterDays: -1 });
    writeFileSync(file('expired.pem'), expired.keyPem + expired.certPem);
    const ssl = (alias: string, lines: string[]): string[] => [
      `${alias}.bootstrap.servers = ${tls.ssl['B']}`,
      `${alias}.security.protocol = SSL`,
      `${alias}.ssl.truststore.type = PEM`,
      `${alias}.ssl.truststore.location = ${files.caFile}`,
      ...lines.map((l) => `${alias}.${l}`),
    ];
    const faults: { alias: string; key: string; says: RegExp; lines: string[] }[] = [
      {
        alias: 'wrongstore',
        key: 'ssl.keystore.password',
        says: /is wrong: it does not open the JKS store/,
        lines: [
          `ssl.keystore.location = ${file('admin.jks')}`,
          'ssl.keystore.password = not-the-pw',
          `ssl.key.password = ${KEY_PW}`,
        ],
      },
      {
        alias: 'wrongkey',
        key: 'ssl.key.password',
        says: /is wrong: it does not decrypt the key/,
        lines: [
          `ssl.keystore.location = ${file('admin.jks')}`,
          `ssl.keystore.password = ${STORE_PW}`,
          'ssl.key.password = not-the-pw',
        ],
      },
      {
        alias: 'truncated',
        key: 'ssl.keystore.key',
        says: /truncated/,
        lines: [
          'ssl.keystore.type = PEM',
          `ssl.keystore.certificate.chain = ${escaped(cert)}`,
          `ssl.keystore.key = ${escaped(key.slice(0, 100))}`,
        ],
      },
      {
        alias: 'mismatch',
        key: 'ssl.keystore.certificate.chain',
        says: /does not belong to the private key/,
        lines: [
          'ssl.keystore.type = PEM',
          `ssl.keystore.certificate.chain = ${escaped(other.certPem)}`,
          `ssl.keystore.key = ${escaped(key)}`,
        ],
      },
      {
        alias: 'expired',
        key: 'ssl.keystore.location',
        says: /expired on .*renew it/,
        lines: ['ssl.keystore.type = PEM', `ssl.keystore.location = ${file('expired.pem')}`],
      },
    ];
    const good = 'good';
    const properties = [
      `clusters = ${good}, ${faults.map((f) => f.alias).join(', ')}`,
      ...COMMON,
      `${good}.bootstrap.servers = ${clusters['A']}`,
      ...faults.flatMap((f) => [...ssl(f.alias, f.lines), `${good}->${f.alias}.enabled = true`]),
    ].join('\n');
    const mmFile = file('faults.properties');
    writeFileSync(mmFile, properties);

    const lint = await run(process.execPath, [
      join(REPO_ROOT, 'src', 'cli', 'mm2-bin.ts'),
      'config',
      'lint',
      mmFile,
    ]).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(lint.code, lint.stdout).not.toBe(0);
    const errorLines = lint.stdout.split('\n').filter((l) => l.startsWith('ERROR'));
    for (const f of faults) {
      expect(
        errorLines.some((l) => l.includes(`${f.alias}.${f.key} (line`) && f.says.test(l)),
        `lint names ${f.alias}.${f.key}:\n${lint.stdout}`,
      ).toBe(true);
    }
    outputs.push(lint.stdout);

    const started = Date.now();
    const mm = await t.start(properties);
    const code = await Promise.race([mm.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code, mm.output()).not.toBe('still running');
    expect(code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(faults.some((f) => mm.output().includes(`${f.alias}.${f.key}`) && f.says.test(mm.output()))).toBe(true);
    outputs.push(mm.output());
    expectNoSecret(outputs.join('\n'), 'lint or the mirror');
  });

  it('faults only the broker can show fail the first call within seconds: untrusted CA, host name mismatch, no client certificate, wrong password', async () => {
    const otherCa = makeIdentity({ commonName: 'not-the-bed-ca', isCa: true });
    const cases: { name: string; props: Record<string, string>; says: RegExp; key: RegExp }[] = [
      {
        name: 'untrusted CA',
        props: {
          'bootstrap.servers': tls.saslSsl['A']!,
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': 'SCRAM-SHA-512',
          'sasl.jaas.config': scramJaasConfig(admin),
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.certificates': otherCa.certPem,
        },
        says: /TLS: certificate not trusted/,
        key: /ssl\.truststore\.location/,
      },
      {
        name: 'host name mismatch (verification on by default)',
        props: {
          'bootstrap.servers': tls.saslSsl['A']!.replace('127.0.0.1', 'localhost'),
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': 'SCRAM-SHA-512',
          'sasl.jaas.config': scramJaasConfig(admin),
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': files.caFile,
        },
        says: /TLS: certificate does not match the broker address/,
        key: /ssl\.endpoint\.identification\.algorithm/,
      },
      {
        name: 'no client certificate on the mTLS listener',
        props: {
          'bootstrap.servers': tls.ssl['A']!,
          'security.protocol': 'SSL',
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': files.caFile,
        },
        says: /TLS: client certificate required|TLS: client certificate rejected/,
        key: /ssl\.keystore\.location/,
      },
      {
        name: 'wrong SCRAM password',
        props: {
          'bootstrap.servers': tls.saslSsl['A']!,
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': 'SCRAM-SHA-512',
          'sasl.jaas.config': scramJaasConfig({ name: admin.name, password: STORE_PW }),
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': files.caFile,
        },
        says: /authentication failed/,
        key: /sasl\.jaas\.config/,
      },
    ];
    await Promise.all(
      cases.map(async (c) => {
        const { settings, problems } = toKafkaClientSettings(new Map(Object.entries(c.props)));
        expect(
          problems.filter((p) => p.severity === 'error'),
          c.name,
        ).toEqual([]);
        const cluster = openKafkaCluster({ ...settings, clusterAlias: 'A' });
        const started = Date.now();
        try {
          const error = await cluster
            .admin()
            .then((a) => a.listTopics())
            .then(
              () => undefined,
              (err: unknown) => err as Error & { code?: string },
            );
          const elapsed = Date.now() - started;
          expect(error, c.name).toBeDefined();
          expect(error!.message, c.name).toMatch(c.says);
          expect(error!.message, c.name).toMatch(c.key);
          expect(error!.message, c.name).toMatch(/cluster=A/);
          expect(elapsed, `${c.name} took ${elapsed} ms`).toBeLessThan(15_000);
          outputs.push(error!.message);
        } finally {
          await cluster.close();
        }
      }),
    );
    expectNoSecret(outputs.join('\n'), 'an error');
  });

  it('runs as a least-privileged principal with exactly the ACLs `mm2 acls` prints: data, configs, ACLs, offset syncs, checkpoints, group offsets, heartbeats', async () => {
    // The mirror's own principal on both clusters: the bed's CN=mm2-mirror client certificate
    // (no ACLs until this test grants them; no other test uses that principal).
    writeFileSync(
      file('mirror-all.pem'),
      readFileSync(files.mirror.keyFile, 'utf8') + readFileSync(files.mirror.certFile, 'utf8'),
    );
    const prefix = uniqueName('lp');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    const side = (alias: 'A' | 'B'): string[] => [
      `${alias}.bootstrap.servers = ${tls.ssl[alias]}`,
      `${alias}.security.protocol = SSL`,
      `${alias}.ssl.keystore.type = PEM`,
      `${alias}.ssl.keystore.location = ${file('mirror-all.pem')}`,
      `${alias}.ssl.truststore.type = PEM`,
      `${alias}.ssl.truststore.location = ${files.caFile}`,
    ];
    const properties = [
      'clusters = A, B',
      ...COMMON.filter((l) => !/^(emit\.|sync\.topic\.acls)/.test(l)),
      ...side('A'),
      ...side('B'),
      'A->B.enabled = true',
      `A->B.topics = ${prefix}-.*`,
      `A->B.groups = ${prefix}-.*`,
      'A->B.sync.group.offsets.enabled = true',
      'A->B.sync.group.offsets.interval.seconds = 1',
      'A->B.emit.checkpoints.interval.seconds = 1',
      'A->B.refresh.groups.interval.seconds = 2',
      'emit.heartbeats.interval.seconds = 1',
      'sync.topic.acls.interval.seconds = 2',
      'B.offset.flush.interval.ms = 1000',
      'A.offset.flush.interval.ms = 1000',
    ].join('\n');
    const mmFile = file('least-privilege.properties');
    writeFileSync(mmFile, properties);

    // The ACLs, as `mm2 acls --json` prints them, created on each cluster.
    const printed = await run(process.execPath, [
      join(REPO_ROOT, 'src', 'cli', 'mm2-bin.ts'),
      'acls',
      mmFile,
      '--json',
    ]);
    outputs.push(printed.stdout);
    const acls = JSON.parse(printed.stdout) as MirrorAcl[];
    expect(new Set(acls.map((a) => a.principal))).toEqual(new Set(['User:CN=mm2-mirror']));
    const bindings = (alias: string): AclBinding[] =>
      acls
        .filter((a) => a.cluster === alias)
        .flatMap((a) =>
          a.operations.map((op): AclBinding => ({
            resourceType: a.resourceType.toUpperCase() as AclBinding['resourceType'],
            resourceName: a.name,
            patternType: a.patternType.toUpperCase() as AclBinding['patternType'],
            principal: a.principal,
            host: '*',
            operation: op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
            permission: 'ALLOW',
          })),
        );
    await t.adminA.createAcls(bindings('A'));
    await t.adminB.createAcls(bindings('B'));
    for (const [alias, admin] of [
      ['A', t.adminA],
      ['B', t.adminB],
    ] as const) {
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

    await t.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await (await t.a.recordSink()).send(topic, makeRecords(30, 1, 3));
    await t.adminA.commitGroupOffsets(group, [{ topic, partition: 0, offset: 20n }]);
    // An ACL on a replicated topic, for ACL sync to copy.
    await t.adminA.createAcls([
      {
        resourceType: 'TOPIC',
        resourceName: topic,
        patternType: 'LITERAL',
        principal: 'User:reader',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
    ]);

    const mm = await t.start(properties);
    const remote = `A.${topic}`;
    await waitForMirror(
      mm,
      `30 records in ${remote} on B`,
      () => endOffsets(t.adminB, remote).catch(() => new Map<number, bigint>()),
      (e) => total(e) === 30n,
      60_000,
    );
    await waitForMirror(
      mm,
      `heartbeats on B`,
      () => endOffsets(t.adminB, 'heartbeats').catch(() => new Map<number, bigint>()),
      (e) => total(e) > 0n,
      30_000,
    );
    await waitForMirror(
      mm,
      `checkpoints of ${group} on B`,
      () => endOffsets(t.adminB, 'A.checkpoints.internal').catch(() => new Map<number, bigint>()),
      (e) => total(e) > 0n,
      30_000,
    );
    await waitForMirror(
      mm,
      `${group}'s offset synced to ${remote} on B`,
      () => t.adminB.fetchGroupOffsets(group).catch(() => []),
      (offsets) => offsets.some((o) => o.topic === remote && o.offset === 20n),
      30_000,
    );
    await waitForMirror(
      mm,
      `the topic ACL synced to ${remote} on B`,
      () => t.adminB.describeAcls({ resourceType: 'TOPIC' }),
      (all) => all.some((b) => b.resourceName === remote && b.principal === 'User:reader'),
      30_000,
    );
    const status = await mm.status();
    expect(allRunning(status), JSON.stringify(status)).toBe(true);
    expect(mm.output()).not.toMatch(/AUTHORIZATION_FAILED/);
    outputs.push(mm.output());
    expectNoSecret(outputs.join('\n'), 'the mirror');
  });

  it('replicates A->B over OAUTHBEARER with client-credentials tokens from a loopback token endpoint, refreshing them before expiry', async () => {
    const oauth = files.oauth;
    const signingKey = readFileSync(oauth.signingKeyFile, 'utf8');
    const clientSecret = `oidc-${randomBytes(6).toString('hex')}`;
    secrets.push(clientSecret);
    const issued: string[] = [];
    let firstIssuedAt: number | undefined;
    const wrongCredentials: string[] = [];
    const expected = `Basic ${Buffer.from(`mm2-oidc:${clientSecret}`).toString('base64')}`;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.headers.authorization !== expected || !body.includes('grant_type=client_credentials')) {
          wrongCredentials.push(body);
          res.statusCode = 401;
          res.end('{"error":"invalid_client"}');
          return;
        }
        // Short-lived tokens, so the mirror must refresh them during the test; `sub` is the
        // principal (the bed's super user).
        const token = signTestToken(oauth, signingKey, admin.name, 20);
        firstIssuedAt ??= Date.now();
        issued.push(token);
        secrets.push(token.split('.')[2]!);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 20 }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
      const side = (alias: 'A' | 'B'): string[] => [
        `${alias}.bootstrap.servers = ${tls.saslSsl[alias]}`,
        `${alias}.security.protocol = SASL_SSL`,
        `${alias}.sasl.mechanism = OAUTHBEARER`,
        `${alias}.sasl.login.callback.handler.class = org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler`,
        `${alias}.sasl.oauthbearer.token.endpoint.url = ${endpoint}`,
        `${alias}.sasl.jaas.config = org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="mm2-oidc" clientSecret="${clientSecret}" scope="kafka";`,
        `${alias}.sasl.login.refresh.min.period.seconds = 1`,
        `${alias}.sasl.login.refresh.buffer.seconds = 1`,
        `${alias}.ssl.truststore.type = PEM`,
        `${alias}.ssl.truststore.location = ${files.caFile}`,
      ];
      const prefix = uniqueName('oauth');
      const topic = `${prefix}-t`;
      const properties = [
        'clusters = A, B',
        ...COMMON,
        ...side('A'),
        ...side('B'),
        'A->B.enabled = true',
        `A->B.topics = ${prefix}-.*`,
        'B.offset.flush.interval.ms = 1000',
      ].join('\n');
      await t.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
      const sink = await t.a.recordSink();
      await sink.send(topic, makeRecords(10, 1, 5));
      const mm = await t.start(properties);
      const remote = `A.${topic}`;
      const count = (n: bigint) =>
        waitForMirror(
          mm,
          `${n} records in ${remote} on B`,
          () => endOffsets(t.adminB, remote).catch(() => new Map<number, bigint>()),
          (e) => total(e) === n,
          60_000,
        );
      await count(10n);
      // Before the first token expires the mirror fetches a new one (refresh at 80 % of 20 s).
      await waitForMirror(
        mm,
        'a refreshed token',
        async () => issued.length,
        (n) => n >= 2,
        30_000,
      );
      await sink.send(topic, makeRecords(10, 1, 6));
      await count(20n);
      expect(wrongCredentials).toEqual([]);
      const status = await mm.status();
      expect(allRunning({ routes: status.routes.filter((r) => r.enabled) }), JSON.stringify(status)).toBe(true);
      outputs.push(mm.output(), JSON.stringify(status));
      expectNoSecret(outputs.join('\n'), 'the mirror');
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
