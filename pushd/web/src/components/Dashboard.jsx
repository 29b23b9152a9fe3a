// One persona's live dashboard: owns the socket and the state reducer, lays out every panel.
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { applyMessage, initialState, killFeed } from '../state.js';
import { formatClock } from '../format.js';
import { useDashboardSocket } from '../hooks/useDashboardSocket.js';
import { useNow } from '../hooks/useNow.js';
import { ConnectionBadge } from './ConnectionBadge.jsx';
import { EngagementChart } from './EngagementChart.jsx';
import { FatigueList } from './FatigueList.jsx';
import { KillFeed } from './KillFeed.jsx';
import { Leaders } from './Leaders.jsx';
import { Panel } from './Panel.jsx';
import { Suggestions } from './Suggestions.jsx';
import { SummaryCards } from './SummaryCards.jsx';
import { VariantsTable } from './VariantsTable.jsx';

const CLOCK_TICK_MS = 1000;

// The dashboard of personaId; header is the persona picker element shown in the top bar.
export function Dashboard({ personaId, header }) {
  const [state, dispatch] = useReducer(applyMessage, undefined, initialState);
  const lastEventIdRef = useRef(null);
  useEffect(() => {
    lastEventIdRef.current = state.lastEventId;
  }, [state.lastEventId]);
  const { label, send } = useDashboardSocket(personaId, dispatch, lastEventIdRef);
  const now = useNow(CLOCK_TICK_MS);
  const metrics = state.metrics;
  const contentById = useMemo(
    () => new Map((metrics?.active_variants ?? []).map((row) => [row.id, row.content])),
    [metrics?.active_variants],
  );

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
      {state.error && <p className="alert" role="alert" data-testid="server-error">Server: {state.error}</p>}
      {!metrics ? (
        <p className="empty empty--loading" data-testid="loading">Waiting for the first data…</p>
      ) : (
        <main className="layout">
          <SummaryCards summary={metrics.summary} killsToday={metrics.early_kills_today} />
          <div className="layout__main">
            <Panel id="variants" title="Active variants" count={metrics.active_variants.length}>
              <VariantsTable rows={metrics.active_variants} now={now} />
            </Panel>
            <Panel id="chart" title="Engagement rate over time">
              <EngagementChart history={state.history} labelById={contentById} />
            </Panel>
            <Panel id="leaders" title="Performance leaders">
              <Leaders leaders={metrics.performance_leaders} />
            </Panel>
          </div>
          <div className="layout__side">
            <Panel id="kills" title="Early kills" count={metrics.early_kills_today.kills_today}>
              <KillFeed kills={killFeed(state)} contentById={contentById} now={now} />
            </Panel>
            <Panel id="fatigue" title="Pattern fatigue">
              <FatigueList warnings={metrics.pattern_fatigue_warnings} />
            </Panel>
            <Panel id="suggestions" title="Optimization suggestions">
              <Suggestions suggestions={metrics.optimization_opportunities} />
            </Panel>
          </div>
          <footer className="footnote">
            As of {formatClock(metrics.as_of)} · last event #{state.lastEventId}
            {state.resyncCount > 0 && ` · resynced ${state.resyncCount}×`}
          </footer>
        </main>
      )}
    </div>
  );
}
