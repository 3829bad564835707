// ES-module jest setup: NestJS 12, kysely 0.29 and archiver 8 ship ES modules only, so
// tests run under `node --experimental-vm-modules` with ts-jest emitting ESM.
const libs = ['core', 'catalog', 'storage', 'jobs', 'archive', 'config', 'observability', 'webhooks', 'deploy', 'openapi'];
const moduleNameMapper = {
  '^(\\.{1,2}/.*)\\.js$': '$1',
  ...Object.fromEntries(libs.map((lib) => [`^#${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`])),
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
};
const common = { extensionsToTreatAsEsm: ['.ts'], moduleNameMapper, transform, testEnvironment: 'node' };

export default {
  // Per-project testTimeout is ignored by jest 30: the e2e tests start real processes.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};
