import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (pure logic, no broker) and integration tests against real
// Apache Kafka brokers started by the global setup. `npm test` runs both.
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup/banner.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/kafka-global-setup.ts'],
          setupFiles: ['test/setup/banner.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration suites share the brokers; run files one at a time so they do not fight
          // for the 2 cores and so per-test timings stay meaningful.
          fileParallelism: false,
        },
      },
    ],
  },
});
