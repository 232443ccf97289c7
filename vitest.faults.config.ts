import { defineConfig } from 'vitest/config';

/**
 * The fault-injection suite (`npm run test:faults`): kills, pauses, failovers and interrupts under a
 * live client load, on real local clusters. Not part of `npm test` (see vitest.config.ts). Files run
 * one at a time: each starts its own cluster and the scenarios are CPU- and timing-heavy.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/summary-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
