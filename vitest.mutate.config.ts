import { defineConfig } from 'vitest/config';

/**
 * The fast unit tests of the core, for `npm run mutate` (Stryker runs them
 * once per mutant): no real servers, no child processes, no wire.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/adapters/sim/**/*.test.ts',
      'test/conformance/sim.test.ts',
    ],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
