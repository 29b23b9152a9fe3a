// Performance of a variant against its predicted engagement rate. Pure functions, no React.

export const GOOD_RATIO = 0.9;
export const WARNING_RATIO = 0.7;
export const AT_RISK_RATIO = 0.5;

// Live rate divided by predicted rate, or null when either is missing or the prediction is not positive.
export function performanceRatio(liveRate, predictedRate) {
  if (typeof liveRate !== 'number' || typeof predictedRate !== 'number') return null;
  if (!(predictedRate > 0)) return null;
  return liveRate / predictedRate;
}

// The relative change versus prediction (ratio - 1), as the server's performance_vs_prediction.
export function relativeChange(ratio) {
  return ratio === null ? null : ratio - 1;
}

// The colour class of a ratio: "good" (>= 0.9), "warning" (>= 0.7), "poor", or "unknown".
export function performanceLevel(ratio) {
  if (ratio === null || ratio === undefined) return 'unknown';
  if (ratio >= GOOD_RATIO) return 'good';
  if (ratio >= WARNING_RATIO) return 'warning';
  return 'poor';
}

// True when a variant's ratio is below the at-risk threshold (0.5).
export function isAtRisk(ratio) {
  return ratio !== null && ratio !== undefined && ratio < AT_RISK_RATIO;
}

// The ratio of a dashboard row (active variant) from its live metrics and prediction.
export function rowRatio(row) {
  return performanceRatio(row.live_metrics?.engagement_rate, row.predicted_er);
}
