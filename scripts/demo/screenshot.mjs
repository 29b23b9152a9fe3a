// Saves a screenshot of the running demo's dashboard (for the README) with headless Chromium.
// Usage, while `make demo` runs: node scripts/demo/screenshot.mjs [output.png]   (default docs/screenshot.png)
// Reads DEMO_PORT (default 8081); uses playwright-core from tests/e2e/node_modules and /usr/bin/chromium.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(top, 'tests/e2e/package.json'))('playwright-core');
const output = path.resolve(process.argv[2] || path.join(top, 'docs/screenshot.png'));
const url = `http://127.0.0.1:${process.env.DEMO_PORT || 8081}/dashboard/?persona=ai-jesus`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="connection-state"]')?.textContent === 'live',
    null, { timeout: 15000 });
  await page.waitForSelector('[data-testid^="variant-row-"]', { timeout: 15000 });
  // A few seconds of live updates so the chart has lines and some cells are flashing.
  await page.waitForTimeout(8000);
  await page.screenshot({ path: output });
  console.log(`saved ${output}`);
} finally {
  await browser.close();
}
