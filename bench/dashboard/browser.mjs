// Headless Debian Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

// Launches /usr/bin/chromium (or CHROMIUM_BIN) headless.
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
