// Dashboard benchmarks in headless Chromium against a running pushd; prints one line of numbers for
// bench/dashboard_bench.sh: first-row median p95 (DOM, frame), commit-to-screen p50 p99 (DOM, frame), drawn
// chart median p95 (frame), leader change p50 p99 (frame), then for the demo persona first-row median p95
// (DOM) and drawn chart median p95 (frame), in ms.
// Usage: node bench.mjs <pushd base URL> <persona> <page loads> <updates> <leader changes> <demo persona>
// (PG* env for the writer)
import { launchBrowser } from './browser.mjs';
import { measureCommitToScreen } from './commit_to_screen.mjs';
import { measureFirstData } from './first_data.mjs';
import { measureLeaderChange } from './leader_change.mjs';
import { formatMs, percentile } from './stats.mjs';

// Runs every measure and prints their percentiles.
async function main([baseUrl, persona, loads, updates, leaderChanges, demoPersona]) {
  const browser = await launchBrowser();
  try {
    const firstData = await measureFirstData(browser, baseUrl, persona, Number(loads));
    const commitToScreen = await measureCommitToScreen(browser, baseUrl, persona, Number(updates));
    const leaders = await measureLeaderChange(browser, baseUrl, persona, Number(leaderChanges));
    const demo = await measureFirstData(browser, baseUrl, demoPersona, Number(loads));
    const rows = firstData.map((sample) => sample.row);
    const charts = firstData.map((sample) => sample.chart);
    const numbers = [
      ...percentiles(rows, 'dom', [50, 95]), ...percentiles(rows, 'frame', [50, 95]),
      ...percentiles(commitToScreen, 'dom', [50, 99]), ...percentiles(commitToScreen, 'frame', [50, 99]),
      ...percentiles(charts, 'frame', [50, 95]), ...percentiles(leaders, 'frame', [50, 99]),
      ...percentiles(demo.map((sample) => sample.row), 'dom', [50, 95]), ...percentiles(demo.map((sample) => sample.chart), 'frame', [50, 95]),
    ];
    console.log(numbers.map(formatMs).join(' '));
  } finally {
    await browser.close();
  }
}

// The percentiles ps of one field of the samples.
function percentiles(samples, field, ps) {
  const values = samples.map((sample) => sample[field]);
  return ps.map((p) => percentile(values, p));
}

await main(process.argv.slice(2));
