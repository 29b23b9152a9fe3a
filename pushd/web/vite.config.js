// Vite build of the dashboard: served by pushd under /dashboard/, every asset bundled (no CDN).
// index.html gets the early-socket boot script inlined in its head, so the WebSocket opens while the JS
// downloads; React, uPlot and the app are separate files (modulepreloaded, so fetched and compiled in parallel).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { startEarlySocket } from './src/earlySocket.js';
import { DEFAULT_RANGE, HISTORY_MAX_POINTS, rangeByKey } from './src/chartData.js';

// The boot script's history request: the chart's default range, as Dashboard asks for it.
const EARLY_HISTORY = { seconds: rangeByKey(DEFAULT_RANGE).seconds, maxPoints: HISTORY_MAX_POINTS };

// Inlines startEarlySocket (self-contained by contract) as a classic script before any module script.
function earlySocketBoot() {
  return {
    name: 'variant-dashboard-early-socket',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'script', injectTo: 'head', children: `(${startEarlySocket.toString()})(window, ${JSON.stringify(EARLY_HISTORY)});` }],
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
