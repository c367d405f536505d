import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/, which the control plane serves on the admin port (see serve-dashboard.ts).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:9180' } },
});
