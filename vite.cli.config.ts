import { existsSync } from 'node:fs';
import { defineConfig } from 'vite';

// The Node entry points (the lab CLI and the benchmark) bundled with their WGSL inlined (`?raw`), so they run
// with plain `node` — here, or copied to a GPU machine with the webgpu package beside them.
export default defineConfig({
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist/cli',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { lab: 'src/cli/lab.ts', ...(existsSync('src/bench/bench.ts') ? { bench: 'src/bench/bench.ts' } : {}) },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
