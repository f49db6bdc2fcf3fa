import { defineConfig } from 'vitest/config';

// GPU tests talk to Dawn (a native addon) on SwiftShader. Each test file runs in its own forked
// process so a lost device or a crash in the addon cannot take other files down. `npm test` runs the
// browser tests (tests/e2e) in a second pass, one file at a time: they time the page's main thread, which
// other SwiftShader work on the same two cores would distort.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The Python reference environment and the golden fixtures the real transformers/peft compute.
    globalSetup: ['tests/setup/pyref.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
