// Unit tests of the detail panel's reading of variant_detail's answer (the shape the SQL function returns).
import { describe, expect, it } from 'vitest';
import { detailParts, detailRangeSeconds } from './variantDetail.js';

const DETAIL = {
  as_of: '2026-12-02T01:25:56.73728+00:00',
  variant: { id: 'p1-a', persona_id: 'p1', content: 'Why does faith matter?', predicted_er: 0.06, pattern_used: 'question', status: 'active', posted_at: '2026-12-01T23:50:55.99825+00:00', created_at: '2026-12-02T01:25:55.99825+00:00' },
  live_metrics: { engagement_rate: 0.065, interactions: 78, views: 1200, last_updated: '2026-12-02T01:25:56.130137+00:00' },
  performance_vs_prediction: 0.0833,
  rate_interval: { method: 'wilson', level: 0.95, low: 0.052393, high: 0.080383 },
  kill_evaluation: { kill: false, views: 1200, predicted_er: 0.06, threshold_er: 0.03, probability_below_threshold: 0.01, min_views: 100 },
  probability_best: 0.973479,
  events: [{ event_id: 2, event_type: 'performance_update', variant_id: 'p1-a', view_count: 1200 }, { event_id: 1, event_type: 'variant_registered', variant_id: 'p1-a' }],
  history: { persona_id: 'p1', from: '2026-12-01T23:50:55.99825+00:00', to: '2026-12-02T01:25:56.73728+00:00', bucket_seconds: 60, pooled: [[1796174760, 0.048, 2600, 126]], variants: [{ variant_id: 'p1-a', points: [[1796174760, 0.065, 1200, 78]] }] },
};

describe('detailParts', () => {
  it('reads variant_detail under its own names', () => {
    const parts = detailParts(DETAIL, null);
    expect(parts.variant.content).toBe('Why does faith matter?');
    expect(parts.variant.pattern_used).toBe('question');
    expect(parts.live.engagement_rate).toBe(0.065);
    expect(parts.interval).toEqual([0.052393, 0.080383]);
    expect(parts.level).toBe(0.95);
    expect(parts.evaluation.threshold_er).toBe(0.03);
    expect(parts.probabilityBest).toBe(0.973479);
    expect(parts.events.map((event) => event.event_id)).toEqual([2, 1]);
    expect(parts.history.variants[0].variant_id).toBe('p1-a');
  });

  it('uses the live row until the answer is in, and a null chance best of an ended variant', () => {
    const row = { id: 'p1-a', content: 'Why?', chance_best: 0.4, live_metrics: { engagement_rate: 0.05, views: 10 } };
    const before = detailParts(null, row);
    expect([before.variant.content, before.live.views, before.probabilityBest, before.interval]).toEqual(['Why?', 10, 0.4, null]);
    expect(detailParts({ ...DETAIL, probability_best: null }, row).probabilityBest).toBeNull();
  });
});

describe('detailRangeSeconds', () => {
  it('spans the variant life so far, at least 15 minutes', () => {
    expect(detailRangeSeconds(DETAIL.history)).toBe(5701);
    expect(detailRangeSeconds({ from: '2026-12-02T01:00:00Z', to: '2026-12-02T01:01:00Z' })).toBe(900);
    expect(detailRangeSeconds(null)).toBe(900);
  });
});
