// Benchmark a: time from navigation start to the first variant row on screen, and to the engagement chart
// drawn with its hour of history, over fresh page loads.
import { firstRowProbe } from './probes.mjs';

const LOAD_TIMEOUT_MS = 10000;

// Loads the persona's dashboard `loads` times, each in a new browser context (cold cache, new socket),
// after one discarded warm-up load; returns per load { row: {dom, frame}, chart: {dom, frame} }, ms since
// navigation start.
export async function measureFirstData(browser, baseUrl, persona, loads) {
  const samples = [];
  for (let load = 0; load <= loads; load += 1) {
    const sample = await loadOnce(browser, `${baseUrl}/dashboard/?persona=${encodeURIComponent(persona)}`);
    if (load > 0) samples.push(sample);
  }
  return samples;
}

// One fresh load of url; the first row's and the drawn chart's times as the page itself recorded them.
async function loadOnce(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(firstRowProbe);
    await page.goto(url);
    const handle = await page.waitForFunction(() => window.__firstRow && window.__chartDrawn && { row: window.__firstRow, chart: window.__chartDrawn }, null, { timeout: LOAD_TIMEOUT_MS });
    return await handle.jsonValue();
  } finally {
    await context.close();
  }
}
