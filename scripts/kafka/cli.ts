#!/usr/bin/env node
// The local Kafka test bed from the command line:
//   node scripts/kafka/cli.ts jars [--version V]
//   node scripts/kafka/cli.ts up [--clusters eu,us] [--version V] [--heap-mb N] [--secure]
//       stdout: alias=host:port,... (PLAINTEXT); stderr: the SASL_PLAINTEXT, SSL (mTLS) and SASL_SSL
//       addresses, the SCRAM/PLAIN users and the CA and client certificate files
//   node scripts/kafka/cli.ts down                                                  (stops every test-bed cluster)
import { parseArgs } from 'node:util';
import { ensureKafkaJars } from './jars.ts';
import { SASL_SSL_MECHANISMS, SCRAM_MECHANISMS, TESTBED_USERS } from './sasl.ts';
import { formatClusterList, startTestBed, stopAllTestBeds } from './testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS, selectedKafkaVersion } from './versions.ts';

const log = (line: string): void => console.error(`[kafka] ${line}`);

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      clusters: { type: 'string', default: 'A,B' },
      version: { type: 'string' },
      'heap-mb': { type: 'string' },
      // The SSL and SASL_SSL listeners are always there; `--secure` is accepted for scripts that ask.
      secure: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  const info = values.version
    ? (SUPPORTED_KAFKA_VERSIONS[values.version] ?? selectedKafkaVersion({ KAFKA_VERSION: values.version }))
    : selectedKafkaVersion();
  switch (command) {
    case 'jars': {
      const dir = ensureKafkaJars(info, log);
      console.log(dir);
      return;
    }
    case 'up': {
      const aliases = values.clusters
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      const bed = await startTestBed({
        aliases,
        info,
        log,
        ...(values['heap-mb'] ? { heapMb: Number(values['heap-mb']) } : {}),
      });
      log(`SASL_PLAINTEXT (${SCRAM_MECHANISMS.join(', ')}): ${formatClusterList(bed.saslBootstrap)}`);
      log(`  super user: ${TESTBED_USERS.admin.name} / ${TESTBED_USERS.admin.password}`);
      log(`  ACL-only user: ${TESTBED_USERS.mirror.name} / ${TESTBED_USERS.mirror.password}`);
      log(`SSL (client certificate required): ${formatClusterList(bed.sslBootstrap)}`);
      log(`SASL_SSL (${SASL_SSL_MECHANISMS.join(', ')}): ${formatClusterList(bed.saslSslBootstrap)}`);
      log(`  CA ${bed.tls.caFile}; client certificates (PEM) in ${bed.tls.dir}:`);
      log(`  ${bed.tls.admin.certFile} + .key (super user), ${bed.tls.mirror.certFile} + .key (ACLs)`);
      // stdout stays one machine-readable line: KAFKA_CLUSTERS=$(npm run -s kafka:up).
      console.log(formatClusterList(bed.bootstrap));
      return;
    }
    case 'down': {
      const n = await stopAllTestBeds(log);
      log(`${n} cluster(s) stopped`);
      return;
    }
    default:
      console.error('usage: cli.ts jars|up|down [--clusters A,B] [--version 4.1.2|3.9.2] [--heap-mb 512]');
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(`[kafka] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
