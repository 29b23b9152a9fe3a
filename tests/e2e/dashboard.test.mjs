// E2E: the dashboard in headless Chromium against the real pushd and PostgreSQL (issue 4 acceptance).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, launchBrowser, Pushd, screenshot, sleep } from './harness.mjs';
import { addViewsOneByOne, killVariant, seedPersona, updatePerformance } from './seed.mjs';

const RUN_ID = `${process.pid}-${Date.now() % 100000}`;
const WAIT_MS = 10000;
const SNAPSHOT_FEED_EVENTS = 50;

let pushd;
let browser;

// Opens the dashboard of persona in a new page of the given viewport width and waits for it to be live.
async function openDashboard(persona, width = 1280) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${pushd.url}/dashboard/?persona=${persona}`);
  await waitForConnection(page, 'live');
  return page;
}

// Waits until the connection state element shows label.
function waitForConnection(page, label) {
  return page.waitForFunction(
    (expected) => document.querySelector('[data-testid="connection-state"]')?.textContent === expected,
    label,
    { timeout: WAIT_MS },
  );
}

// Waits until the element with testId has the attribute name equal to value.
function waitForAttribute(page, testId, name, value) {
  return page.waitForFunction(
    ([id, attribute, expected]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(attribute) === expected,
    [testId, name, String(value)],
    { timeout: WAIT_MS },
  );
}

// Waits until a killed variant is marked on screen: its row killed or gone, and its kill in the feed.
async function waitForKillShown(page, variantId) {
  await page.waitForSelector(`[data-testid="kill-${variantId}"]`, { timeout: WAIT_MS });
  await page.waitForFunction(
    (id) => {
      const row = document.querySelector(`[data-testid="variant-row-${id}"]`);
      return !row || row.dataset.status === 'killed';
    },
    variantId,
    { timeout: WAIT_MS },
  );
}

before(async () => {
  pushd = new Pushd(await freePort());
  await pushd.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await pushd?.stop();
});

describe('dashboard', () => {
  it('shows the initial data', async () => {
    const persona = `e2e-init-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openDashboard(persona);
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { timeout: WAIT_MS });
    assert.equal(await page.getAttribute(`[data-testid="views-${first}"]`, 'data-value'), '1200');
    assert.equal(await page.textContent('[data-testid="summary-total"] .card__value'), '3');
    await screenshot(page, 'dashboard-initial');
    await page.close();
  });

  it('changes the row on screen after an SQL performance update', async () => {
    const persona = `e2e-update-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openDashboard(persona);
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { timeout: WAIT_MS });
    const started = Date.now();
    updatePerformance({ id: first, persona, views: 2500, interactions: 190 });
    await waitForAttribute(page, `views-${first}`, 'data-value', 2500);
    await waitForAttribute(page, `interactions-${first}`, 'data-value', 190);
    console.log(`# commit-to-cell ${Date.now() - started} ms (includes psql start)`);
    assert.equal(await page.textContent(`[data-testid="views-${first}"]`), '2.5k');
    await page.close();
  });

  it('shows an SQL early kill in the feed and marks the row', async () => {
    const persona = `e2e-kill-${RUN_ID}`;
    const [, , third] = seedPersona(persona);
    const page = await openDashboard(persona);
    await page.waitForSelector(`[data-testid="variant-row-${third}"]`, { timeout: WAIT_MS });
    killVariant({ id: third, reason: 'Engagement below 50% of prediction', finalEr: 0.02, sampleSize: 600 });
    await waitForKillShown(page, third);
    await waitForAttribute(page, `variant-row-${third}`, 'data-status', 'killed');
    await screenshot(page, 'dashboard-kill');
    await page.close();
  });

  it('lists an earlier kill on a fresh load however many events came after it', async () => {
    const persona = `e2e-recent-kill-${RUN_ID}`;
    const [first, , third] = seedPersona(persona);
    killVariant({ id: third, reason: 'Killed before a busy stream', finalEr: 0.02, sampleSize: 600 });
    addViewsOneByOne({ id: first, times: SNAPSHOT_FEED_EVENTS + 10 });
    const page = await openDashboard(persona);
    await page.waitForSelector(`[data-testid="kill-${third}"]`, { timeout: WAIT_MS });
    assert.match(await page.textContent(`[data-testid="kill-${third}"]`), /Hot take: Sunday is the new Monday.*Killed before a busy stream/);
    await page.close();
  });

  it('shows reconnecting while pushd is down and the kills committed meanwhile once it is back', async () => {
    const persona = `e2e-resume-${RUN_ID}`;
    const [first, second] = seedPersona(persona);
    const page = await openDashboard(persona);
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { timeout: WAIT_MS });
    await pushd.stop();
    await waitForConnection(page, 'reconnecting');
    killVariant({ id: second, reason: 'Killed while pushd was down', finalEr: 0.01, sampleSize: 800 });
    updatePerformance({ id: first, persona, views: 3000, interactions: 210 });
    await sleep(300);
    await pushd.start();
    await waitForConnection(page, 'live');
    await waitForKillShown(page, second);
    await waitForAttribute(page, `views-${first}`, 'data-value', 3000);
    assert.equal(await page.locator(`[data-testid="kill-${second}"]`).count(), 1);
    await screenshot(page, 'dashboard-resumed');
    await page.close();
  });

  it('has no horizontal scroll at phone width', async () => {
    const persona = `e2e-phone-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openDashboard(persona, 375);
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { timeout: WAIT_MS });
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(widths.scroll <= widths.viewport, `page is ${widths.scroll}px wide in a ${widths.viewport}px viewport`);
    await screenshot(page, 'dashboard-phone');
    await page.close();
  });
});
