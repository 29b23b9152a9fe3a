// Unit tests of the dashboard state reducer: initial data, updates, kills, resyncs, ordering and duplicates.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyMessage, applyMessages, initialState, killFeed, tableRows, FEED_LIMIT, KILL_LIST_LIMIT } from './state.js';
import { earlyKill, initialData, performanceUpdate, recentKill, variantUpdate } from './testFixtures.js';

// Applies messages in order starting from the empty state.
function run(...messages) {
  return messages.reduce(applyMessage, initialState());
}

// The row of a variant id in a state.
function row(state, id) {
  return state.metrics.active_variants.find((variant) => variant.id === id);
}

describe('initial data', () => {
  it('loads the snapshot and its last event id', () => {
    const state = run(initialData());
    expect(state.loaded).toBe(true);
    expect(state.lastEventId).toBe(10);
    expect(state.metrics.summary.total_variants).toBe(3);
    expect(state.metrics.active_variants.map((variant) => variant.id)).toEqual(['v1', 'v2']);
    expect(state.chart.pooled).toEqual([[Date.parse('2026-11-29T10:00:00+00:00') / 1000, 0.05, 2000]]);
    expect(state.chart.variants.v1.points[0][1]).toBe(0.06);
    expect(state.chart.variants.v2.points[0][1]).toBe(0.04);
  });

  it('fills in missing lists and kill counters', () => {
    const state = run({ type: 'initial_data', data: { persona_id: 'p', last_event_id: 0, summary: {} } });
    expect(state.metrics.active_variants).toEqual([]);
    expect(state.metrics.real_time_feed).toEqual([]);
    expect(state.metrics.early_kills_today).toEqual({ kills_today: 0, avg_time_to_kill_minutes: null });
  });

  it('ignores events that arrive before any snapshot', () => {
    const state = run(performanceUpdate(11, 'v1', 0.07, 70, 1000));
    expect(state).toEqual(initialState());
  });
});

describe('performance updates', () => {
  it('changes the row live metrics and recomputes performance vs prediction', () => {
    const state = run(initialData(), performanceUpdate(11, 'v2', 0.06, 36, 600));
    const updated = row(state, 'v2');
    expect(updated.live_metrics).toEqual({ engagement_rate: 0.06, interactions: 36, views: 600 });
    expect(updated.performance_vs_prediction).toBeCloseTo(0.06 / 0.08 - 1);
    expect(updated.changed).toEqual({ engagement_rate: 11, interactions: 11, views: 11 });
    expect(state.lastEventId).toBe(11);
  });

  it('moves the pooled totals by the difference and recomputes the pooled rate', () => {
    const state = run(initialData(), performanceUpdate(11, 'v2', 0.06, 36, 600));
    expect(state.metrics.summary.total_views).toBe(2100);
    expect(state.metrics.summary.total_interactions).toBe(116);
    expect(state.metrics.summary.avg_engagement_rate).toBeCloseTo(116 / 2100);
  });

  it('stamps only the cells whose value changed', () => {
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.06, 61, 1000));
    expect(row(state, 'v1').changed).toEqual({ interactions: 11 });
  });

  it('takes the kill probability the event carries, and keeps the old one when it carries none', () => {
    const update = performanceUpdate(11, 'v2', 0.01, 6, 600);
    update.data.kill_probability = 0.9731;
    const state = run(initialData(), update);
    expect(row(state, 'v2').kill_probability).toBe(0.9731);
    const before = row(run(initialData()), 'v2').kill_probability;
    expect(row(run(initialData(), performanceUpdate(11, 'v2', 0.01, 6, 600)), 'v2').kill_probability).toBe(before);
  });

  it('updates the matching performance leader', () => {
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 77, 1100));
    expect(state.metrics.performance_leaders[0]).toMatchObject({ engagement_rate: 0.07, views: 1100, interactions: 77 });
  });

  it('adds a chart point with the new rate and views at the event time', () => {
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 77, 1100));
    expect(state.chart.variants.v1.points).toHaveLength(2);
    expect(state.chart.variants.v1.points[1]).toEqual([Date.parse('2026-11-29T10:00:11+00:00') / 1000, 0.07, 1100]);
    expect(state.chart.pooled).toHaveLength(2);
  });

  it('advances the event id but changes no row for an unknown variant', () => {
    const before = run(initialData());
    const after = applyMessage(before, performanceUpdate(12, 'nope', 0.5, 5, 10));
    expect(after.lastEventId).toBe(12);
    expect(after.metrics.active_variants).toEqual(before.metrics.active_variants);
    expect(after.metrics.real_time_feed[0].event_id).toBe(12);
  });
});

describe('variant registration and status changes', () => {
  it('adds a registered variant as a new row and counts it', () => {
    const state = run(initialData(), variantUpdate({
      event_type: 'variant_registered', event_id: 11, variant_id: 'v3', content: 'Third', predicted_er: 0.05,
      pattern_used: 'list', status: 'active', posted_at: '2026-11-29T10:00:00+00:00',
    }));
    expect(row(state, 'v3')).toMatchObject({ content: 'Third', predicted_er: 0.05, status: 'active', live_metrics: { views: 0, interactions: 0 } });
    expect(state.metrics.summary).toMatchObject({ total_variants: 4, active_variants: 3 });
  });

  it('applies a status change to the row and the counts', () => {
    const state = run(initialData(), variantUpdate({
      event_type: 'status_change', event_id: 11, variant_id: 'v1', old_status: 'active', new_status: 'paused', changed_at: '2026-11-29T10:00:00+00:00',
    }));
    expect(row(state, 'v1').status).toBe('paused');
    expect(row(state, 'v1').changed.status).toBe(11);
    expect(state.metrics.summary.active_variants).toBe(1);
  });
});

describe('tableRows', () => {
  it('lists the live rows, then each recent kill not among them as a killed row, once', () => {
    const state = run(initialData({ recent_kills: [recentKill('old')] }), earlyKill(11, 'v2'));
    const rows = tableRows(state.metrics);
    expect(rows.map((entry) => [entry.id, entry.status])).toEqual([...state.metrics.active_variants.map((entry) => [entry.id, entry.status]), ['old', 'killed']]);
    expect(rows.at(-1)).toMatchObject({ content: 'Killed old', pattern_used: 'question', kill_reason: 'Low engagement', live_metrics: { engagement_rate: 0.01, views: 400 } });
    expect(tableRows(state.metrics).at(-1)).toBe(rows.at(-1));
  });

  it('is the live rows themselves when every kill is among them', () => {
    const state = run(initialData(), earlyKill(11, 'v2'));
    expect(tableRows(state.metrics)).toBe(state.metrics.active_variants);
  });
});

describe('early kills', () => {
  it('marks the row killed with its final rate and reason', () => {
    const state = run(initialData(), earlyKill(11, 'v2', 0.01));
    expect(row(state, 'v2')).toMatchObject({ status: 'killed', kill_reason: 'Low engagement', live_metrics: { engagement_rate: 0.01 } });
    expect(row(state, 'v2').performance_vs_prediction).toBeCloseTo(0.01 / 0.08 - 1);
  });

  it('prepends the kill to the kill feed and counts it', () => {
    const state = run(initialData({ real_time_feed: [{ event_type: 'early_kill', event_id: 5, variant_id: 'old' }] }), earlyKill(11, 'v2'));
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['v2', 'old']);
    expect(state.metrics.summary).toMatchObject({ active_variants: 1, killed_variants: 2 });
    expect(state.metrics.early_kills_today.kills_today).toBe(2);
  });

  it('folds the time to kill into the average', () => {
    const state = run(initialData(), earlyKill(11, 'v2'));
    expect(state.metrics.early_kills_today.avg_time_to_kill_minutes).toBeCloseTo((10 + 30) / 2);
  });

  it('starts the average from the first kill of the day', () => {
    const state = run(initialData({ early_kills_today: { kills_today: 0, avg_time_to_kill_minutes: null } }), earlyKill(11, 'v1'));
    expect(state.metrics.early_kills_today).toEqual({ kills_today: 1, avg_time_to_kill_minutes: 60 });
  });

  it('does not count a second kill of an already killed variant', () => {
    const state = run(initialData(), earlyKill(11, 'v2'), earlyKill(12, 'v2'));
    expect(state.metrics.early_kills_today.kills_today).toBe(2);
    expect(state.metrics.summary.killed_variants).toBe(2);
  });

  it('lists a kill of a variant not in the table', () => {
    const state = run(initialData(), earlyKill(11, 'elsewhere'));
    expect(killFeed(state)[0].variant_id).toBe('elsewhere');
    expect(state.metrics.early_kills_today.kills_today).toBe(2);
  });
});

describe('kill list seeded from recent_kills', () => {
  it('seeds the list from recent_kills, newest first, rather than from the feed', () => {
    const feedKill = { event_type: 'early_kill', event_id: 9, variant_id: 'in-feed' };
    const state = run(initialData({ recent_kills: [recentKill('k2'), recentKill('k1')], real_time_feed: [feedKill] }));
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['k2', 'k1']);
    expect(killFeed(state)[0]).toMatchObject({ content: 'Killed k2', kill_reason: 'Low engagement', final_er: 0.01 });
  });

  it('falls back to the kills of the feed without recent_kills', () => {
    const feedKill = { event_type: 'early_kill', event_id: 9, variant_id: 'in-feed' };
    const state = run(initialData({ real_time_feed: [performanceUpdate(8, 'v1', 0.06, 60, 1000).data, feedKill] }));
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['in-feed']);
  });

  it('keeps seeded kills however many other events follow', () => {
    const updates = Array.from({ length: FEED_LIMIT + 5 }, (_, index) => performanceUpdate(11 + index, 'v1', 0.06, 60 + index, 1000));
    const state = run(initialData({ recent_kills: [recentKill('k1')] }), ...updates);
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['k1']);
  });

  it('prepends a live kill with the row text, before the seeded ones', () => {
    const state = run(initialData({ recent_kills: [recentKill('k1')] }), earlyKill(11, 'v2'));
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['v2', 'k1']);
    expect(killFeed(state)[0]).toMatchObject({ content: 'Second variant', pattern_used: 'story', final_er: 0.01, sample_size: 500 });
  });

  it('ignores a live kill of a variant already listed, and does not count it again', () => {
    const state = run(initialData({ recent_kills: [recentKill('k1')] }), earlyKill(11, 'k1'));
    expect(killFeed(state)).toHaveLength(1);
    expect(state.metrics.early_kills_today.kills_today).toBe(1);
    expect(state.lastEventId).toBe(11);
  });

  it('lists a variant once even when the snapshot repeats it', () => {
    const state = run(initialData({ recent_kills: [recentKill('k1'), recentKill('k1')] }));
    expect(killFeed(state)).toHaveLength(1);
  });

  it('caps the list, dropping the oldest kills', () => {
    const seeded = Array.from({ length: KILL_LIST_LIMIT }, (_, index) => recentKill(`k${KILL_LIST_LIMIT - index}`));
    const state = run(initialData({ recent_kills: seeded }), earlyKill(11, 'v2'));
    expect(killFeed(state)).toHaveLength(KILL_LIST_LIMIT);
    expect(killFeed(state)[0].variant_id).toBe('v2');
    expect(killFeed(state).at(-1).variant_id).toBe('k2');
  });

  it('replaces the list with the recent_kills of a resync', () => {
    const resync = initialData({ last_event_id: 40, recent_kills: [recentKill('k9')] }, true);
    const state = run(initialData({ recent_kills: [recentKill('k1')] }), earlyKill(11, 'v2'), resync);
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['k9']);
  });

  it('is empty before any snapshot', () => {
    expect(killFeed(initialState())).toEqual([]);
  });
});

describe('ordering and duplicates', () => {
  it('drops a duplicate event (same id applied twice)', () => {
    const once = run(initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000));
    const twice = applyMessage(once, performanceUpdate(11, 'v1', 0.07, 70, 1000));
    expect(twice).toBe(once);
  });

  it('drops an event older than the last applied one', () => {
    const state = run(initialData(), performanceUpdate(13, 'v1', 0.07, 70, 1000), performanceUpdate(12, 'v1', 0.01, 10, 1000));
    expect(row(state, 'v1').live_metrics.engagement_rate).toBe(0.07);
    expect(state.lastEventId).toBe(13);
  });

  it('drops events already contained in the snapshot', () => {
    const state = run(initialData(), earlyKill(10, 'v1'), earlyKill(3, 'v2'));
    expect(row(state, 'v1').status).toBe('active');
    expect(row(state, 'v2').status).toBe('active');
  });

  it('accepts gaps in event ids (ids are global, not per persona)', () => {
    const state = run(initialData(), performanceUpdate(25, 'v1', 0.07, 70, 1000));
    expect(state.lastEventId).toBe(25);
  });

  it('counts a kill replayed after a reconnect exactly once', () => {
    const state = run(initialData(), earlyKill(11, 'v2'), earlyKill(11, 'v2'), earlyKill(11, 'v2'));
    expect(killFeed(state)).toHaveLength(1);
    expect(state.metrics.early_kills_today.kills_today).toBe(2);
  });

  it('applies a frame batch exactly as the messages one by one', () => {
    // one clock for both runs: a kill stamps its row with the time it ended
    vi.useFakeTimers();
    vi.setSystemTime(1767225600500);
    const messages = [initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000), earlyKill(12, 'v2'), performanceUpdate(11, 'v1', 0.01, 1, 1000)];
    expect(applyMessages(initialState(), messages)).toEqual(run(...messages));
    expect(applyMessages(initialState(), initialData())).toEqual(run(initialData()));
    const state = run(initialData());
    expect(applyMessages(state, [])).toBe(state);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('caps the feed length', () => {
    const updates = Array.from({ length: FEED_LIMIT + 5 }, (_, index) => performanceUpdate(11 + index, 'v1', 0.06, 60 + index, 1000));
    const state = run(initialData(), ...updates);
    expect(state.metrics.real_time_feed).toHaveLength(FEED_LIMIT);
    expect(state.metrics.real_time_feed[0].event_id).toBe(11 + FEED_LIMIT + 4);
  });
});

describe('panels_update', () => {
  it('replaces only the sections it carries and records the event id it reflects', () => {
    const leaders = [{ id: 'v2', content: 'Second variant', engagement_rate: 0.09 }];
    const state = run(initialData(), { type: 'panels_update', last_event_id: 10, data: { performance_leaders: leaders, summary: { total_variants: 3, active_variants: 2 } } });
    expect(state.metrics.performance_leaders).toEqual(leaders);
    expect(state.metrics.summary.active_variants).toBe(2);
    expect(state.metrics.early_kills_today.kills_today).toBe(1);
    expect(state.panels.lastEventId).toBe(10);
  });

  it('ends rows the active ids no longer list, but not a variant registered after the panels', () => {
    const registered = variantUpdate({ event_type: 'variant_registered', event_id: 12, variant_id: 'v3', content: 'Third', status: 'active' });
    const state = run(initialData(), registered, { type: 'panels_update', last_event_id: 11, data: { active_variant_ids: ['v1'] } });
    expect(row(state, 'v2').status).toBe('completed');
    expect(typeof row(state, 'v2').endedAt).toBe('number');
    expect(row(state, 'v3').status).toBe('active');
  });
});

describe('resyncs and refreshes', () => {
  it('replaces the state with a resync snapshot, even with fewer rows', () => {
    const resync = initialData({ last_event_id: 40, active_variants: [], summary: { total_variants: 3, active_variants: 0, killed_variants: 3 } }, true);
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000), resync);
    expect(state.metrics.active_variants).toEqual([]);
    expect(state.lastEventId).toBe(40);
    expect(state.resyncCount).toBe(1);
  });

  it('applies events after the resync and drops those before it', () => {
    const resync = initialData({ last_event_id: 40 }, true);
    const state = run(initialData(), resync, performanceUpdate(39, 'v1', 0.5, 500, 1000), performanceUpdate(41, 'v2', 0.09, 45, 500));
    expect(row(state, 'v1').live_metrics.engagement_rate).toBe(0.06);
    expect(row(state, 'v2').live_metrics.engagement_rate).toBe(0.09);
  });

  it('keeps the chart memory across a refresh and a resync', () => {
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000), initialData({ last_event_id: 11, as_of: '2026-11-29T10:01:00+00:00' }, true));
    expect(state.chart.pooled).toHaveLength(3);
    expect(state.resyncCount).toBe(1);
  });

  it('keeps chart points in time order when a snapshot is older than the last point', () => {
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000), initialData({ as_of: '2026-11-29T09:00:00+00:00' }));
    const times = state.chart.pooled.map((point) => point[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('merges loaded history before the live points that came after it', () => {
    const t0 = Date.parse('2026-11-29T10:00:00+00:00') / 1000;
    const history = { persona_id: 'ai-jesus', from: t0 - 3600, to: t0 - 1, bucket_seconds: 60, pooled: [[t0 - 600, 0.04, 900, 36]],
      variants: [{ variant_id: 'v1', content: 'First variant', pattern_used: 'question', status: 'active', points: [[t0 - 600, 0.05, 500, 25]] }] };
    const state = run(initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000), { type: 'history_loaded', history });
    expect(state.chart.pooled.map((point) => point[0])).toEqual([t0 - 600, t0, t0 + 11]);
    expect(state.chart.variants.v1.points.map((point) => point[1])).toEqual([0.05, 0.06, 0.07]);
  });

  it('clears a server error on new data', () => {
    const state = run(initialData(), { type: 'error', message: 'unknown type' });
    expect(state.error).toBe('unknown type');
    expect(applyMessage(state, initialData()).error).toBeNull();
  });
});

describe('other messages', () => {
  it('leaves the state untouched on pong, unknown types and junk', () => {
    const state = run(initialData());
    expect(applyMessage(state, { type: 'pong' })).toBe(state);
    expect(applyMessage(state, { type: 'auth_ok', exp: 1900000000 })).toBe(state);
    expect(applyMessage(state, { type: 'surprise' })).toBe(state);
    expect(applyMessage(state, null)).toBe(state);
    expect(applyMessage(state, variantUpdate({ event_type: 'performance_update' }))).toBe(state);
  });

  it('feeds unknown event types without changing rows, and keeps unknown keys', () => {
    const state = run(initialData(), variantUpdate({ event_type: 'future_thing', event_id: 11, extra: 1 }));
    expect(state.lastEventId).toBe(11);
    expect(state.metrics.real_time_feed[0]).toMatchObject({ event_type: 'future_thing', extra: 1 });
  });
});
