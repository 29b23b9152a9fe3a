// Entry point: mounts the dashboard application. The first render is synchronous: when the early socket
// (index.html's boot script) already buffered the initial data, the first variant rows are on screen as soon
// as this module has run, without waiting for a scheduler task. The chart's chunk is requested before that, so it
// is ready (index.html modulepreloads it) when the chart renders, after the first paint.
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './App.jsx';
import { loadChartChunk } from './hooks/useChartChunk.js';
// uPlot's few rules are in the page's CSS: the chart chunk then has no stylesheet for its import() to wait for.
import 'uplot/dist/uPlot.min.css';
import './styles.css';

loadChartChunk();
const root = createRoot(document.getElementById('root'));
flushSync(() => {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
