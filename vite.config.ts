import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  worker: { format: 'es' },
  // Pre-bundle what lazily loaded panels import, so the dev server never reloads the page mid-use.
  optimizeDeps: { include: ['protobufjs', 'elkjs/lib/elk.bundled.js', 'onnxruntime-web'] },
  build: { chunkSizeWarningLimit: 8000 },
});
