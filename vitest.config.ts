import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The fault-injection suite has its own config and command (npm run test:faults).
    exclude: ['test/faults/**', '**/node_modules/**'],
    // Integration tests start real redis-server clusters; two cores cannot run many at once.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
