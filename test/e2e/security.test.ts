import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKafkaClientSettings } from '../../src/config/client-settings.ts';
import { openKafkaCluster } from '../../src/kafka/index.ts';
import { plainJaasConfig, scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { requireSasl, requireTls, testKafka, uniqueName } from '../support/kafka.ts';
import { allRunning, waitForMirror } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, total } from '../support/records.ts';
import { continuedPropertyValue, makeIdentity } from '../support/tls-fixtures.ts';

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
  'replication.factor = 1',
  'checkpoints.topic.replication.factor = 1',
  'heartbeats.topic.replication.factor = 1',
  'offset-syncs.topic.replication.factor = 1',
  'offset.storage.replication.factor = 1',
  'status.storage.replication.factor = 1',
  'config.storage.replication.factor = 1',
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
    const aliases = ways.flatMap((w) => [`${w.name}src`, `${w.name}dst`]);
    const properties = [
      `clusters = ${aliases.join(', ')}`,
      ...COMMON,
      ...ways.flatMap((w) => [
        ...clientLines(`${w.name}src`, w, 'A'),
        ...clientLines(`${w.name}dst`, w, 'B'),
        `${w.name}src->${w.name}dst.enabled = true`,
        `${w.name}src->${w.name}dst.topics = ${prefix}-${w.name}`,
        `${w.name}dst.offset.flush.interval.ms = 1000`,
      ]),
    ].join('\n');
    await t.adminA.createTopics(
      ways.map((w) => ({ name: `${prefix}-${w.name}`, partitions: 1, replicationFactor: 1 })),
    );
    const records = makeRecords(20, 1, 7);
    const sink = await t.a.recordSink();
    for (const w of ways) await sink.send(`${prefix}-${w.name}`, records);

    const mm = await t.start(properties);
    for (const w of ways) {
      const remote = `${w.name}src.${prefix}-${w.name}`;
      await waitForMirror(
        mm,
        `20 records in ${remote} on B (${w.name})`,
        () => endOffsets(t.adminB, remote).catch(() => new Map<number, bigint>()),
        (ends) => total(ends) === 20n,
        60_000,
      );
    }
    const status = await mm.status();
    expect(
      status.routes
        .filter((r) => r.enabled)
        .map((r) => r.route)
        .sort(),
    ).toEqual(ways.map((w) => `${w.name}src->${w.name}dst`).sort());
    expect(allRunning({ routes: status.routes.filter((r) => r.enabled) })).toBe(true);
    outputs.push(mm.output(), JSON.stringify(status), JSON.stringify(await mm.metrics()));
    expectNoSecret(outputs.join('\n'), 'the mirror');
  });
});
