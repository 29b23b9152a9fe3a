// The chart's memory: history from GET /api/history merged with live points, and uPlot's aligned columns.
// Pure functions, no React. A series is a time-ordered list of points [t (epoch s), rate, views].

export const MAX_CHART_VARIANTS = 8;
export const SERIES_POINT_LIMIT = 2000;
export const RANGES = [
  { key: '15m', label: '15 m', seconds: 900 },
  { key: '1h', label: '1 h', seconds: 3600 },
  { key: '24h', label: '24 h', seconds: 86400 },
  { key: '7d', label: '7 d', seconds: 604800 },
];
export const DEFAULT_RANGE = '1h';
export const HISTORY_MAX_POINTS = 240;

// The chart before anything is known: no pooled points, no variant series, no history loaded yet.
export function emptyChart() {
  return { pooled: [], variants: {}, historyTo: null };
}

// The range entry of a key, the default range for an unknown one.
export function rangeByKey(key) {
  return RANGES.find((range) => range.key === key) ?? RANGES.find((range) => range.key === DEFAULT_RANGE);
}

// A history point [t, rate, views, interactions] as a chart point [t, rate, views] (null when malformed), never
// after the history's end: pushd stamps a still open bucket with its last change, and a point after the end
// would be drawn in the future and kept by a later answer as if it were live.
function historyPoint(point, historyEnd) {
  if (!Array.isArray(point) || typeof point[0] !== 'number') return null;
  return [Math.min(point[0], historyEnd), typeof point[1] === 'number' ? point[1] : null, typeof point[2] === 'number' ? point[2] : null];
}

// The history's points up to its end, then the live points that came after it (a reload never loses them).
function mergePoints(historyPoints, livePoints, historyEnd) {
  const loaded = (historyPoints ?? []).map((point) => historyPoint(point, historyEnd)).filter(Boolean);
  const later = (livePoints ?? []).filter((point) => point[0] > historyEnd);
  return [...loaded, ...later].slice(-SERIES_POINT_LIMIT);
}

// The chart with a GET /api/history answer merged in: history up to its `to`, live points after it kept;
// historyTo (the answer's end, epoch seconds) tells the chart, and whoever watches it, which answer it holds.
export function mergeHistory(chart, history) {
  if (!history || typeof history !== 'object') return chart;
  const end = typeof history.to === 'number' ? history.to : Date.parse(history.to ?? '') / 1000;
  const historyEnd = Number.isFinite(end) ? end : Infinity;
  const variants = { ...chart.variants };
  for (const series of history.variants ?? []) {
    const id = series.variant_id;
    const previous = variants[id] ?? { points: [] };
    variants[id] = {
      content: series.content ?? previous.content,
      pattern_used: series.pattern_used ?? previous.pattern_used,
      status: series.status ?? previous.status,
      points: mergePoints(series.points, previous.points, historyEnd),
    };
  }
  return { pooled: mergePoints(history.pooled, chart.pooled, historyEnd), variants, historyTo: historyEnd };
}

// A series with one more point at t; a point at the same second replaces the last one, an older one is dropped.
function appendPoint(points, point) {
  const last = points[points.length - 1];
  if (last && point[0] < last[0]) return points;
  if (last && point[0] === last[0]) return [...points.slice(0, -1), point];
  return [...points, point].slice(-SERIES_POINT_LIMIT);
}

// The chart with a live point for the pooled rate and, when variantRow is given, for that variant (t epoch s).
export function appendLive(chart, t, summary, variantRow = null) {
  if (!Number.isFinite(t)) return chart;
  const pooled = appendPoint(chart.pooled, [t, numberOrNull(summary?.avg_engagement_rate), numberOrNull(summary?.total_views)]);
  if (!variantRow) return { ...chart, pooled };
  const live = variantRow.live_metrics ?? {};
  const previous = chart.variants[variantRow.id] ?? { points: [] };
  const series = {
    content: variantRow.content ?? previous.content,
    pattern_used: variantRow.pattern_used ?? previous.pattern_used,
    status: variantRow.status ?? previous.status,
    points: appendPoint(previous.points, [t, numberOrNull(live.engagement_rate), numberOrNull(live.views)]),
  };
  return { ...chart, pooled, variants: { ...chart.variants, [variantRow.id]: series } };
}

// The chart with a point for the pooled rate and every row at t (a snapshot: first load, refresh, resync).
export function appendSnapshot(chart, t, summary, rows) {
  let next = appendLive(chart, t, summary);
  for (const row of rows) next = appendLive(next, t, summary, row);
  return next;
}

// The variant ids to draw: active ones with a rate first, then the best latest rate; at most MAX_CHART_VARIANTS.
export function chartVariantIds(chart) {
  return Object.entries(chart.variants)
    .map(([id, series]) => ({ id, active: series.status !== 'killed' && series.status !== 'completed', rate: lastRate(series.points) }))
    .filter((entry) => entry.rate !== null)
    .sort((a, b) => Number(b.active) - Number(a.active) || b.rate - a.rate || a.id.localeCompare(b.id))
    .slice(0, MAX_CHART_VARIANTS)
    .map((entry) => entry.id);
}

// The latest non-null rate of a series, or null.
function lastRate(points) {
  for (let index = points.length - 1; index >= 0; index -= 1) {
    if (typeof points[index][1] === 'number') return points[index][1];
  }
  return null;
}

// uPlot data for the pooled line and variantIds over the union of their times: {data: [seconds, pooled %,
// ...variant %], views: [pooled views, ...variant views]}, gaps as null.
export function chartColumns(chart, variantIds) {
  const seriesList = [chart.pooled, ...variantIds.map((id) => chart.variants[id]?.points ?? [])];
  const times = [...new Set(seriesList.flatMap((points) => points.map((point) => point[0])))].sort((a, b) => a - b);
  const rates = [];
  const views = [];
  for (const points of seriesList) {
    const byTime = new Map(points.map((point) => [point[0], point]));
    rates.push(times.map((t) => (typeof byTime.get(t)?.[1] === 'number' ? byTime.get(t)[1] * 100 : null)));
    views.push(times.map((t) => byTime.get(t)?.[2] ?? null));
  }
  return { data: [times, ...rates], views };
}

// The x range [min, max] in seconds: the chosen window ending now (or at a later last point), never zero-wide.
export function xRange(times, rangeSeconds, nowSeconds) {
  const last = times.length > 0 ? Math.max(times[times.length - 1], nowSeconds) : nowSeconds;
  return [last - rangeSeconds, last];
}

// The y range [0, max] in percent with headroom, readable with one point or only zeros.
export function yRange(rateColumns) {
  let max = 0;
  for (const column of rateColumns) for (const value of column) if (typeof value === 'number' && value > max) max = value;
  return [0, max > 0 ? max * 1.2 : 1];
}

// value when it is a finite number, else null.
function numberOrNull(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
