// Benchmark b: time from an SQL commit of a performance update to the changed views cell on screen.
import pg from 'pg';
import { openLivePage } from './browser.mjs';
import { cellChangeProbe } from './probes.mjs';

const WARM_UP_UPDATES = 10;
const PAUSE_MS = 20;
const SHOWN_TIMEOUT_MS = 5000;

// Commits `updates` performance updates (after a few discarded warm-up ones) to the persona's active variants,
// one at a time, and returns for each the { dom, frame } delays in ms between COMMIT returning and the page
// seeing the new value. Same machine, same wall clock: the page times itself, the writer times the commit.
export async function measureCommitToScreen(browser, baseUrl, persona, updates) {
  const client = new pg.Client();
  await client.connect();
  const page = await openLivePage(browser, baseUrl, persona, cellChangeProbe);
  try {
    const variants = await activeVariants(client, persona);
    const samples = [];
    for (let update = 0; update < WARM_UP_UPDATES + updates; update += 1) {
      const sample = await timeOneUpdate(client, page, persona, variants[update % variants.length]);
      if (update >= WARM_UP_UPDATES) samples.push(sample);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    return samples;
  } finally {
    await page.close();
    await client.end();
  }
}

// The persona's active variants with their current counts and rate.
export async function activeVariants(client, persona) {
  const { rows } = await client.query(
    `SELECT m.variant_id AS id, m.view_count::float8 AS views, m.current_er::float8 AS rate
       FROM variant_dashboard.variant_monitoring m JOIN variant_dashboard.variants v ON v.id = m.variant_id
      WHERE v.persona_id = $1 AND v.status = 'active' ORDER BY v.id`,
    [persona],
  );
  if (rows.length === 0) throw new Error(`persona ${persona} has no active variants`);
  return rows;
}

// Adds views to one variant in an autocommitted statement and waits until the page shows the new count.
async function timeOneUpdate(client, page, persona, variant) {
  variant.views += 10 + Math.floor(Math.random() * 40);
  const data = { persona_id: persona, view_count: variant.views, interaction_count: Math.round(variant.views * variant.rate) };
  await client.query('SELECT variant_dashboard.handle_performance_update($1, $2)', [variant.id, data]);
  const committed = performance.timeOrigin + performance.now();
  const shown = await page.evaluate(
    ([testId, value, timeout]) => Promise.race([window.__cellShown(testId, value), new Promise((resolve) => setTimeout(() => resolve(null), timeout))]),
    [`views-${variant.id}`, String(variant.views), SHOWN_TIMEOUT_MS],
  );
  if (!shown) throw new Error(`views of ${variant.id} never showed ${variant.views}`);
  return { dom: shown.dom - committed, frame: shown.frame - committed };
}
