// Vite build of the dashboard: served by pushd under /dashboard/, every asset bundled (no CDN).
// index.html gets the early-socket boot script inlined in its head, so the WebSocket opens while the JS
// downloads; React and the app are separate chunks (modulepreloaded), uPlot and the chart a lazy one.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { startEarlySocket } from './src/earlySocket.js';

// Inlines startEarlySocket (self-contained by contract) as a classic script before any module script.
function earlySocketBoot() {
  return {
    name: 'variant-dashboard-early-socket',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'script', injectTo: 'head', children: `(${startEarlySocket.toString()})(window);` }],
    },
  };
}

export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), earlySocketBoot()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    minify: true,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
            { name: 'uplot', test: /node_modules[\\/]uplot[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  test: { include: ['src/**/*.test.js'], environment: 'node' },
});
