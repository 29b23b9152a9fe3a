// Summary statistics of latency samples for the dashboard benchmark.

// The nearest-rank percentile p (0-100) of values, or NaN when there are none.
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

// Milliseconds with one decimal, as printed in the table.
export function formatMs(value) {
  return Number.isFinite(value) ? value.toFixed(1) : 'n/a';
}
