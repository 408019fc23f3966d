// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const KAFKAJS = {
  paths: [{ name: 'kafkajs', message: 'Only src/kafka/ may import kafkajs: use the Kafka port.' }],
  patterns: [{ group: ['kafkajs/*'], message: 'Only src/kafka/ may import kafkajs: use the Kafka port.' }],
};

/**
 * The layers point one way: cli → runtime → connectors → connect (the worker layer) → kafka port,
 * with config, policy, records, metrics, http and util below what uses them. Each entry names
 * the top-level folders of src/ a folder must not import (docs/architecture.md).
 */
const FORBIDDEN = {
  util: [
    'cli',
    'runtime',
    'connectors',
    'connect',
    'client',
    'http',
    'metrics',
    'config',
    'kafka',
    'policy',
    'records',
  ],
  records: ['cli', 'runtime', 'connectors', 'connect', 'client', 'http', 'metrics', 'config', 'kafka', 'policy'],
  policy: ['cli', 'runtime', 'connectors', 'connect', 'client', 'http', 'metrics', 'config', 'kafka'],
  kafka: ['cli', 'runtime', 'connectors', 'connect', 'client', 'http', 'metrics', 'config', 'policy', 'records'],
  config: ['cli', 'runtime', 'connectors', 'connect', 'client', 'http', 'metrics'],
  metrics: ['cli', 'runtime', 'connectors', 'connect', 'client', 'http', 'config'],
  http: ['cli', 'runtime', 'connectors', 'connect', 'client', 'metrics', 'config'],
  connect: ['cli', 'runtime', 'connectors', 'client', 'http', 'metrics', 'config'],
  client: ['cli', 'runtime', 'connectors', 'http', 'metrics'],
  connectors: ['cli', 'runtime', 'client', 'http', 'metrics'],
  runtime: ['cli'],
};

/** The connectors are independent of one another: what two of them share lives in connect/ or records/. */
const CONNECTORS = ['source', 'checkpoint', 'heartbeat'];

/** @param {string} folder @param {string[]} names @param {string} [prefix] */
function layerRule(folder, names, prefix = '') {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...(folder === 'kafka' ? {} : { paths: KAFKAJS.paths }),
          patterns: [
            ...(folder === 'kafka' ? [] : KAFKAJS.patterns),
            {
              regex: `^(\\.\\./)+${prefix}(${names.join('|')})/`,
              message: `src/${folder} must not import these (layers point one way: cli → runtime → connectors → connect → kafka; see docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.kafka/', 'coverage/', 'test/java/**/target/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A promise nobody awaits or handles is how one task's error becomes the process's crash.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-restricted-imports': ['error', KAFKAJS],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // Node preloads (NODE_OPTIONS=--import) stay plain JS: npm, on whatever node runs it, loads them too.
  {
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', setInterval: 'readonly' },
    },
  },
  // The status page's browser script (plain JS, served as is): no type information, browser globals.
  {
    files: ['src/http/ui/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { document: 'readonly', fetch: 'readonly', setTimeout: 'readonly', AbortSignal: 'readonly' },
    },
  },
  ...Object.entries(FORBIDDEN).map(([folder, names]) => layerRule(folder, names)),
  ...CONNECTORS.map((c) => ({
    files: [`src/connectors/${c}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: KAFKAJS.paths,
          patterns: [
            ...KAFKAJS.patterns,
            {
              regex: `^(\\.\\./)+(${FORBIDDEN.connectors.join('|')})/`,
              message: 'src/connectors must not import these (layers point one way; see docs/architecture.md).',
            },
            {
              regex: `^\\.\\./(${CONNECTORS.filter((o) => o !== c).join('|')})/`,
              message: `src/connectors/${c} must not import another connector: move what they share to src/connect or src/records.`,
            },
          ],
        },
      ],
    },
  })),
);
