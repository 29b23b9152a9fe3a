// Sample server messages shared by the unit tests (shapes of docs/EVENTS.md and dashboard_metrics).

// A dashboard_metrics snapshot with two active variants, last event 10.
export function sampleMetrics(overrides = {}) {
  return {
    persona_id: 'ai-jesus',
    as_of: '2026-11-29T10:00:00+00:00',
    last_event_id: 10,
    summary: { total_variants: 3, active_variants: 2, killed_variants: 1, avg_engagement_rate: 0.05, total_views: 2000, total_interactions: 100 },
    active_variants: [
      {
        id: 'v1', content: 'First variant', predicted_er: 0.06, pattern_used: 'question',
        live_metrics: { engagement_rate: 0.06, interactions: 60, views: 1000 },
        time_since_post: '1h', performance_vs_prediction: 0, status: 'active',
        posted_at: '2026-11-29T09:00:00+00:00', last_updated: '2026-11-29T09:59:00+00:00',
      },
      {
        id: 'v2', content: 'Second variant', predicted_er: 0.08, pattern_used: 'story',
        live_metrics: { engagement_rate: 0.04, interactions: 20, views: 500 },
        time_since_post: '30m', performance_vs_prediction: -0.5, status: 'active',
        posted_at: '2026-11-29T09:30:00+00:00', last_updated: '2026-11-29T09:59:00+00:00',
      },
    ],
    performance_leaders: [
      { id: 'v1', content: 'First variant', pattern_used: 'question', predicted_er: 0.06, engagement_rate: 0.06, views: 1000, interactions: 60, wilson_lower_bound: 0.047, performance_vs_prediction: 0, status: 'active', posted_at: '2026-11-29T09:00:00+00:00' },
    ],
    early_kills_today: { kills_today: 1, avg_time_to_kill_minutes: 10 },
    pattern_fatigue_warnings: [],
    optimization_opportunities: [],
    real_time_feed: [],
    ...overrides,
  };
}

// An initial_data message carrying sampleMetrics(overrides); resync marks it as a resync.
export function initialData(overrides = {}, resync = false) {
  return { type: 'initial_data', ...(resync ? { resync: true } : {}), data: sampleMetrics(overrides) };
}

// A variant_update message wrapping event data.
export function variantUpdate(data) {
  return { type: 'variant_update', timestamp: '2026-11-29T10:00:01+00:00', data };
}

// A performance_update event for a variant with the given id, rate and counts.
export function performanceUpdate(eventId, variantId, currentEr, interactionCount, viewCount) {
  return variantUpdate({
    event_type: 'performance_update', event_id: eventId, variant_id: variantId,
    current_er: currentEr, interaction_count: interactionCount, view_count: viewCount,
    updated_at: `2026-11-29T10:00:${String(eventId % 60).padStart(2, '0')}+00:00`,
  });
}

// An early_kill event for a variant, killed at 10:00 UTC.
export function earlyKill(eventId, variantId, finalEr = 0.01) {
  return variantUpdate({
    event_type: 'early_kill', event_id: eventId, variant_id: variantId,
    kill_reason: 'Low engagement', final_er: finalEr, sample_size: 500, killed_at: '2026-11-29T10:00:00+00:00',
  });
}

// A recent_kills entry of dashboard_metrics for a variant, killed at 09:50 UTC.
export function recentKill(variantId) {
  return {
    variant_id: variantId, content: `Killed ${variantId}`, pattern_used: 'question', kill_reason: 'Low engagement',
    final_er: 0.01, sample_size: 400, posted_at: '2026-11-29T09:00:00+00:00', killed_at: '2026-11-29T09:50:00+00:00',
  };
}
