// The parts of GET /api/variants/{persona}/{variant} (the SQL function variant_detail) the detail panel shows,
// with the live row (if the page has one) filling in while the answer is not there yet. Pure functions.

const MIN_RANGE_SECONDS = 900;

// variant_detail's answer (or null) and the live row (or null) as the panel's parts: the variant, its live
// numbers, the 95% interval [low, high] (null when absent), the kill evaluation, chance best, events and history.
export function detailParts(detail, row) {
  const variant = { ...row, ...detail?.variant };
  const live = { ...row?.live_metrics, ...detail?.live_metrics };
  const interval = detail?.rate_interval;
  return {
    variant,
    live,
    interval: typeof interval?.low === 'number' && typeof interval?.high === 'number' ? [interval.low, interval.high] : null,
    level: interval?.level ?? 0.95,
    evaluation: detail?.kill_evaluation ?? null,
    probabilityBest: detail ? detail.probability_best : (row?.chance_best ?? null),
    events: Array.isArray(detail?.events) ? detail.events : [],
    history: detail?.history ?? null,
  };
}

// The seconds the detail chart spans: from the history's start to its end (the variant's life so far), at
// least MIN_RANGE_SECONDS so a young variant's few points are not stretched edge to edge.
export function detailRangeSeconds(history) {
  const seconds = (Date.parse(history?.to ?? '') - Date.parse(history?.from ?? '')) / 1000;
  return Number.isFinite(seconds) ? Math.max(MIN_RANGE_SECONDS, Math.ceil(seconds)) : MIN_RANGE_SECONDS;
}
