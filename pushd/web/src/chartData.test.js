// Unit tests of the uPlot column building from the chart history.
import { describe, expect, it } from 'vitest';
import { chartColumns, chartVariantIds, MAX_CHART_VARIANTS } from './chartData.js';

const HISTORY = [
  { t: 1000, pooled: 0.05, rates: { a: 0.04 } },
  { t: 2000, pooled: 0.06, rates: { a: 0.05, b: 0.25 } },
];

describe('chartVariantIds', () => {
  it('takes the variants of the latest sample, best rate first', () => {
    expect(chartVariantIds(HISTORY)).toEqual(['b', 'a']);
    expect(chartVariantIds([])).toEqual([]);
  });

  it('skips variants without a rate and caps the count', () => {
    const rates = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`v${index}`, index / 100]));
    expect(chartVariantIds([{ t: 0, pooled: null, rates: { ...rates, none: null } }])).toHaveLength(MAX_CHART_VARIANTS);
  });
});

describe('chartColumns', () => {
  it('aligns seconds, pooled and per-variant percentages with gaps as null', () => {
    expect(chartColumns(HISTORY, ['b', 'a'])).toEqual([
      [1, 2],
      [5, 6],
      [null, 25],
      [4, 5],
    ]);
  });
});
