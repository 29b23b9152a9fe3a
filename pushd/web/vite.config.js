// Vite build of the dashboard: served by pushd under /dashboard/, every asset bundled (no CDN).
// index.html gets the early-socket boot script inlined in its head, so the WebSocket opens while the JS
// downloads; React and the app are separate chunks (modulepreloaded), uPlot and the chart a lazy one (main.jsx
// requests it as soon as it runs).
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

// Preloads the chart's lazy chunk (with uPlot) from index.html: fetched and compiled while the main bundle
// loads, so main.jsx's import() of it only evaluates it. Build only (the dev server has no chunks).
function chartChunkPreload() {
  let base = '/';
  return {
    name: 'variant-dashboard-chart-preload',
    apply: 'build',
    configResolved: (config) => {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler: (html, { bundle }) => {
        const chunks = Object.values(bundle ?? {});
        const chart = chunks.find((chunk) => chunk.type === 'chunk' && /[\\/]EngagementChart\.jsx$/.test(chunk.facadeModuleId ?? ''));
        if (!chart) return [];
        const own = [chart, ...chart.imports.map((file) => bundle[file])].filter((chunk) => !html.includes(chunk.fileName));
        return own.map((chunk) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${chunk.fileName}` }, injectTo: 'head' }));
      },
    },
  };
}

export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), earlySocketBoot(), chartChunkPreload()],
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
