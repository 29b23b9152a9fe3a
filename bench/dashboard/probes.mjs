// Scripts installed in the page before the dashboard's own code runs; they time DOM changes in the page itself.

// Records in window.__firstRow when the first variant row enters the DOM, and in window.__chartDrawn when the
// engagement chart is first drawn with the hour of history in it (uPlot created, data-history true), each with
// when the next frame starts (performance.now(), i.e. milliseconds since navigation start).
export function firstRowProbe() {
  const marks = [['__firstRow', '[data-testid^="variant-row-"]'], ['__chartDrawn', '[data-testid="chart"][data-drawn="true"][data-history="true"]']];
  const pending = new Set(marks.map(([name]) => name));
  const observer = new MutationObserver(() => {
    for (const [name, selector] of marks) {
      if (!pending.has(name) || !document.querySelector(selector)) continue;
      pending.delete(name);
      const mark = { dom: performance.now(), frame: null };
      requestAnimationFrame(() => {
        mark.frame = performance.now();
        window[name] = mark;
      });
    }
    if (pending.size === 0) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-drawn', 'data-history'] });
}

// Records the wall-clock time (ms since the epoch) whenever the top performance leader changes;
// window.__leaderShown(variantId) resolves with { dom, frame } once variantId is the first leader shown.
export function leaderChangeProbe() {
  const seen = new Map();
  const waiting = new Map();
  const wallClock = () => performance.timeOrigin + performance.now();
  let current = null;
  // Settles the waiter of id, if any, once its change has a frame time.
  const settle = (id) => {
    const resolve = waiting.get(id);
    if (resolve && seen.get(id)?.frame != null) {
      waiting.delete(id);
      resolve(seen.get(id));
    }
  };
  const observer = new MutationObserver(() => {
    const first = document.querySelector('[data-testid="panel-leaders"] [data-testid^="leader-"]');
    const id = first?.dataset.testid.slice('leader-'.length) ?? null;
    if (id === current || id === null) return;
    current = id;
    const change = { dom: wallClock(), frame: null };
    seen.set(id, change);
    requestAnimationFrame(() => {
      change.frame = wallClock();
      settle(id);
    });
  });
  observer.observe(document, { childList: true, subtree: true });
  window.__leaderShown = (id) => new Promise((resolve) => {
    waiting.set(id, resolve);
    if (current === id) settle(id);
  });
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
