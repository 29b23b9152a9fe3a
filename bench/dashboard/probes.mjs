// Scripts installed in the page before the dashboard's own code runs; they time DOM changes in the page itself.

// Records in window.__firstRow when the first variant row enters the DOM and when the next frame starts
// (performance.now(), i.e. milliseconds since navigation start).
export function firstRowProbe() {
  const observer = new MutationObserver(() => {
    if (!document.querySelector('[data-testid^="variant-row-"]')) return;
    observer.disconnect();
    const firstRow = { dom: performance.now(), frame: null };
    requestAnimationFrame(() => {
      firstRow.frame = performance.now();
      window.__firstRow = firstRow;
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

// Records, for every change of a views cell's data-value, the wall-clock time (ms since the epoch, sub-ms)
// of the DOM change and of the next frame; window.__cellShown(testId, value) resolves with them.
export function cellChangeProbe() {
  const seen = new Map();
  const waiting = new Map();
  // Now as milliseconds since the epoch, sub-millisecond, comparable with the writer's clock.
  const wallClock = () => performance.timeOrigin + performance.now();
  // Settles the waiter of key, if any, with the times of its change.
  const settle = (key) => {
    const resolve = waiting.get(key);
    if (resolve && seen.get(key).frame !== null) {
      waiting.delete(key);
      resolve(seen.get(key));
    }
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const testId = record.target.dataset?.testid ?? '';
      if (!testId.startsWith('views-')) continue;
      const key = `${testId}=${record.target.dataset.value}`;
      const change = { dom: wallClock(), frame: null };
      seen.set(key, change);
      requestAnimationFrame(() => {
        change.frame = wallClock();
        settle(key);
      });
    }
  });
  observer.observe(document, { attributes: true, attributeFilter: ['data-value'], subtree: true });
  // Resolves once the cell testId has shown value and the next frame started (at once if that already happened).
  window.__cellShown = (testId, value) => new Promise((resolve) => {
    const key = `${testId}=${value}`;
    waiting.set(key, resolve);
    if (seen.has(key)) settle(key);
  });
}
