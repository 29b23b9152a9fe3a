// One persona's live dashboard: owns the socket and the state reducer, lays out every panel.
import { lazy, startTransition, Suspense, useEffect, useReducer, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { applyMessages, initialState, killFeed } from '../state.js';
import { earlyState } from '../earlySocket.js';
import { createFrameBatcher, nextFrame } from '../frameBatcher.js';
import { formatClock } from '../format.js';
import { useDashboardSocket } from '../hooks/useDashboardSocket.js';
import { useNow } from '../hooks/useNow.js';
import { ConnectionBadge } from './ConnectionBadge.jsx';
import { FatigueList } from './FatigueList.jsx';
import { KillFeed } from './KillFeed.jsx';
import { Leaders } from './Leaders.jsx';
import { Panel } from './Panel.jsx';
import { Suggestions } from './Suggestions.jsx';
import { SummaryCards } from './SummaryCards.jsx';
import { VariantsTable } from './VariantsTable.jsx';

// uPlot and the chart are a separate chunk, fetched while the first screen renders and drawn after it.
const EngagementChart = lazy(() => import('./EngagementChart.jsx').then((module) => ({ default: module.EngagementChart })));

const CLOCK_TICK_MS = 1000;
const CHART_PLACEHOLDER = <div className="chart chart--loading" aria-busy="true"><div className="chart__canvas" /></div>;

// True once the first screen with data (summary and variants table) has been painted: the other panels and
// the chart render then, as a transition, so the first rows wait for none of them.
function useAfterFirstPaint(ready) {
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

// The dashboard of personaId, connected with the access token (or null); header is the persona picker element
// shown in the top bar.
export function Dashboard({ personaId, token, header }) {
  // The first state already holds what the early socket received while the bundle loaded.
  const [state, dispatch] = useReducer(applyMessages, personaId, (id) => earlyState(id, initialState(), window));
  const lastEventIdRef = useRef(null);
  useEffect(() => {
    lastEventIdRef.current = state.lastEventId;
  }, [state.lastEventId]);
  // Messages are applied and committed to the DOM at once (data-value and text in the same commit), or,
  // when several arrive within a frame, together at the next animation frame.
  const [batcher] = useState(() => createFrameBatcher((batch) => flushSync(() => dispatch(batch))));
  useEffect(() => () => batcher.cancel(), [batcher]);
  const { label, refused, send } = useDashboardSocket(personaId, token, batcher.push, lastEventIdRef);
  const now = useNow(CLOCK_TICK_MS);
  const metrics = state.metrics;
  const contentById = useContentById(metrics?.active_variants);
  const secondaryShown = useAfterFirstPaint(metrics !== null);

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar__title">
          <h1>Variant performance</h1>
          <span className="topbar__persona">{personaId}</span>
        </div>
        {header}
        <div className="topbar__status">
          <ConnectionBadge label={label} />
          <button type="button" className="button" onClick={() => send({ type: 'refresh' })} disabled={label !== 'live'} data-testid="refresh">
            Refresh
          </button>
        </div>
      </header>
      {refused && <p className="alert alert--access" role="alert" data-testid="access-error">{refused}</p>}
      {state.error && <p className="alert" role="alert" data-testid="server-error">Server: {state.error}</p>}
      {!metrics ? (
        !refused && <p className="empty empty--loading" data-testid="loading">Waiting for the first data…</p>
      ) : (
        <main className="layout">
          <SummaryCards summary={metrics.summary} killsToday={metrics.early_kills_today} />
          <div className="layout__main">
            <Panel id="variants" title="Active variants" count={metrics.active_variants.length}>
              <VariantsTable rows={metrics.active_variants} now={now} />
            </Panel>
            <Panel id="chart" title="Engagement rate over time">
              {secondaryShown ? (
                <Suspense fallback={CHART_PLACEHOLDER}>
                  <EngagementChart history={state.history} labelById={contentById} />
                </Suspense>
              ) : CHART_PLACEHOLDER}
            </Panel>
            <Panel id="leaders" title="Performance leaders">
              {secondaryShown && <Leaders leaders={metrics.performance_leaders} />}
            </Panel>
          </div>
          <div className="layout__side">
            <Panel id="kills" title="Early kills" count={metrics.early_kills_today.kills_today}>
              {secondaryShown && <KillFeed kills={killFeed(state)} contentById={contentById} now={now} />}
            </Panel>
            <Panel id="fatigue" title="Pattern fatigue">
              {secondaryShown && <FatigueList warnings={metrics.pattern_fatigue_warnings} />}
            </Panel>
            <Panel id="suggestions" title="Optimization suggestions">
              {secondaryShown && <Suggestions suggestions={metrics.optimization_opportunities} />}
            </Panel>
          </div>
          <footer className="footnote">
            {/* The first clock text builds the Intl formatter (slow the first time): not on the first screen. */}
            As of {secondaryShown ? formatClock(metrics.as_of) : '…'} · last event #{state.lastEventId}
            {state.resyncCount > 0 && ` · resynced ${state.resyncCount}×`}
          </footer>
        </main>
      )}
    </div>
  );
}
