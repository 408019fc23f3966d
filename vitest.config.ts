import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

// `npm test` runs the unit project, the package project (the packed tarball, installed), the Java interop project (JDK, no broker) and one integration project per Kafka version in
// KAFKA_VERSIONS (default: 4.1.2 and 3.9.2). Each integration project starts its own pair of
// real brokers in its global setup (see test/setup/kafka-bed.ts); KAFKA_CLUSTERS points the
// 4.1 project at external clusters instead and drops the 3.9 one.
const versions = (process.env['KAFKA_VERSIONS'] ?? '4.1.2,3.9.2')
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const externalClusters = Boolean(process.env['KAFKA_CLUSTERS']);

const setupFor: Record<string, string> = {
  '4.1.2': 'test/setup/kafka-global-setup-41.ts',
  '3.9.2': 'test/setup/kafka-global-setup-39.ts',
};

/**
 * Files that test what the operator types and reads (runbooks executed as printed, the status
 * page's script in Chromium), not how a Kafka version behaves: the behaviour under them is
 * covered on both versions by the other files, so they run once, against the newest version, to
 * keep CI under its time budget.
 */
const ONCE: readonly string[] = [
  'test/e2e/dr-runbooks.test.ts',
  'test/e2e/dr-runbooks-more.test.ts',
  'test/e2e/rest-api-runbook.test.ts',
  'test/e2e/status-page-browser.test.ts',
  'test/e2e/scale-out-partitions.test.ts',
  'test/e2e/too-large-batches.test.ts',
];
const newestVersion = '4.1.2';

function integrationProject(version: string): TestProjectInlineConfiguration {
  const setup = setupFor[version];
  if (!setup) throw new Error(`KAFKA_VERSIONS names ${version}; supported: ${Object.keys(setupFor).join(', ')}`);
  // Run ONCE files on the newest version, or on the only version asked for.
  const runsOnce = version === newestVersion || !versions.includes(newestVersion);
  return {
    test: {
      name: `integration-kafka-${version}`,
      include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
      ...(runsOnce ? {} : { exclude: [...ONCE] }),
      globalSetup: [setup],
      setupFiles: ['test/setup/banner.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  };
}

export default defineConfig({
  test: {
    // scripts/test-lanes.ts gives each of its lanes its own report file and merges them.
    reporters: ['default', ['json', { outputFile: process.env['VITEST_JSON_REPORT'] ?? 'test-results/vitest.json' }]],
    // Integration files share two brokers per version and the machine has 2 cores, which the
    // brokers and the Java tools need too: one test file at a time, across all projects.
    fileParallelism: false,
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup/banner.ts'],
        },
      },
      {
        // The package as users install it: packed, installed in a temp prefix, bins run through
        // npm's links (test/support/installed-package.ts packs once per source state). No broker.
        test: {
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          setupFiles: ['test/setup/banner.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Java-side checks that need a JDK and Maven but no broker (e.g. the config cross-check).
        test: {
          name: 'java-interop',
          include: ['test/interop/**/*.test.ts'],
          setupFiles: ['test/setup/banner.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      ...(externalClusters ? ['4.1.2'] : versions).map(integrationProject),
    ],
  },
});
