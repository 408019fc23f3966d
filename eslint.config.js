// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.kafka/', 'coverage/', 'test/java/**/target/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: 'Only src/kafka/ may import kafkajs: use the Kafka port.' }],
          patterns: [{ group: ['kafkajs/*'], message: 'Only src/kafka/ may import kafkajs: use the Kafka port.' }],
        },
      ],
    },
  },
  {
    files: ['src/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
