// One persona's live dashboard: owns the socket, the state reducer and the REST reads (history, chance best),
// lays out every panel, says when the data is not live, and opens a variant's detail.
import { startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { fetchJson, historyUrl, probabilitiesUrl } from '../api.js';
import { DEFAULT_RANGE, HISTORY_MAX_POINTS, RANGES, rangeByKey } from '../chartData.js';
import { applyMessages, initialState, killFeed, tableRows } from '../state.js';
import { earlyHistory, earlyState } from '../earlySocket.js';
import { createFrameBatcher, nextFrame } from '../frameBatcher.js';
import { formatClockZoned, zoneName } from '../format.js';
import { useDashboardSocket } from '../hooks/useDashboardSocket.js';
import { useNow } from '../hooks/useNow.js';
import { ConnectionBadge } from './ConnectionBadge.jsx';
import { EngagementChart } from './EngagementChart.jsx';
import { FatigueList } from './FatigueList.jsx';
import { KillFeed } from './KillFeed.jsx';
import { Leaders } from './Leaders.jsx';
import { LiveFeed } from './LiveFeed.jsx';
import { Panel } from './Panel.jsx';
import { Suggestions } from './Suggestions.jsx';
import { SummaryCards } from './SummaryCards.jsx';
import { VariantDetail } from './VariantDetail.jsx';
import { VariantsTable } from './VariantsTable.jsx';

const CLOCK_TICK_MS = 1000;
const PROBABILITIES_INTERVAL_MS = 10000;

// True, as a transition, a frame after the first screen with data (ready: on the page): the other panels are
// the biggest render, so neither the first rows nor the chart wait for them.
function usePanelsShown(ready) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!ready || shown) return undefined;
    return nextFrame(() => startTransition(() => setShown(true)));
  }, [ready, shown]);
  return shown;
}

// A Map of variant id to content text that keeps its identity while no row's id or text changed (live
// updates of the numbers then do not re-render what only needs the texts).
function useContentById(rows) {
  const cache = useRef(new Map());
  const list = rows ?? [];
  const previous = cache.current;
  const same = previous.size === list.length && list.every((row) => previous.get(row.id) === row.content && previous.has(row.id));
  if (!same) cache.current = new Map(list.map((row) => [row.id, row.content]));
  return cache.current;
}

// The boot script's history request for the default range (earlySocket.js), taken once at the first render:
// {token, answer, arrived}, or null when it made none that fits.
function useEarlyHistory(personaId, token) {
  const [early] = useState(() => {
    const request = earlyHistory(personaId, token, rangeByKey(DEFAULT_RANGE).seconds, window);
    return request && { token, ...request };
  });
  return early;
}

// The first state of the dashboard: what the early socket buffered and, when it has arrived, the history.
function firstState(personaId, early) {
  const state = earlyState(personaId, initialState(), window);
  const arrived = early?.arrived;
  return arrived?.status === 200 && arrived.body ? applyMessages(state, [{ type: 'history_loaded', history: arrived.body }]) : state;
}

// Loads the chosen range of history into the chart (dispatching history_loaded) when the range changes and
// each time the socket becomes live again (a reconnect or resync fills its gap from the server's memory). The
// load at mount serves the first time the socket is live: it is the boot script's request (early, started
// with the socket) when it made one that fits, else the socket was already live. When the early answer was
// already in the first state (firstState), it is not applied again. Subscribed at commit (a layout effect), so
// an answer arriving right after the first screen is applied at once.
function useHistory(personaId, token, rangeKey, live, dispatch, early) {
  const [status, setStatus] = useState(null);
  const [reloads, setReloads] = useState(0);
  const wasLive = useRef(false);
  const firstLiveServed = useRef(live || early !== null);
  const loadedOnce = useRef(false);
  useEffect(() => {
    if (live && !wasLive.current) {
      if (firstLiveServed.current) firstLiveServed.current = false;
      else setReloads((count) => count + 1);
    }
    wasLive.current = live;
  }, [live]);
  useLayoutEffect(() => {
    const controller = new AbortController();
    const to = Date.now() / 1000;
    const url = historyUrl(personaId, { fromSeconds: to - rangeByKey(rangeKey).seconds, toSeconds: to, maxPoints: HISTORY_MAX_POINTS });
    const first = !loadedOnce.current && early !== null && early.token === token && rangeKey === DEFAULT_RANGE;
    loadedOnce.current = true; // any later load asks pushd itself
    const inFirstState = first && early.arrived !== null;
    (first ? early.answer : fetchJson(url, token, { signal: controller.signal })).then(({ status: code, body }) => {
      if (controller.signal.aborted) return;
      setStatus(code);
      if (code === 200 && body && !inFirstState) dispatch([{ type: 'history_loaded', history: body }]);
    });
    return () => controller.abort();
  }, [personaId, token, rangeKey, reloads, dispatch, early]);
  return status;
}

// Each active variant's chance of being the best (id -> probability_best), refreshed while live.
function useChanceBest(personaId, token, live) {
  const [chances, setChances] = useState(() => new Map());
  useEffect(() => {
    if (!live) return undefined;
    const controller = new AbortController();
    const load = () => fetchJson(probabilitiesUrl(personaId), token, { signal: controller.signal }).then(({ status, body }) => {
      if (controller.signal.aborted || status !== 200 || !Array.isArray(body?.variants)) return;
      setChances(new Map(body.variants.map((variant) => [variant.id, variant.probability_best])));
    });
    load();
    const timer = setInterval(load, PROBABILITIES_INTERVAL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [personaId, token, live]);
  return chances;
}

// True when a snapshot has nothing for the persona: no variant was ever registered.
function hasNoData(metrics) {
  return metrics !== null && (metrics.summary.total_variants ?? 0) === 0 && metrics.active_variants.length === 0;
}

// The dashboard of personaId, connected with the access token (or null); header is the persona picker, skip
// the skip link; variantId the open variant (or null), onOpenVariant opens/closes one; onHasData(personaId)
// is called once the persona has shown data.
export function Dashboard({ personaId, token, header, skip, variantId, onOpenVariant, onHasData }) {
  // The first state already holds what the early socket (and its history request) received while the bundle loaded.
  const earlyHistoryRequest = useEarlyHistory(personaId, token);
  const [state, dispatch] = useReducer(applyMessages, personaId, (id) => firstState(id, earlyHistoryRequest));
  const lastEventIdRef = useRef(null);
  useEffect(() => {
    lastEventIdRef.current = state.lastEventId;
  }, [state.lastEventId]);
  // Messages are applied and committed to the DOM at once (data-value and text in the same commit), or,
  // when several arrive within a frame, together at the next animation frame.
  const [batcher] = useState(() => createFrameBatcher((batch) => flushSync(() => dispatch(batch))));
  useEffect(() => () => batcher.cancel(), [batcher]);
  const { label, refused, send } = useDashboardSocket(personaId, token, batcher.push, lastEventIdRef);
  const live = label === 'live';
  const now = useNow(CLOCK_TICK_MS, live);
  const metrics = state.metrics;
  const contentById = useContentById(metrics?.active_variants);
  const variantRows = useMemo(() => (metrics ? tableRows(metrics) : []), [metrics?.active_variants, metrics?.recent_kills]); // eslint-disable-line react-hooks/exhaustive-deps
  const secondaryShown = usePanelsShown(metrics !== null);
  const [rangeKey, setRangeKey] = useState(DEFAULT_RANGE);
  const historyStatus = useHistory(personaId, token, rangeKey, live, dispatch, earlyHistoryRequest);
  const chanceBest = useChanceBest(personaId, token, live);
  const noData = hasNoData(metrics);
  const closeVariant = useCallback(() => onOpenVariant(null), [onOpenVariant]);
  const variantIds = useMemo(() => [...contentById.keys()], [contentById]);

  useEffect(() => {
    if (metrics !== null && !noData) onHasData(personaId);
  }, [metrics !== null, noData, personaId, onHasData]); // eslint-disable-line react-hooks/exhaustive-deps

  const stale = metrics !== null && !live;
  const openRow = variantId ? metrics?.active_variants.find((row) => row.id === variantId) : null;
  return (
    <div className="app">
      {skip}
      <header className="topbar">
        <div className="topbar__title">
          <h1>Variant performance</h1>
          <span className="topbar__persona">{personaId}</span>
        </div>
        {header}
        <div className="topbar__status">
          <ConnectionBadge label={noData && live ? 'no data' : label} />
          <button type="button" className="button" onClick={() => send({ type: 'refresh' })} disabled={!live} data-testid="refresh">
            Refresh
          </button>
        </div>
      </header>
      {stale && !refused && (
        <p className="alert alert--offline" role="status" data-testid="offline-banner">
          {label === 'offline' ? 'Offline' : 'Not live'}, data as of {formatClockZoned(state.panels?.at ?? metrics.as_of)}, reconnecting…
        </p>
      )}
      {refused && <p className="alert alert--access" role="alert" data-testid="access-error">{refused}</p>}
      {state.error && <p className="alert" role="alert" data-testid="server-error">Server: {state.error}</p>}
      {!metrics ? (
        !refused && <p className="empty empty--loading" data-testid="loading">Waiting for the first data…</p>
      ) : noData ? (
        <main id="main" tabIndex={-1}>
          <p className="empty empty--loading" data-testid="no-data">
            No data for persona {personaId} yet; it appears when a variant is registered.
          </p>
        </main>
      ) : (
        <main id="main" tabIndex={-1} className={`layout ${stale ? 'layout--stale' : ''}`} data-testid="dashboard-main" data-stale={stale}>
          <SummaryCards summary={metrics.summary} killsToday={metrics.early_kills_today} />
          <div className="layout__main">
            <Panel id="variants" title="Variants">
              <VariantsTable rows={variantRows} now={now} chanceBest={chanceBest} killMinViews={state.killMinViews} onOpen={onOpenVariant} />
            </Panel>
            <Panel id="chart" title="Engagement rate over time" actions={<RangePicker value={rangeKey} onChange={setRangeKey} />}>
              <EngagementChart chart={state.chart} labelById={contentById} rangeSeconds={rangeByKey(rangeKey).seconds} />
              {historyStatus !== null && historyStatus !== 200 && (
                <p className="empty" data-testid="history-missing">History is not available (HTTP {historyStatus}); the chart shows what arrived since the page opened.</p>
              )}
            </Panel>
            <Panel id="leaders" title="Performance leaders" count={metrics.performance_leaders.length}>
              {secondaryShown && <Leaders leaders={metrics.performance_leaders} onOpen={onOpenVariant} />}
            </Panel>
          </div>
          <div className="layout__side">
            <Panel id="feed" title="Live feed">
              {secondaryShown && <LiveFeed feed={metrics.real_time_feed} contentById={contentById} onOpen={onOpenVariant} />}
            </Panel>
            <Panel id="kills" title="Recent kills" count={killFeed(state).length}>
              {secondaryShown && <KillFeed kills={killFeed(state)} contentById={contentById} now={now} onOpen={onOpenVariant} />}
            </Panel>
            <Panel id="fatigue" title="Pattern fatigue" count={metrics.pattern_fatigue_warnings.length}>
              {secondaryShown && <FatigueList warnings={metrics.pattern_fatigue_warnings} />}
            </Panel>
            <Panel id="suggestions" title="Optimization suggestions" count={metrics.optimization_opportunities.length}>
              {secondaryShown && <Suggestions suggestions={metrics.optimization_opportunities} variantIds={variantIds} onOpen={onOpenVariant} />}
            </Panel>
          </div>
          <footer className="footnote" data-testid="panels-footer">
            {/* The first clock text builds the Intl formatter (slow the first time): not on the first screen. */}
            Panels as of {secondaryShown ? formatClockZoned(state.panels?.at ?? metrics.as_of) : '…'}
            {' '}(event #<span data-testid="panels-event-id">{state.panels?.lastEventId ?? state.lastEventId}</span>)
            {' '}· last event #{state.lastEventId}
            {state.resyncCount > 0 && ` · resynced ${state.resyncCount}×`}
            {secondaryShown && ` · times in ${zoneName()}`}
          </footer>
        </main>
      )}
      {variantId && metrics && (
        <VariantDetail personaId={personaId} variantId={variantId} row={openRow} token={token} onClose={closeVariant} />
      )}
    </div>
  );
}

// The chart's range buttons: 15 m, 1 h, 24 h, 7 d.
function RangePicker({ value, onChange }) {
  return (
    <div className="filters" role="group" aria-label="Chart range">
      {RANGES.map((range) => (
        <button key={range.key} type="button" className={`chip ${value === range.key ? 'chip--on' : ''}`} aria-pressed={value === range.key}
          onClick={() => onChange(range.key)} data-testid={`range-${range.key}`}>
          {range.label}
        </button>
      ))}
    </div>
  );
}
