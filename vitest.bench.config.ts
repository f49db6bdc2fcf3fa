import { defineConfig } from 'vitest/config';

// `npm run bench:ui`: measurements in a real browser, outside `npm test` (they time things; tests never do).
export default defineConfig({
  test: {
    include: ['bench/**/*.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 1_900_000,
    reporters: ['default'],
  },
});
