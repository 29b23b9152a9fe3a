// Headless Debian Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

// Launches /usr/bin/chromium (or CHROMIUM_BIN) headless.
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// A new page on the persona's dashboard with probe installed before the app runs, once its socket is live.
export async function openLivePage(browser, baseUrl, persona, probe) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(probe);
  await page.goto(`${baseUrl}/dashboard/?persona=${encodeURIComponent(persona)}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === 'live');
  return page;
}
