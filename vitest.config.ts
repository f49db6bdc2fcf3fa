import { defineConfig } from 'vitest/config';

// GPU tests talk to Dawn (a native addon) on SwiftShader. Each test file runs in its own forked
// process so a lost device or a crash in the addon cannot take other files down.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
