// Jest 30 with ts-jest's ESM preset. Run through `npm test` (which sets
// NODE_OPTIONS=--experimental-vm-modules). Two projects: `unit` (fast, no root
// needed) and `e2e` (runs inside the device lab; needs root, see lab/README.md).
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  extensionsToTreatAsEsm: ['.ts'],
  // Some unit tests run the built CLI against loopback servers; on a loaded 2-core machine they take seconds.
  testTimeout: 60_000,
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/e2e/'] },
    {
      ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.mjs', globalTeardown: '<rootDir>/test/e2e/global-teardown.mjs',
    },
  ],
};
