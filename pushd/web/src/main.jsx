// Entry point: mounts the dashboard application. The first render is synchronous: when the early socket
// (index.html's boot script) already buffered the initial data and the chart's history, the first variant rows
// and the drawn chart are on screen as soon as this module has run, without waiting for a scheduler task.
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './App.jsx';
import './styles.css';

const root = createRoot(document.getElementById('root'));
flushSync(() => {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
