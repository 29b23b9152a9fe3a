// Unit tests of the human number and time formatting.
import { describe, expect, it } from 'vitest';
import { formatAxisTime, formatClock, formatCount, formatTooltipTime, formatDelta, formatDuration, formatMinutes, formatPercent, formatScore, secondsSince } from './format.js';

describe('formatPercent', () => {
  it('shows one decimal', () => {
    expect(formatPercent(0.065)).toBe('6.5%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('shows a dash for missing values', () => {
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(undefined)).toBe('—');
    expect(formatPercent(Number.NaN)).toBe('—');
  });
});

describe('formatCount', () => {
  it('keeps small counts whole', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
  });

  it('shortens thousands, millions and billions', () => {
    expect(formatCount(1000)).toBe('1k');
    expect(formatCount(1234)).toBe('1.2k');
    expect(formatCount(15500)).toBe('15.5k');
    expect(formatCount(123456)).toBe('123k');
    expect(formatCount(2500000)).toBe('2.5M');
    expect(formatCount(3e9)).toBe('3B');
  });

  it('handles negatives and missing values', () => {
    expect(formatCount(-1500)).toBe('-1.5k');
    expect(formatCount(null)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('uses the largest whole unit', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45.9)).toBe('45s');
    expect(formatDuration(720)).toBe('12m');
    expect(formatDuration(7300)).toBe('2h');
    expect(formatDuration(200000)).toBe('2d');
  });

  it('clamps negatives and handles missing values', () => {
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatMinutes', () => {
  it('formats fractional minutes', () => {
    expect(formatMinutes(4.2)).toBe('4m');
    expect(formatMinutes(0.5)).toBe('30s');
    expect(formatMinutes(125)).toBe('2h');
    expect(formatMinutes(null)).toBe('—');
  });
});

describe('secondsSince', () => {
  it('measures from an ISO timestamp', () => {
    expect(secondsSince('2026-11-29T10:00:00+00:00', Date.parse('2026-11-29T12:00:00Z'))).toBe(7200);
  });

  it('is null for missing or invalid timestamps and never negative', () => {
    expect(secondsSince(null, 0)).toBeNull();
    expect(secondsSince('garbage', 0)).toBeNull();
    expect(secondsSince('2026-11-29T10:00:00Z', Date.parse('2026-11-29T09:00:00Z'))).toBe(0);
  });
});

describe('formatDelta', () => {
  it('signs the relative change', () => {
    expect(formatDelta(0.12)).toBe('+12.0%');
    expect(formatDelta(-0.033)).toBe('−3.3%');
    expect(formatDelta(0)).toBe('±0.0%');
    expect(formatDelta(-0.0001)).toBe('±0.0%');
    expect(formatDelta(null)).toBe('—');
  });
});

describe('formatScore and formatClock', () => {
  it('formats scores with two decimals', () => {
    expect(formatScore(0.876)).toBe('0.88');
    expect(formatScore(undefined)).toBe('—');
  });

  it('formats a time of day and rejects invalid input', () => {
    expect(formatClock('2026-11-29T10:04:12Z')).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(formatClock('nope')).toBe('—');
  });

  it('formats the clock as toLocaleTimeString does (one cached formatter)', () => {
    for (const iso of ['2026-11-29T10:04:12Z', '2026-11-29T23:59:59.900+02:00', '2026-01-01T00:00:00Z']) {
      const expected = new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
      expect(formatClock(iso)).toBe(expected);
    }
  });
});

describe('chart times', () => {
  const local = (year, month, day, hour = 0, minute = 0, second = 0) => new Date(year, month - 1, day, hour, minute, second).getTime() / 1000;

  it('labels the axis by the range: seconds up to an hour, minutes up to a day, the day beyond', () => {
    const t = local(2026, 11, 27, 14, 5, 9);
    expect(formatAxisTime(t, 900)).toMatch(/^14:05:09$/);
    expect(formatAxisTime(t, 86400)).toMatch(/^14:05$/);
    expect(formatAxisTime(local(2026, 11, 27), 604800)).toMatch(/27/);
    expect(formatAxisTime(local(2026, 11, 27), 604800)).not.toMatch(/:/);
    expect(formatAxisTime(t, 604800)).toMatch(/27.* 14:05$/);
    expect(formatAxisTime(Number.NaN, 900)).toBe('—');
  });

  it('names the day in the tooltip only beyond a day', () => {
    const t = local(2026, 11, 27, 14, 5, 9);
    expect(formatTooltipTime(t, 3600)).toMatch(/^14:05:09 \S+/);
    expect(formatTooltipTime(t, 604800)).toMatch(/27.* 14:05:09 \S+/);
  });
});
