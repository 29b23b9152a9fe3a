// Client state of one persona's dashboard: a pure reducer over the WebSocket messages, no React.
import { relativeChange, performanceRatio } from './performance.js';

export const FEED_LIMIT = 100;
export const HISTORY_LIMIT = 720;
export const KILL_LIST_LIMIT = 20;

// The state before any initial_data arrived.
export function initialState() {
  return { loaded: false, lastEventId: null, metrics: null, history: [], error: null, resyncCount: 0 };
}

// Applies one server message and returns the next state (the same object when nothing changed).
export function applyMessage(state, message) {
  if (!message || typeof message !== 'object') return state;
  switch (message.type) {
    case 'initial_data':
      return applyInitialData(state, message);
    case 'variant_update':
      return applyEvent(state, message.data, message.timestamp);
    case 'error':
      return { ...state, error: String(message.message ?? 'unknown error') };
    case 'auth_ok': // an in-band token refresh was accepted: nothing to show
      return state;
    default:
      return state;
  }
}

// Applies a batch of server messages in order (one render for everything that arrived within a frame).
export function applyMessages(state, messages) {
  if (!Array.isArray(messages)) return applyMessage(state, messages);
  let next = state;
  for (const message of messages) next = applyMessage(next, message);
  return next;
}

// Replaces the snapshot with a fresh dashboard_metrics (first load, refresh or resync); keeps chart history.
function applyInitialData(state, message) {
  const metrics = normaliseMetrics(message.data ?? {});
  const next = {
    ...state,
    loaded: true,
    lastEventId: numberOr(metrics.last_event_id, 0),
    metrics,
    error: null,
    resyncCount: state.resyncCount + (message.resync ? 1 : 0),
  };
  return { ...next, history: appendSample(state.history, metrics, Date.parse(metrics.as_of ?? '')) };
}

// Fills in the lists and objects a snapshot may omit, so the rest of the code needs no null checks.
function normaliseMetrics(data) {
  return {
    ...data,
    summary: { ...data.summary },
    active_variants: (data.active_variants ?? []).map((row) => ({ ...row, live_metrics: { ...row.live_metrics }, changed: {} })),
    performance_leaders: data.performance_leaders ?? [],
    early_kills_today: { kills_today: 0, avg_time_to_kill_minutes: null, ...data.early_kills_today },
    pattern_fatigue_warnings: data.pattern_fatigue_warnings ?? [],
    optimization_opportunities: data.optimization_opportunities ?? [],
    real_time_feed: data.real_time_feed ?? [],
    recent_kills: seedKills(data),
  };
}

// The kill list of a snapshot: its recent_kills when the extension sends them, else the kills still in its feed.
function seedKills(data) {
  const kills = Array.isArray(data.recent_kills)
    ? data.recent_kills
    : (data.real_time_feed ?? []).filter((event) => event.event_type === 'early_kill');
  return addKills([], kills);
}

// The kill list with new kills (newest first) put in front; a variant already listed is not listed again; capped.
function addKills(kills, newKills) {
  const listed = new Set();
  const merged = [];
  for (const kill of [...newKills, ...kills]) {
    if (listed.has(kill.variant_id)) continue;
    listed.add(kill.variant_id);
    merged.push(kill);
  }
  return merged.slice(0, KILL_LIST_LIMIT);
}

const EVENT_HANDLERS = {
  variant_registered: applyVariantRegistered,
  performance_update: applyPerformanceUpdate,
  early_kill: applyEarlyKill,
  status_change: applyStatusChange,
};

// Applies one event unless it is a duplicate or older than the last applied one (event_id order).
function applyEvent(state, event, timestamp) {
  if (!state.loaded || !event || typeof event.event_id !== 'number') return state;
  if (event.event_id <= state.lastEventId) return state;
  const handler = EVENT_HANDLERS[event.event_type];
  const updated = handler ? handler(state.metrics, event) : state.metrics;
  const metrics = { ...updated, real_time_feed: [event, ...updated.real_time_feed].slice(0, FEED_LIMIT) };
  const sampleTime = Date.parse(event.updated_at ?? event.killed_at ?? event.changed_at ?? event.posted_at ?? timestamp ?? '');
  return {
    ...state,
    lastEventId: event.event_id,
    metrics,
    history: handler ? appendSample(state.history, metrics, sampleTime) : state.history,
  };
}

// Adds a newly registered variant as a row (first), and counts it in the summary.
function applyVariantRegistered(metrics, event) {
  if (findRow(metrics, event.variant_id)) return metrics;
  const row = {
    id: event.variant_id,
    content: event.content,
    predicted_er: event.predicted_er,
    pattern_used: event.pattern_used,
    status: event.status ?? 'active',
    posted_at: event.posted_at,
    last_updated: event.posted_at,
    live_metrics: { engagement_rate: null, interactions: 0, views: 0 },
    performance_vs_prediction: null,
    changed: {},
  };
  const summary = adjustStatusCounts(
    { ...metrics.summary, total_variants: numberOr(metrics.summary.total_variants, 0) + 1 },
    null,
    row.status,
  );
  return { ...metrics, summary, active_variants: [row, ...metrics.active_variants] };
}

// Applies new live numbers to a variant's row and leader entry, and moves the pooled totals by the difference.
function applyPerformanceUpdate(metrics, event) {
  const row = findRow(metrics, event.variant_id);
  if (!row) return metrics;
  const before = row.live_metrics;
  const live = {
    ...before,
    engagement_rate: event.current_er ?? before.engagement_rate,
    interactions: event.interaction_count ?? before.interactions,
    views: event.view_count ?? before.views,
  };
  const ratio = performanceRatio(live.engagement_rate, row.predicted_er);
  const changed = markChanged(row.changed, before, live, event.event_id);
  const nextRow = {
    ...row,
    live_metrics: live,
    performance_vs_prediction: relativeChange(ratio),
    kill_probability: event.kill_probability ?? row.kill_probability,
    last_updated: event.updated_at ?? row.last_updated,
    changed,
  };
  const summary = moveTotals(metrics.summary, live.views - numberOr(before.views, 0), live.interactions - numberOr(before.interactions, 0));
  const leaders = updateById(metrics.performance_leaders, row.id, (leader) => ({
    ...leader,
    engagement_rate: live.engagement_rate,
    views: live.views,
    interactions: live.interactions,
    performance_vs_prediction: nextRow.performance_vs_prediction,
  }));
  return { ...metrics, summary, active_variants: replaceRow(metrics, nextRow), performance_leaders: leaders };
}

// Marks a variant killed (row, leader, counts), lists the kill, and counts it and its time to kill for today.
function applyEarlyKill(metrics, event) {
  const row = findRow(metrics, event.variant_id);
  if (row?.status === 'killed' || metrics.recent_kills.some((kill) => kill.variant_id === event.variant_id)) return metrics;
  const summary = adjustStatusCounts(metrics.summary, row ? row.status : 'active', 'killed');
  const kills = countKill(metrics.early_kills_today, minutesBetween(row?.posted_at, event.killed_at));
  const leaders = updateById(metrics.performance_leaders, event.variant_id, (leader) => ({ ...leader, status: 'killed' }));
  const recentKills = addKills(metrics.recent_kills, [killEntry(event, row)]);
  const listed = { ...metrics, summary, early_kills_today: kills, performance_leaders: leaders, recent_kills: recentKills };
  if (!row) return listed;
  const live = { ...row.live_metrics, engagement_rate: event.final_er ?? row.live_metrics.engagement_rate };
  const nextRow = {
    ...row,
    status: 'killed',
    live_metrics: live,
    kill_reason: event.kill_reason,
    killed_at: event.killed_at,
    performance_vs_prediction: relativeChange(performanceRatio(live.engagement_rate, row.predicted_er)),
    changed: markChanged({ ...row.changed, status: event.event_id }, row.live_metrics, live, event.event_id),
  };
  return { ...listed, active_variants: replaceRow(metrics, nextRow) };
}

// A kill list entry from an early_kill event, with the variant's text, pattern and post time when its row is known.
function killEntry(event, row) {
  return { content: row?.content, pattern_used: row?.pattern_used, posted_at: row?.posted_at, ...event };
}

// Changes a variant's status (not by a kill) and moves the active/killed counts accordingly.
function applyStatusChange(metrics, event) {
  const row = findRow(metrics, event.variant_id);
  const oldStatus = row ? row.status : event.old_status;
  if (oldStatus === event.new_status) return metrics;
  const summary = adjustStatusCounts(metrics.summary, oldStatus, event.new_status);
  if (!row) return { ...metrics, summary };
  const nextRow = { ...row, status: event.new_status, changed: { ...row.changed, status: event.event_id } };
  return { ...metrics, summary, active_variants: replaceRow(metrics, nextRow) };
}

// The row of a variant id in the active variants table, or undefined.
function findRow(metrics, variantId) {
  return metrics.active_variants.find((row) => row.id === variantId);
}

// The active variants list with one row replaced by its new version (same id).
function replaceRow(metrics, nextRow) {
  return updateById(metrics.active_variants, nextRow.id, () => nextRow);
}

// A list with the item of the given id transformed by update; other items untouched.
function updateById(items, id, update) {
  return items.map((item) => (item.id === id ? update(item) : item));
}

// The row's changed-cells map with the event id stamped on every live metric whose value changed.
function markChanged(changed, before, after, eventId) {
  const next = { ...changed };
  for (const field of ['engagement_rate', 'interactions', 'views']) {
    if (before[field] !== after[field]) next[field] = eventId;
  }
  return next;
}

// The summary with total views and interactions moved by deltas and the pooled rate recomputed.
function moveTotals(summary, viewsDelta, interactionsDelta) {
  const totalViews = numberOr(summary.total_views, 0) + viewsDelta;
  const totalInteractions = numberOr(summary.total_interactions, 0) + interactionsDelta;
  return {
    ...summary,
    total_views: totalViews,
    total_interactions: totalInteractions,
    avg_engagement_rate: totalViews > 0 ? totalInteractions / totalViews : summary.avg_engagement_rate,
  };
}

// The summary with active/killed counts moved for one variant going from oldStatus to newStatus.
function adjustStatusCounts(summary, oldStatus, newStatus) {
  const next = { ...summary };
  for (const [status, key] of [['active', 'active_variants'], ['killed', 'killed_variants']]) {
    const delta = (newStatus === status ? 1 : 0) - (oldStatus === status ? 1 : 0);
    if (delta !== 0) next[key] = Math.max(0, numberOr(next[key], 0) + delta);
  }
  return next;
}

// Today's kill counters with one more kill; the average time to kill includes it when its duration is known.
function countKill(killsToday, minutesToKill) {
  const count = numberOr(killsToday.kills_today, 0);
  const average = killsToday.avg_time_to_kill_minutes;
  if (minutesToKill === null) return { ...killsToday, kills_today: count + 1 };
  const known = typeof average === 'number' ? average * count : 0;
  const samples = typeof average === 'number' ? count + 1 : 1;
  return { ...killsToday, kills_today: count + 1, avg_time_to_kill_minutes: (known + minutesToKill) / samples };
}

// Minutes between two ISO timestamps, or null when either is missing.
function minutesBetween(startIso, endIso) {
  const start = Date.parse(startIso ?? '');
  const end = Date.parse(endIso ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, (end - start) / 60000);
}

// The chart history with one more sample (pooled rate and each variant's live rate), capped and time-ordered.
function appendSample(history, metrics, timeMs) {
  const previous = history[history.length - 1];
  const fallback = previous ? previous.t : Date.now();
  const t = Math.max(Number.isNaN(timeMs) ? fallback : timeMs, previous ? previous.t : -Infinity);
  const rates = {};
  for (const row of metrics.active_variants) rates[row.id] = row.live_metrics.engagement_rate ?? null;
  const sample = { t, pooled: metrics.summary.avg_engagement_rate ?? null, rates };
  return [...history, sample].slice(-HISTORY_LIMIT);
}

// value when it is a finite number, else fallback.
function numberOr(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

// The latest kills, newest first, one per variant, for the kill feed panel.
export function killFeed(state) {
  return state.metrics ? state.metrics.recent_kills : [];
}
