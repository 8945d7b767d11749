import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault test stops the machine's PostgreSQL: it runs alone, from .ci/run (GARA_FAULT_TEST=1).
    // test/fault/pg-freeze runs a private PostgreSQL of its own (GARA_PG_FREEZE_TEST=1).
    // test/ha runs several gara processes (and a Patroni cluster): npm run test:ha (GARA_HA_TEST=1).
    exclude:
      process.env.GARA_FAULT_TEST === '1' || process.env.GARA_PG_FREEZE_TEST === '1'
        ? ['node_modules/**', 'test/ha/processes.test.ts', 'test/ha/power-failure.test.ts']
        : process.env.GARA_HA_TEST === '1'
          ? ['node_modules/**', 'test/fault/**']
          : [
              'node_modules/**',
              'test/fault/**',
              'test/ha/processes.test.ts',
              'test/ha/power-failure.test.ts',
            ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
