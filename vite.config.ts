import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// WGSL shaders are imported as text (`?raw`), so the same module graph works in the page,
// in a Worker and in Node (vitest / the CLI bundle).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
