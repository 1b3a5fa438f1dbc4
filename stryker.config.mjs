// `npm run mutate`: mutation testing of the core (contract, health, controller)
// against its fast unit tests only (vitest.mutate.config.ts). Concurrency is
// kept low: the machine is shared. Results: BENCHMARKS.md, "Quality".
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: ['src/core/contract/**/*.ts', 'src/core/health/**/*.ts', 'src/core/controller/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
