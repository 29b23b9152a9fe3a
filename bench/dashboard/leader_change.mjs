// Benchmark c: time from an SQL commit that makes a variant the top performance leader to the leaders panel
// showing it first (carried by panels_update, at most one panel interval after the event, plus the query).
import pg from 'pg';
import { openLivePage } from './browser.mjs';
import { activeVariants } from './commit_to_screen.mjs';
import { leaderChangeProbe } from './probes.mjs';

const SHOWN_TIMEOUT_MS = 15000;
const EXTRA_VIEWS = 5000;

// Makes `changes` variants the leader in turn (each with a higher rate than the last) and returns for each
// the { dom, frame } delays in ms between COMMIT returning and the panel's first leader changing.
export async function measureLeaderChange(browser, baseUrl, persona, changes) {
  const client = new pg.Client();
  await client.connect();
  const page = await openLivePage(browser, baseUrl, persona, leaderChangeProbe);
  try {
    const rows = await activeVariants(client, persona);
    const samples = [];
    for (let change = 0; change < changes; change += 1) {
      const variant = rows[change % rows.length];
      samples.push(await timeOneLeader(client, page, persona, variant, 0.3 + 0.01 * change));
    }
    return samples;
  } finally {
    await page.close();
    await client.end();
  }
}

// Gives variant a rate above every earlier leader's and waits until the page shows it as the first leader.
async function timeOneLeader(client, page, persona, variant, rate) {
  variant.views += EXTRA_VIEWS;
  const data = { persona_id: persona, view_count: variant.views, interaction_count: Math.round(variant.views * rate) };
  await client.query('SELECT variant_dashboard.handle_performance_update($1, $2)', [variant.id, data]);
  const committed = performance.timeOrigin + performance.now();
  const shown = await page.evaluate(
    ([id, timeout]) => Promise.race([window.__leaderShown(id), new Promise((resolve) => setTimeout(() => resolve(null), timeout))]),
    [variant.id, SHOWN_TIMEOUT_MS],
  );
  if (!shown) throw new Error(`${variant.id} never became the first leader on screen`);
  return { dom: shown.dom - committed, frame: shown.frame - committed };
}
