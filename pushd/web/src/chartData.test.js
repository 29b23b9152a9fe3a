// Unit tests of the chart's memory: history merge, live points and uPlot's aligned columns.
import { describe, expect, it } from 'vitest';
import { appendLive, chartColumns, chartVariantIds, emptyChart, mergeHistory, MAX_CHART_VARIANTS, xRange, yRange } from './chartData.js';

const CHART = {
  pooled: [[1, 0.05, 100], [2, 0.06, 200]],
  variants: { a: { status: 'active', points: [[1, 0.04, 50], [2, 0.05, 60]] }, b: { status: 'active', points: [[2, 0.25, 40]] } },
};

describe('chartVariantIds', () => {
  it('takes active variants with a rate, best latest rate first, capped', () => {
    expect(chartVariantIds(CHART)).toEqual(['b', 'a']);
    expect(chartVariantIds(emptyChart())).toEqual([]);
    const variants = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`v${index}`, { status: 'active', points: [[1, index / 100, 1]] }]));
    expect(chartVariantIds({ pooled: [], variants })).toHaveLength(MAX_CHART_VARIANTS);
  });
});

describe('chartColumns', () => {
  it('aligns seconds, pooled and per-variant percentages with gaps as null, and views', () => {
    const { data, views } = chartColumns(CHART, ['b', 'a']);
    expect(data).toEqual([[1, 2], [5, 6], [null, 25], [4, 5]]);
    expect(views).toEqual([[100, 200], [null, 40], [50, 60]]);
  });
});

describe('mergeHistory and appendLive', () => {
  it('puts history before later live points and never drops them', () => {
    const live = appendLive(emptyChart(), 500, { avg_engagement_rate: 0.1, total_views: 10 }, { id: 'a', live_metrics: { engagement_rate: 0.2, views: 5 } });
    const merged = mergeHistory(live, { to: 400, pooled: [[300, 0.05, 8, 1]], variants: [{ variant_id: 'a', content: 'A', status: 'active', points: [[300, 0.1, 4, 1]] }] });
    expect(merged.pooled).toEqual([[300, 0.05, 8], [500, 0.1, 10]]);
    expect(merged.variants.a.points).toEqual([[300, 0.1, 4], [500, 0.2, 5]]);
    expect(merged.variants.a.content).toBe('A');
  });

  it('draws the still open bucket at the history\'s end, so a later answer replaces it instead of keeping it as live', () => {
    const hour = mergeHistory(emptyChart(), { to: 1000, pooled: [[960, 0.05, 8, 1], [1020, 0.06, 9, 1]], variants: [] });
    expect(hour.pooled).toEqual([[960, 0.05, 8], [1000, 0.06, 9]]);
    const day = mergeHistory(hour, { to: 1001, pooled: [[1800, 0.06, 9, 1]], variants: [] });
    expect(day.pooled).toEqual([[1001, 0.06, 9]]);
  });

  it('says whether the server\'s history is in, and keeps saying it over later live points', () => {
    const live = appendLive(emptyChart(), 500, { avg_engagement_rate: 0.1, total_views: 10 });
    expect(live.historyTo).toBeNull();
    const merged = mergeHistory(live, { to: 400, pooled: [], variants: [] });
    expect(merged.historyTo).toBe(400);
    expect(appendLive(merged, 600, { avg_engagement_rate: 0.1, total_views: 12 }, { id: 'a', live_metrics: { engagement_rate: 0.2, views: 5 } }).historyTo).toBe(400);
  });
});

describe('axes', () => {
  it('never has a zero-wide range with a single point', () => {
    expect(xRange([100], 3600, 100)).toEqual([100 - 3600, 100]);
    expect(yRange([[0]])).toEqual([0, 1]);
    expect(yRange([[5, null]])).toEqual([0, 6]);
  });
});
