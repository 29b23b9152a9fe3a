// E2E: the dashboard a content team keeps open all day (issue 12), one test per numbered point, in headless
// Chromium against the real pushd and PostgreSQL. Screenshots at 1400 and 390 px go to TEST_OUT (the committed
// copies are docs/dashboard-1400.png and docs/dashboard-390.png). Parts that need an endpoint the running
// pushd lacks (issue 11: /api/personas, /api/history, /api/variants/{p}/{v}, panels_update) are skipped with
// the reason printed, never passed silently.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freePort, launchBrowser, literal, Pushd, screenshot, seriousAxeViolations, signToken, sleep, sql } from './harness.mjs';
import { killVariant, seedPersona, seedVariant, updatePerformance } from './seed.mjs';

const RUN_ID = `${process.pid}-${Date.now() % 100000}`;
const WAIT_MS = 15000;
const SECRET = randomBytes(32).toString('hex');
const PANELS_INTERVAL_MS = 500;

let pushd;
let browser;
const has = {};

// The HTTP status pushd answers for path (GET).
async function statusOf(path) {
  return (await fetch(`${pushd.url}${path}`)).status;
}

// Opens url (relative to pushd) in a new page of the given width.
async function openPage(url, width = 1400, server = pushd) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${server.url}${url}`);
  return page;
}

// Opens a persona's dashboard and waits until it is live with its first row.
async function openPersona(persona, firstId, width = 1400, server = pushd, hash = '') {
  const page = await openPage(`/dashboard/?persona=${persona}${hash}`, width, server);
  await waitText(page, 'connection-state', 'live');
  await page.waitForSelector(`[data-testid="variant-row-${firstId}"]`, { timeout: WAIT_MS });
  return page;
}

// Waits until the element with testId has exactly text.
function waitText(page, testId, text) {
  return page.waitForFunction(([id, expected]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === expected, [testId, text], { timeout: WAIT_MS });
}

// Skips the test t with a reason unless condition holds; returns whether it holds.
function need(t, condition, reason) {
  if (!condition) t.skip(`not proven: ${reason}`);
  return condition;
}

before(async () => {
  pushd = new Pushd(await freePort(), ['--panels-interval-ms', String(PANELS_INTERVAL_MS)]);
  try {
    await pushd.start();
  } catch {
    pushd = new Pushd(await freePort()); // a pushd without --panels-interval-ms (issue 11 not merged yet)
    await pushd.start();
    has.noPanelsFlag = true;
  }
  browser = await launchBrowser();
  const probe = `e2e-probe-${RUN_ID}`;
  const [probeId] = seedPersona(probe);
  has.personas = (await statusOf('/api/personas')) === 200;
  has.history = (await statusOf(`/api/history/${probe}?from=${Math.floor(Date.now() / 1000) - 3600}`)) === 200;
  has.detail = (await statusOf(`/api/variants/${probe}/${probeId}`)) === 200;
  has.probabilities = (await statusOf(`/api/probabilities/${probe}`)) === 200;
  console.log(`# endpoints: ${JSON.stringify(has)}`);
});

after(async () => {
  await browser?.close();
  await pushd?.stop();
});

describe('issue 12', () => {
  it('1. overview lists the readable personas as cards that open them', async (t) => {
    if (!need(t, has.personas, 'GET /api/personas missing')) return;
    const persona = `e2e-ov-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openPage('/dashboard/');
    const card = await page.waitForSelector(`[data-testid="persona-card-${persona}"]`, { timeout: WAIT_MS });
    assert.equal(await page.textContent(`[data-testid="persona-active-${persona}"]`), '3 active');
    assert.ok((await page.$$eval('[data-testid="persona-select"] option', (options) => options.map((option) => option.value))).includes(persona));
    await screenshot(page, 'overview-1400');
    await card.click();
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { timeout: WAIT_MS });
    assert.match(page.url(), new RegExp(`persona=${persona}`));
    await page.close();
  });

  it('1. an unknown persona says it has no data, never "live", and is not remembered', async () => {
    const persona = `e2e-typo-${RUN_ID}`;
    const page = await openPage(`/dashboard/?persona=${persona}`);
    const element = await page.waitForSelector('[data-testid="no-data"]', { timeout: WAIT_MS });
    assert.equal(await element.textContent(), `No data for persona ${persona} yet; it appears when a variant is registered.`);
    assert.notEqual(await page.textContent('[data-testid="connection-state"]'), 'live');
    assert.equal(await page.locator('[data-testid="summary-total"]').count(), 0);
    const remembered = await page.evaluate(() => window.localStorage.getItem('variant-dashboard.personas'));
    assert.ok(!String(remembered).includes(persona), `remembered ${remembered}`);
    await page.close();
  });

  it('2. the chart reloads per range, has a legend that toggles and a tooltip, and keeps its points over a reconnect', async () => {
    const persona = `e2e-chart-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openPersona(persona, first);
    await page.waitForSelector(`[data-testid="chart"][data-drawn="true"][data-history="${has.history}"]`, { timeout: WAIT_MS });
    const dayAnswer = has.history && page.waitForResponse((response) => {
      const query = new URL(response.url()).searchParams;
      return response.url().includes(`/api/history/${persona}`) && Number(query.get('to')) - Number(query.get('from')) >= 86400;
    }, { timeout: WAIT_MS });
    await page.click('[data-testid="range-24h"]');
    if (has.history) {
      // the chart is redrawn from the 24-hour answer alone (data-history-to names the answer drawn): its first
      // point is the answer's first (never after the answer's `to`)
      const body = await (await dayAnswer).json();
      const times = [...body.pooled, ...body.variants.flatMap((series) => series.points)].map((point) => point[0]);
      const firstTime = Math.min(...times, Date.parse(body.to) / 1000);
      const drawnFrom = (answerEnd) => document.querySelector('[data-testid="chart"]').dataset.historyTo === String(answerEnd);
      await page.waitForFunction(drawnFrom, Date.parse(body.to) / 1000, { timeout: WAIT_MS });
      assert.equal(await page.getAttribute('[data-testid="chart"]', 'data-first'), String(firstTime));
    }
    const box = await page.locator('[data-testid="chart"] .u-over').boundingBox();
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    await page.waitForSelector('[data-testid="chart-tooltip"]:not([hidden])', { timeout: WAIT_MS });
    assert.match(await page.textContent('[data-testid="chart-tooltip"]'), /\d\d:\d\d:\d\d .+\n.*%.*views/);
    const legend = page.locator('[data-testid="chart"] .u-legend .u-series').nth(1);
    await legend.click();
    assert.match(await legend.getAttribute('class'), /u-off/);
    const firstBefore = Number(await page.getAttribute('[data-testid="chart"]', 'data-first'));
    await pushd.stop();
    await waitText(page, 'connection-state', 'reconnecting');
    updatePerformance({ id: first, persona, views: 1500, interactions: 99 });
    const updatedAt = Number(sql(`SELECT floor(extract(epoch FROM last_updated)) FROM variant_dashboard.variant_monitoring WHERE variant_id = ${literal(first)}`));
    await pushd.start();
    await waitText(page, 'connection-state', 'live');
    // The reconnect adds the missed update and keeps what was drawn before (no reset: same first point).
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="chart"]').dataset.last) >= t, updatedAt, { timeout: WAIT_MS });
    assert.ok(Number(await page.getAttribute('[data-testid="chart"]', 'data-first')) <= firstBefore);
    await page.close();
  });

  it('2. on open the chart shows the last hour from /api/history', async (t) => {
    if (!need(t, has.history, 'GET /api/history missing')) return;
    const persona = `e2e-hist-${RUN_ID}`;
    const [first] = seedPersona(persona);
    updatePerformance({ id: first, persona, views: 1300, interactions: 80 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const answered = page.waitForResponse((response) => response.url().includes(`/api/history/${persona}`), { timeout: WAIT_MS });
    await page.goto(`${pushd.url}/dashboard/?persona=${persona}`);
    const body = await (await answered).json();
    const historyTimes = new Set([...body.pooled, ...body.variants.flatMap((series) => series.points)].map((point) => point[0]));
    assert.ok(historyTimes.size >= 1, 'the history answer has no points');
    await page.waitForFunction((count) => Number(document.querySelector('[data-testid="chart"]')?.dataset.points) >= count, historyTimes.size, { timeout: WAIT_MS });
    await page.close();
  });

  it('3. panels follow panels_update without Refresh; offline greys the data and stops the ages', async (t) => {
    if (!need(t, !has.noPanelsFlag, 'pushd has no --panels-interval-ms (panels_update)')) return;
    const persona = `e2e-panels-${RUN_ID}`;
    const [first, second] = seedPersona(persona);
    const page = await openPersona(persona, first);
    await page.waitForSelector(`[data-testid="leader-${first}"]`, { timeout: WAIT_MS });
    updatePerformance({ id: second, persona, views: 5000, interactions: 900 });
    await page.waitForFunction((id) => document.querySelector('.leaders li')?.dataset.testid === `leader-${id}`, second, { timeout: WAIT_MS });
    const lastId = sql(`SELECT max(id) FROM variant_dashboard.dashboard_events WHERE persona_id = ${literal(persona)}`);
    await waitText(page, 'panels-event-id', lastId);
    await pushd.stop();
    const banner = await page.waitForSelector('[data-testid="offline-banner"]', { timeout: WAIT_MS });
    assert.match(await banner.textContent(), /data as of \d\d:\d\d:\d\d \S+, reconnecting/);
    assert.equal(await page.getAttribute('[data-testid="dashboard-main"]', 'data-stale'), 'true');
    const ages = () => page.$$eval('.col-age', (cells) => cells.map((cell) => cell.textContent).join('|'));
    const frozen = await ages();
    await sleep(2500);
    assert.equal(await ages(), frozen);
    await screenshot(page, 'offline-1400');
    await pushd.start();
    await waitText(page, 'connection-state', 'live');
    assert.equal(await page.locator('[data-testid="offline-banner"]').count(), 0);
    await page.close();
  });

  it('4. active means active: filters, search, collecting data, status visible at 1400 px, paused order', async () => {
    const persona = `e2e-active-${RUN_ID}`;
    const [first, second, third] = seedPersona(persona);
    const young = `${persona}-young`;
    seedVariant({ id: young, persona, content: 'Brand new take', predictedEr: 0.05, pattern: 'list', minutesAgo: 1, views: 12, interactions: 1 });
    const dud = `${persona}-dud`;
    seedVariant({ id: dud, persona, content: 'A post that fell flat', predictedEr: 0.06, pattern: 'list', minutesAgo: 70, views: 900, interactions: 9 });
    killVariant({ id: dud, reason: 'Engagement 1.0% vs 6.0% predicted', finalEr: 0.01, sampleSize: 900 });
    const page = await openPersona(persona, first);
    await page.waitForSelector(`[data-testid="variant-row-${young}"]`, { timeout: WAIT_MS });
    assert.equal(await page.textContent(`[data-testid="performance-${young}"]`), 'collecting data (12 views)');
    // a kill from before the page opened is not Active, and Killed lists it
    assert.equal(await page.locator(`[data-testid="variant-row-${dud}"]`).count(), 0);
    await page.click('[data-testid="filter-killed"]');
    await page.waitForSelector(`[data-testid="variant-row-${dud}"][data-status="killed"]`, { timeout: WAIT_MS });
    assert.equal(await page.textContent('[data-testid="filter-killed"] .chip__count'), '1');
    await page.click('[data-testid="filter-active"]');
    assert.equal(await page.textContent(`[data-testid="kill-risk-${young}"]`), '—');
    sql(`UPDATE variant_dashboard.variants SET status = 'completed' WHERE id = ${literal(third)}`);
    await page.waitForSelector(`[data-testid="variant-row-${third}"]`, { state: 'detached', timeout: WAIT_MS });
    await page.click('[data-testid="filter-completed"]');
    await page.waitForSelector(`[data-testid="variant-row-${third}"]`, { timeout: WAIT_MS });
    await page.click('[data-testid="filter-active"]');
    await page.fill('[data-testid="variant-search"]', second);
    await page.waitForSelector(`[data-testid="variant-row-${first}"]`, { state: 'detached', timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid^="variant-row-"]').count(), 1);
    await page.fill('[data-testid="variant-search"]', '');
    const scroll = await page.$eval('.table-scroll', (element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
    assert.ok(scroll.scroll <= scroll.client, `the table scrolls sideways at 1400 px: ${JSON.stringify(scroll)}`);
    await page.hover(`[data-testid="variant-row-${first}"]`);
    await page.waitForSelector('[data-testid="sort-paused"]', { timeout: WAIT_MS });
    // the pointer leaving resumes it; focus on a row (keyboard users) pauses it again
    await page.mouse.move(0, 0);
    await page.waitForSelector('[data-testid="sort-paused"]', { state: 'detached', timeout: WAIT_MS });
    await page.focus(`[data-testid="variant-row-${first}"]`);
    await page.waitForSelector('[data-testid="sort-paused"]', { timeout: WAIT_MS });
    await page.close();
  });

  it('4. "Chance best" shows each active variant\'s probability_best', async (t) => {
    if (!need(t, has.probabilities, 'GET /api/probabilities missing')) return;
    const persona = `e2e-chance-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openPersona(persona, first);
    await page.waitForFunction((id) => /\d%$/.test(document.querySelector(`[data-testid="chance-best-${id}"]`)?.textContent ?? ''), first, { timeout: WAIT_MS });
    await page.close();
  });

  it('5. a row, a leader, a feed entry and a suggestion id open the detail; deep link; kill only with write scope', async () => {
    const secured = new Pushd(await freePort(), ['--jwt-secret', SECRET]);
    await secured.start();
    try {
      const persona = `e2e-detail-${RUN_ID}`;
      const [first, , third] = seedPersona(persona);
      const young = `${persona}-young`;
      seedVariant({ id: young, persona, content: 'Brand new take', predictedEr: 0.05, pattern: 'list', minutesAgo: 1, views: 12, interactions: 1 });
      const reader = signToken(SECRET, { personas: [persona] });
      const page = await openPersona(persona, first, 1400, secured, `#access_token=${reader}`);
      await page.click(`[data-testid="variant-row-${first}"]`);
      await waitText(page, 'detail-id', first);
      assert.match(page.url(), new RegExp(`variant=${first}`));
      assert.equal(await page.textContent('[data-testid="detail-content"]'), 'Why does faith matter in a world of algorithms?');
      assert.equal(await page.locator('[data-testid="kill-button"]').count(), 0);
      if (has.detail) assert.match(await page.textContent('[data-testid="detail-kill-evaluation"]'), /% likely below .* after .* views|Collecting data/);
      await page.click('[data-testid="detail-close"]');
      await page.waitForSelector('[data-testid="variant-detail"]', { state: 'detached', timeout: WAIT_MS });
      await page.focus(`[data-testid="leader-${first}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid="variant-detail"]', { timeout: WAIT_MS }).catch(async (error) => {
        console.log('# debug', page.url(), await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200)));
        throw error;
      });
      await waitText(page, 'detail-id', first);
      await page.keyboard.press('Escape');
      await page.click(`[data-testid="suggestion-0"] [data-testid="open-${young}"], [data-testid^="suggestion-"] [data-testid="open-${young}"]`);
      await waitText(page, 'detail-id', young);
      await page.keyboard.press('Escape');
      await page.close();

      const writer = signToken(SECRET, { personas: [persona], scope: 'write' });
      const deep = await openPage(`/dashboard/?persona=${persona}&variant=${third}#access_token=${writer}`, 1400, secured);
      await waitText(deep, 'detail-id', third);
      await deep.click('[data-testid="kill-button"]');
      await deep.fill('[data-testid="kill-reason"]', 'Off-brand wording');
      await deep.click('[data-testid="kill-confirm-button"]');
      await waitText(deep, 'kill-result', 'Killed.');
      await deep.waitForSelector(`[data-testid="kill-${third}"]`, { timeout: WAIT_MS });
      assert.equal(sql(`SELECT status FROM variant_dashboard.variants WHERE id = ${literal(third)}`), 'killed');
      await deep.close();
    } finally {
      await secured.stop();
    }
  });

  it('5. the detail shows content, pattern, the 95% interval, the kill sentence, chance best, its own chart and its events', async (t) => {
    if (!need(t, has.detail, 'GET /api/variants/{persona}/{variant} missing')) return;
    const persona = `e2e-detail-rest-${RUN_ID}`;
    const [first, , third] = seedPersona(persona);
    const page = await openPage(`/dashboard/?persona=${persona}&variant=${first}`);
    await page.waitForFunction(() => /95%: .*% to .*%/.test(document.querySelector('[data-testid="detail-live"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
    const detail = JSON.parse(sql(`SELECT variant_dashboard.variant_detail(${literal(first)})`));
    const percent = (rate) => `${(rate * 100).toFixed(1)}%`;
    assert.match(await page.textContent('[data-testid="detail-live"]'), new RegExp(`95%: ${percent(detail.rate_interval.low)} to ${percent(detail.rate_interval.high)}`));
    assert.equal(await page.textContent('[data-testid="detail-content"]'), 'Why does faith matter in a world of algorithms?');
    assert.equal(await page.textContent('[data-testid="detail-pattern"]'), 'question');
    assert.match(await page.textContent('[data-testid="detail-chance"]'), /^\d+\.\d%$/);
    assert.match(await page.textContent('[data-testid="detail-kill-evaluation"]'), /^less than 1% likely below 3\.0%, half the 6\.0% prediction, after 1\.2k views$/);
    await page.waitForSelector('[data-testid="detail-timeline"] li', { timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid="detail-timeline"] li').count(), 2);
    assert.match(await page.textContent('[data-testid="detail-timeline"] li:last-child'), /Why does faith matter/);
    await page.waitForSelector('[data-testid="detail-chart"][data-drawn="true"]', { timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    await page.click(`[data-testid="variant-row-${third}"]`);
    await waitText(page, 'detail-id', third);
    await page.waitForFunction(() => /likely below/.test(document.querySelector('[data-testid="detail-kill-evaluation"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
    assert.match(await page.textContent('[data-testid="detail-kill-evaluation"]'), /^\d+% likely below 4\.0%, half the 8\.0% prediction, after 600 views$|^more than 99% likely below 4\.0%, half the 8\.0% prediction, after 600 views$/);
    await page.close();
  });

  it('6. the live feed shows new events newest first, each opening its variant', async () => {
    const persona = `e2e-feed-${RUN_ID}`;
    const [first, second] = seedPersona(persona);
    const page = await openPersona(persona, first);
    updatePerformance({ id: second, persona, views: 900, interactions: 45 });
    const eventId = Number(sql(`SELECT max(id) FROM variant_dashboard.dashboard_events WHERE persona_id = ${literal(persona)}`));
    const entry = await page.waitForSelector(`[data-testid="feed-${eventId}"]`, { timeout: WAIT_MS });
    assert.equal(await page.$eval('[data-testid="live-feed"] li', (item) => item.dataset.testid), `feed-${eventId}`);
    assert.match(await entry.textContent(), /Five things I learned.*5\.0% of 900 views/);
    await entry.click();
    await waitText(page, 'detail-id', second);
    await page.close();
  });

  it('7. plain words first, numbers behind Why?, badges count their lists, times name the zone', async () => {
    const persona = `e2e-words-${RUN_ID}`;
    const [first] = seedPersona(persona);
    seedVariant({ id: `${persona}-young`, persona, content: 'Brand new take', predictedEr: 0.05, pattern: 'list', minutesAgo: 1, views: 12, interactions: 1 });
    const page = await openPersona(persona, first);
    await page.waitForSelector('[data-testid="suggestion-0"]', { timeout: WAIT_MS });
    const why = page.locator('[data-testid="why-suggestion-0"]');
    assert.equal(await why.evaluate((element) => element.open), false);
    assert.equal(await page.locator('[data-testid="why-suggestion-0"] .evidence').isVisible(), false);
    await why.locator('summary').click();
    assert.equal(await page.locator('[data-testid="why-suggestion-0"] .evidence').isVisible(), true);
    for (const panel of ['suggestions', 'leaders', 'kills', 'fatigue']) {
      const count = await page.locator(`[data-testid="count-${panel}"]`).textContent();
      const listed = await page.locator(`[data-testid="panel-${panel}"] .feed > li`).count();
      assert.equal(Number(count), listed, `${panel} badge ${count} vs ${listed} listed`);
    }
    const zone = await page.evaluate(() => new Intl.DateTimeFormat([], { timeZoneName: 'short' }).formatToParts(Date.now()).find((part) => part.type === 'timeZoneName').value);
    assert.match(await page.textContent('[data-testid="panels-footer"]'), new RegExp(`times in ${zone}`));
    await page.close();
  });

  it('8. at 390 px the variants are cards with the key numbers, nothing scrolls sideways, the detail is full-screen', async () => {
    const persona = `e2e-phone12-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const page = await openPersona(persona, first, 390);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(widths.scroll <= widths.viewport, `page is ${widths.scroll}px wide in ${widths.viewport}px`);
    for (const testId of [`live-rate-${first}`, `performance-${first}`, `views-${first}`, `kill-risk-${first}`, `status-${first}`]) {
      const box = await page.locator(`[data-testid="${testId}"]`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${testId} not within the screen: ${JSON.stringify(box)}`);
    }
    assert.ok(await page.locator(`[data-testid="variant-row-${first}"] .content-cell`).isVisible());
    await screenshot(page, 'dashboard-390');
    await page.click(`[data-testid="variant-row-${first}"]`);
    const detail = await page.waitForSelector('[data-testid="variant-detail"]', { timeout: WAIT_MS });
    assert.equal(Math.round((await detail.boundingBox()).width), 390);
    await page.close();
  });

  it('9. focusable rows open with Enter, a skip link, and no serious axe violations on overview, persona and detail', async () => {
    const persona = `e2e-a11y-${RUN_ID}`;
    const [first] = seedPersona(persona);
    const overview = await openPage('/dashboard/');
    await overview.waitForSelector('[data-testid^="persona-card-"], [data-testid="overview-error"], [data-testid="overview-empty"]', { timeout: WAIT_MS });
    assert.deepEqual(await seriousAxeViolations(overview), []);
    await overview.close();
    const page = await openPersona(persona, first);
    await page.waitForSelector('[data-testid="suggestion-0"], [data-testid="panel-suggestions"] .empty', { timeout: WAIT_MS });
    await screenshot(page, 'dashboard-1400');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.focus(`[data-testid="variant-row-${first}"]`);
    await page.keyboard.press('Enter');
    await waitText(page, 'detail-id', first);
    assert.deepEqual(await seriousAxeViolations(page), []);
    await screenshot(page, 'detail-1400');
    await page.close();
  });
});
