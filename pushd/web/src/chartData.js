// Turns the chart history into uPlot's aligned columns. Pure functions, no React.

export const MAX_CHART_VARIANTS = 8;

// The variant ids to draw: those of the latest sample with a rate, the best MAX_CHART_VARIANTS by rate.
export function chartVariantIds(history) {
  const latest = history[history.length - 1];
  if (!latest) return [];
  return Object.entries(latest.rates)
    .filter(([, rate]) => typeof rate === 'number')
    .sort(([idA, a], [idB, b]) => b - a || idA.localeCompare(idB))
    .slice(0, MAX_CHART_VARIANTS)
    .map(([id]) => id);
}

// uPlot data: [seconds, pooled rates, ...one column per variant id], rates in percent, gaps as null.
export function chartColumns(history, variantIds) {
  const times = history.map((sample) => sample.t / 1000);
  const toPercent = (rate) => (typeof rate === 'number' ? rate * 100 : null);
  const pooled = history.map((sample) => toPercent(sample.pooled));
  const perVariant = variantIds.map((id) => history.map((sample) => toPercent(sample.rates[id])));
  return [times, pooled, ...perVariant];
}
