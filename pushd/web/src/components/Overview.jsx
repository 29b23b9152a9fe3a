// The overview at /dashboard/ without a persona: one card per persona the viewer may read (GET /api/personas)
// with its counts, pooled engagement and a 24-hour sparkline; a card opens the persona.
import { useEffect, useState } from 'react';
import { fetchJson, historyUrl } from '../api.js';
import { formatClockZoned, formatCount, formatPercent } from '../format.js';

const SPARK_POINTS = 48;
const SPARK_PERSONAS = 24;
const DAY_SECONDS = 86400;

// The pooled rates of each persona's last 24 hours ({id: [[t, rate], ...]}), for the first SPARK_PERSONAS.
function useSparklines(personas, token) {
  const [lines, setLines] = useState({});
  useEffect(() => {
    const controller = new AbortController();
    const to = Date.now() / 1000;
    for (const persona of personas.slice(0, SPARK_PERSONAS)) {
      const url = historyUrl(persona.persona_id, { fromSeconds: to - DAY_SECONDS, toSeconds: to, maxPoints: SPARK_POINTS });
      fetchJson(url, token, { signal: controller.signal }).then(({ status, body }) => {
        if (controller.signal.aborted || status !== 200 || !Array.isArray(body?.pooled)) return;
        setLines((previous) => ({ ...previous, [persona.persona_id]: body.pooled }));
      });
    }
    return () => controller.abort();
  }, [personas, token]);
  return lines;
}

// A small SVG line of [t, rate] points (nothing to draw: a flat dash).
function Sparkline({ points }) {
  const values = (points ?? []).filter((point) => typeof point[1] === 'number');
  if (values.length < 2) return <svg className="sparkline" viewBox="0 0 100 24" aria-hidden="true"><line x1="0" y1="20" x2="100" y2="20" /></svg>;
  const [t0, t1] = [values[0][0], values[values.length - 1][0]];
  const max = Math.max(...values.map((point) => point[1])) || 1;
  const coords = values.map((point) => `${((point[0] - t0) / (t1 - t0 || 1)) * 100},${22 - (point[1] / max) * 20}`);
  return <svg className="sparkline" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true"><polyline points={coords.join(' ')} /></svg>;
}

// The overview: personas (null while loading) as cards, or the state of the request; onChoose opens one.
export function Overview({ personas, status, token, onChoose }) {
  const lines = useSparklines(personas ?? [], token);
  if (personas === null) return <p className="empty empty--loading" data-testid="overview-loading">Loading personas…</p>;
  if (status !== 200) {
    return <p className="empty" data-testid="overview-error">The persona list is not available ({status === 0 ? 'pushd unreachable' : `HTTP ${status}`}); open a persona by its id.</p>;
  }
  if (personas.length === 0) return <p className="empty" data-testid="overview-empty">No personas yet: they appear when a variant is registered.</p>;
  return (
    <ul className="overview" aria-label="Personas">
      {personas.map((persona) => (
        <li key={persona.persona_id}>
          <a className="persona-card" href={`?persona=${encodeURIComponent(persona.persona_id)}`} data-testid={`persona-card-${persona.persona_id}`}
            onClick={(event) => { event.preventDefault(); onChoose(persona.persona_id); }}>
            <span className="persona-card__name">{persona.persona_id}</span>
            <span className="persona-card__rate">{formatPercent(persona.pooled_engagement_rate)} <small>pooled engagement</small></span>
            <Sparkline points={lines[persona.persona_id]} />
            <span className="persona-card__meta">
              <span data-testid={`persona-active-${persona.persona_id}`}>{formatCount(persona.active_variants)} active</span>
              <span>{formatCount(persona.total_variants)} total</span>
              <span>{formatCount(persona.kills_today)} kills today</span>
            </span>
            <span className="persona-card__meta">last activity {formatClockZoned(persona.last_event_at)}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
