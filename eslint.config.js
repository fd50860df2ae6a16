import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only these folders may do I/O (DESIGN.md "Layout"). Everything else is pure
// and receives what it needs through arguments or the probe context.
const ioFolders = ['src/cli/**', 'src/targets/**', 'src/discovery/**', 'src/net/**', 'src/store/**'];
const ioModules = ['net', 'tls', 'dgram', 'child_process', 'fs', 'fs/promises', 'http', 'https'];
const forbidden = ioModules.flatMap((m) => [`node:${m}`, m]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'lab/run/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ioFolders,
    rules: {
      'no-restricted-imports': ['error', {
        paths: forbidden.map((name) => ({ name, message: 'I/O belongs in src/cli, src/targets, src/discovery, src/net or src/store (DESIGN.md).' })),
      }],
    },
  },
  {
    // One-way dependencies: the net layer sits below the probes and declares its own types (src/net/types.ts).
    files: ['src/net/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/probes/*', '**/probes/**'], message: 'src/net must not import src/probes: put shared types in src/net/types.ts and shared data in src/data.' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries([
        'process', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
        'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'queueMicrotask', 'structuredClone',
      ].map((g) => [g, 'readonly'])),
    },
  },
);
