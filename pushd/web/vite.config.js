// Vite build of the dashboard: served by pushd under /dashboard/, every asset bundled (no CDN).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0 },
  test: { include: ['src/**/*.test.js'], environment: 'node' },
});
