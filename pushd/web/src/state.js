// Client state of one persona's dashboard: a pure reducer over the WebSocket messages, no React.
import { relativeChange, performanceRatio } from './performance.js';
import { appendLive, appendSnapshot, emptyChart, mergeHistory } from './chartData.js';

export const FEED_LIMIT = 100;
export const KILL_LIST_LIMIT = 20;
export const PANEL_SECTIONS = [
  'summary', 'performance_leaders', 'early_kills_today', 'recent_kills', 'pattern_fatigue_warnings', 'optimization_opportunities',
];

// The state before any initial_data arrived. panels: {lastEventId, at (ms)} of the last panels the screen
// shows; chart: the chart's memory (chartData.js); killMinViews: the kill rule's minimum views, once known.
export function initialState() {
  return {
    loaded: false, lastEventId: null, metrics: null, chart: emptyChart(), error: null, resyncCount: 0, panels: null, killMinViews: null,
  };
}

// Applies one server message and returns the next state (the same object when nothing changed).
export function applyMessage(state, message) {
  if (!message || typeof message !== 'object') return state;
  switch (message.type) {
    case 'initial_data':
      return applyInitialData(state, message);
    case 'variant_update':
      return applyEvent(state, message.data, message.timestamp);
    case 'panels_update':
      return applyPanelsUpdate(state, message);
    case 'history_loaded': // not from the server: Dashboard dispatches a GET /api/history answer
      return { ...state, chart: mergeHistory(state.chart, message.history) };
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

// Replaces the snapshot with a fresh dashboard_metrics (first load, refresh or resync); keeps the chart's
// memory and the rows of variants that ended while the page was open (the Killed/Completed filters list them).
function applyInitialData(state, message) {
  const metrics = normaliseMetrics(message.data ?? {});
  const ended = (state.metrics?.active_variants ?? []).filter((row) => row.status !== 'active' && !findRow(metrics, row.id));
  const merged = { ...metrics, active_variants: [...metrics.active_variants, ...ended] };
  const asOf = Date.parse(metrics.as_of ?? '');
  return {
    ...state,
    loaded: true,
    lastEventId: numberOr(metrics.last_event_id, 0),
    metrics: merged,
    error: null,
    resyncCount: state.resyncCount + (message.resync ? 1 : 0),
    panels: { lastEventId: numberOr(metrics.last_event_id, 0), at: Number.isNaN(asOf) ? Date.now() : asOf },
    chart: Number.isNaN(asOf) ? state.chart : appendSnapshot(state.chart, asOf / 1000, metrics.summary, metrics.active_variants),
  };
}

// Applies the sections a panels_update carries (each replaces its part of the snapshot); the ids of the
// active variants mark rows that ended without an event this page saw.
function applyPanelsUpdate(state, message) {
  if (!state.loaded) return state;
  const sections = message.data ?? {};
  let metrics = state.metrics;
  for (const key of PANEL_SECTIONS) {
    if (sections[key] !== undefined && sections[key] !== null) metrics = { ...metrics, [key]: sections[key] };
  }
  metrics = normaliseSections(metrics, sections);
  if (Array.isArray(sections.active_variant_ids)) metrics = endMissingRows(metrics, new Set(sections.active_variant_ids), message.last_event_id);
  return { ...state, metrics, panels: { lastEventId: numberOr(message.last_event_id, state.lastEventId), at: Date.now() } };
}

// The metrics with a replaced summary/kills section normalised as a snapshot's would be.
function normaliseSections(metrics, sections) {
  let next = metrics;
  if (sections.summary) next = { ...next, summary: { ...sections.summary } };
  if (sections.early_kills_today) next = { ...next, early_kills_today: { kills_today: 0, avg_time_to_kill_minutes: null, ...sections.early_kills_today } };
  if (Array.isArray(sections.recent_kills)) next = { ...next, recent_kills: addKills([], sections.recent_kills) };
  return next;
}

// Rows still shown as active that the panels (as of panelsEventId) no longer list become "completed" (ended).
function endMissingRows(metrics, activeIds, panelsEventId) {
  const stale = (row) => row.status === 'active' && !activeIds.has(row.id) && !(row.registeredEventId > numberOr(panelsEventId, 0));
  if (!metrics.active_variants.some(stale)) return metrics;
  const rows = metrics.active_variants.map((row) => (stale(row) ? { ...row, status: 'completed', endedAt: Date.now() } : row));
  return { ...metrics, active_variants: rows };
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
  const chartRow = event.event_type === 'performance_update' ? findRow(metrics, event.variant_id) : null;
  return {
    ...state,
    lastEventId: event.event_id,
    metrics,
    chart: handler ? appendLive(state.chart, sampleTime / 1000, metrics.summary, chartRow) : state.chart,
    killMinViews: typeof event.kill_min_views === 'number' ? event.kill_min_views : state.killMinViews,
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
    registeredEventId: event.event_id,
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
    kill_min_views: event.kill_min_views ?? row.kill_min_views,
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
    endedAt: Date.now(),
    performance_vs_prediction: relativeChange(performanceRatio(live.engagement_rate, row.predicted_er)),
    changed: markChanged({ ...row.changed, status: event.event_id }, row.live_metrics, live, event.event_id),
  };
  return { ...listed, active_variants: replaceRow(metrics, nextRow) };
}

// A kill list entry from an early_kill event, with the variant's text, pattern and post time when its row is known.
function killEntry(event, row) {
  return { content: row?.content, pattern_used: row?.pattern_used, posted_at: row?.posted_at, predicted_er: row?.predicted_er, ...event };
}

// Changes a variant's status (not by a kill) and moves the active/killed counts accordingly.
function applyStatusChange(metrics, event) {
  const row = findRow(metrics, event.variant_id);
  const oldStatus = row ? row.status : event.old_status;
  if (oldStatus === event.new_status) return metrics;
  const summary = adjustStatusCounts(metrics.summary, oldStatus, event.new_status);
  if (!row) return { ...metrics, summary };
  const endedAt = event.new_status === 'active' ? undefined : Date.now();
  const nextRow = { ...row, status: event.new_status, endedAt, changed: { ...row.changed, status: event.event_id } };
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

// value when it is a finite number, else fallback.
function numberOr(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

// The rows the variants table lists: the live rows, then each recent kill that is not among them as a killed
// row (content, pattern, prediction, final rate, sample size, reason), so the Killed filter lists the kills the
// kill panel shows, not only those since the page opened.
export function tableRows(metrics) {
  const listed = new Set(metrics.active_variants.map((row) => row.id));
  const killed = metrics.recent_kills.filter((kill) => !listed.has(kill.variant_id)).map(killedRow);
  return killed.length === 0 ? metrics.active_variants : [...metrics.active_variants, ...killed];
}

// One row per kill entry object, kept while the entry is (so live updates do not re-render these rows).
const killedRows = new WeakMap();

// The table row of a kill entry.
function killedRow(kill) {
  if (!killedRows.has(kill)) {
    killedRows.set(kill, {
      id: kill.variant_id,
      content: kill.content ?? kill.variant_id,
      pattern_used: kill.pattern_used,
      predicted_er: kill.predicted_er ?? null,
      status: 'killed',
      kill_reason: kill.kill_reason,
      posted_at: kill.posted_at,
      live_metrics: { engagement_rate: kill.final_er, views: kill.sample_size },
      changed: {},
    });
  }
  return killedRows.get(kill);
}

// The latest kills, newest first, one per variant, for the kill feed panel.
export function killFeed(state) {
  return state.metrics ? state.metrics.recent_kills : [];
}
