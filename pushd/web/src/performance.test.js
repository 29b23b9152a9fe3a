// Unit tests of performance versus prediction: ratio, colour level and at-risk threshold.
import { describe, expect, it } from 'vitest';
import { isAtRisk, performanceLevel, performanceRatio, relativeChange, rowRatio } from './performance.js';

describe('performanceRatio', () => {
  it('divides live by predicted', () => {
    expect(performanceRatio(0.058, 0.06)).toBeCloseTo(0.9667, 3);
  });

  it('is null without a positive prediction or a live rate', () => {
    expect(performanceRatio(0.05, 0)).toBeNull();
    expect(performanceRatio(null, 0.05)).toBeNull();
    expect(performanceRatio(0.05, undefined)).toBeNull();
  });

  it('reads a dashboard row', () => {
    expect(rowRatio({ predicted_er: 0.08, live_metrics: { engagement_rate: 0.04 } })).toBe(0.5);
    expect(rowRatio({ predicted_er: 0.08 })).toBeNull();
  });
});

describe('performanceLevel and isAtRisk', () => {
  it('colours by thresholds 0.9 and 0.7', () => {
    expect(performanceLevel(1.2)).toBe('good');
    expect(performanceLevel(0.9)).toBe('good');
    expect(performanceLevel(0.89)).toBe('warning');
    expect(performanceLevel(0.7)).toBe('warning');
    expect(performanceLevel(0.69)).toBe('poor');
    expect(performanceLevel(null)).toBe('unknown');
  });

  it('marks rows below 0.5 at risk', () => {
    expect(isAtRisk(0.49)).toBe(true);
    expect(isAtRisk(0.5)).toBe(false);
    expect(isAtRisk(null)).toBe(false);
  });

  it('gives the relative change of a ratio', () => {
    expect(relativeChange(0.75)).toBeCloseTo(-0.25);
    expect(relativeChange(null)).toBeNull();
  });
});
