// Unit tests of the plain-language sentences and variant id linking.
import { describe, expect, it } from 'vitest';
import { fatigueSentence, isCollecting, killSentence, splitVariantIds } from './plainWords.js';

describe('killSentence', () => {
  it('says how likely the rate is below the threshold, against the prediction', () => {
    const evaluation = { views: 420, min_views: 100, probability_below_threshold: 0.971, threshold_er: 0.03, predicted_er: 0.06 };
    expect(killSentence(evaluation)).toBe('97% likely below 3.0%, half the 6.0% prediction, after 420 views');
  });

  it('never rounds a real chance to 0% or 100%', () => {
    const evaluation = { views: 1200, min_views: 100, threshold_er: 0.03, predicted_er: 0.06 };
    expect(killSentence({ ...evaluation, probability_below_threshold: 3.6e-10 })).toBe('less than 1% likely below 3.0%, half the 6.0% prediction, after 1.2k views');
    expect(killSentence({ ...evaluation, probability_below_threshold: 0.9991 })).toMatch(/^more than 99% likely/);
    expect(killSentence({ ...evaluation, probability_below_threshold: 0 })).toMatch(/^0% likely/);
  });

  it('says data is still being collected below the minimum views', () => {
    expect(killSentence({ views: 40, min_views: 100 })).toBe('Collecting data: 40 of the 100 views the kill rule needs.');
  });
});

describe('isCollecting', () => {
  it('uses the row minimum, then the persona one, then 100', () => {
    expect(isCollecting({ live_metrics: { views: 50 }, kill_min_views: 40 }, 200)).toBe(false);
    expect(isCollecting({ live_metrics: { views: 150 } }, 200)).toBe(true);
    expect(isCollecting({ live_metrics: { views: 99 } }, null)).toBe(true);
  });
});

describe('fatigueSentence', () => {
  it('never says overused and fine at once', () => {
    expect(fatigueSentence({ pattern: 'question', usage_count: 40, warning_level: 'high', trend_z: -3 }))
      .toBe('"question" is overused: 40 posts use it recently. Its engagement is falling.');
    expect(fatigueSentence({ pattern: 'list', usage_count: 12, warning_level: 'medium' })).toMatch(/used often.*not clearly falling/);
  });
});

describe('splitVariantIds', () => {
  it('marks known ids inside text', () => {
    expect(splitVariantIds('Reuse Winning Variant demo-15 now', ['demo-15', 'demo-1'])).toEqual(['Reuse Winning Variant ', { variantId: 'demo-15' }, ' now']);
    expect(splitVariantIds('nothing here', ['x'])).toEqual(['nothing here']);
  });
});
