import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// WGSL shaders are imported as text (`?raw`), so the same module graph works in the page,
// in a Worker and in Node (vitest / the CLI bundle). Two pages: the lab (index.html) and the peer benchmark
// beside onnxruntime-web (peer.html), which alone loads ONNX Runtime.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { rollupOptions: { input: { main: 'index.html', peer: 'peer.html' } } },
});
