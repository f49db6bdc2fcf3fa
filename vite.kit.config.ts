import { defineConfig } from 'vite';

// The GPU kit's bundles (npm run gpu-kit): the CLI and the benchmark as vite.cli.config.ts builds them, but with
// every JavaScript dependency inlined, so they run from the kit with only Dawn's native addon (webgpu) beside them.
export default defineConfig({
  logLevel: 'warn',
  publicDir: false,
  ssr: { noExternal: true, external: ['webgpu'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'gpu-kit/dist',
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: { lab: 'src/cli/lab.ts', bench: 'src/bench/bench.ts' },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
