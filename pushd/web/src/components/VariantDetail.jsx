// One variant's detail panel (deep link ?persona=..&variant=..): GET /api/variants/{persona}/{variant} for its
// interval, kill evaluation, chance best, events and own history; the live row keeps the numbers current.
// With a write-scoped token, a "Kill variant" button (confirmation and reason) posts an early kill.
import { useEffect, useRef, useState } from 'react';
import { canWrite, EARLY_KILL_URL, fetchJson, variantUrl } from '../api.js';
import { emptyChart, mergeHistory } from '../chartData.js';
import { formatClockZoned, formatCount, formatPercent } from '../format.js';
import { killSentence } from '../plainWords.js';
import { detailParts, detailRangeSeconds } from '../variantDetail.js';
import { EngagementChart } from './EngagementChart.jsx';
import { eventText } from './LiveFeed.jsx';

const EMPTY_LABELS = new Map();

// Loads the variant's detail again whenever its live row changes (at most one request in flight).
function useVariantDetail(personaId, variantId, token, rowVersion) {
  const [answer, setAnswer] = useState({ status: null, body: null });
  useEffect(() => {
    const controller = new AbortController();
    fetchJson(variantUrl(personaId, variantId), token, { signal: controller.signal }).then((result) => {
      if (!controller.signal.aborted) setAnswer(result);
    });
    return () => controller.abort();
  }, [personaId, variantId, token, rowVersion]);
  return answer;
}

// The panel for variantId (row: its live row, if the page has one); onClose closes it.
export function VariantDetail({ personaId, variantId, row, token, onClose }) {
  const answer = useVariantDetail(personaId, variantId, token, row?.last_updated ?? row?.status);
  const [killResult, setKillResult] = useState(null);
  const closeRef = useRef(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (event) => { if (event.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [variantId, onClose]);
  const parts = detailParts(answer.status === 200 ? answer.body : null, row);
  const { variant, live, interval, evaluation } = parts;
  const unknown = !row && answer.status !== null && answer.status !== 200;

  return (
    <div className="detail-backdrop" onClick={onClose}>
      <aside className="detail" role="dialog" aria-modal="true" aria-labelledby="detail-title" data-testid="variant-detail" onClick={(event) => event.stopPropagation()}>
        <div className="detail__head">
          <h2 id="detail-title">Variant <code data-testid="detail-id">{variantId}</code></h2>
          <button ref={closeRef} type="button" className="button" onClick={onClose} data-testid="detail-close">Close</button>
        </div>
        {unknown ? (
          <p className="empty" data-testid="detail-unknown">No variant {variantId} for persona {personaId}.</p>
        ) : (
          <>
            <p className="detail__content" data-testid="detail-content">{variant.content ?? '…'}</p>
            <dl className="detail__facts">
              <Fact label="Pattern" testId="detail-pattern">{variant.pattern_used ?? '—'}</Fact>
              <Fact label="Status" testId="detail-status">{variant.status ?? '—'}</Fact>
              <Fact label="Predicted">{formatPercent(variant.predicted_er)}</Fact>
              <Fact label="Live rate" testId="detail-live">
                {formatPercent(live.engagement_rate)}
                {interval && <span className="detail__interval"> ({Math.round(parts.level * 100)}%: {formatPercent(interval[0])} to {formatPercent(interval[1])})</span>}
              </Fact>
              <Fact label="Views">{formatCount(live.views)}</Fact>
              <Fact label="Chance best" testId="detail-chance">{formatPercent(parts.probabilityBest)}</Fact>
            </dl>
            <p className="detail__verdict" data-testid="detail-kill-evaluation">{evaluation ? killSentence(evaluation) : 'Loading the kill evaluation…'}</p>
            {parts.history && (
              <EngagementChart chart={mergeHistory(emptyChart(), parts.history)} labelById={EMPTY_LABELS} rangeSeconds={detailRangeSeconds(parts.history)} testId="detail-chart" />
            )}
            {canWrite(token, personaId) && variant.status === 'active' && (
              <KillButton personaId={personaId} variantId={variantId} live={live} token={token} onResult={setKillResult} />
            )}
            {killResult && <p role="status" data-testid="kill-result">{killResult}</p>}
            <h3 className="detail__subtitle">Events</h3>
            <Timeline events={parts.events} content={variant.content} />
          </>
        )}
      </aside>
    </div>
  );
}

// One term/value pair of the facts list.
function Fact({ label, testId, children }) {
  return (
    <div className="detail__fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

// The variant's latest events, newest first, in words with their times.
function Timeline({ events, content }) {
  if (events.length === 0) return <p className="empty">No events loaded.</p>;
  const newestFirst = [...events].sort((a, b) => (b.event_id ?? 0) - (a.event_id ?? 0));
  return (
    <ol className="timeline" data-testid="detail-timeline">
      {newestFirst.map((event, index) => {
        const data = event.data && typeof event.data === 'object' ? { ...event.data, event_type: event.event_type ?? event.data.event_type } : event;
        const at = event.created_at ?? data.updated_at ?? data.killed_at ?? data.changed_at ?? data.posted_at;
        return (
          <li key={event.event_id ?? index}>
            <time dateTime={at}>{formatClockZoned(at)}</time> {eventText(data, content)}
          </li>
        );
      })}
    </ol>
  );
}

// "Kill variant": asks for a reason and a confirmation, then POSTs the early kill; onResult gets pushd's answer.
function KillButton({ personaId, variantId, live, token, onResult }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');

  // Posts the kill with the reason and the variant's current numbers.
  async function confirmKill(event) {
    event.preventDefault();
    const body = {
      variant_id: variantId, persona_id: personaId, reason: reason.trim(),
      final_engagement_rate: live.engagement_rate ?? 0, sample_size: live.views ?? 0,
    };
    const answer = await fetchJson(EARLY_KILL_URL, token, { method: 'POST', body });
    onResult(answer.status === 200 ? 'Killed.' : `Not killed: ${answer.body?.error ?? `HTTP ${answer.status}`}`);
    setAsking(false);
  }

  if (!asking) {
    return (
      <div className="kill-box">
        <button type="button" className="button button--danger" onClick={() => setAsking(true)} data-testid="kill-button">Kill variant</button>
      </div>
    );
  }
  return (
    <form className="kill-box" onSubmit={confirmKill} data-testid="kill-confirm">
      <label className="field">
        <span className="field__label">Why kill {variantId}?</span>
        <input type="text" value={reason} onChange={(event) => setReason(event.target.value)} required maxLength={200} data-testid="kill-reason" />
      </label>
      <button type="submit" className="button button--danger" disabled={!reason.trim()} data-testid="kill-confirm-button">Kill it now</button>
      <button type="button" className="button" onClick={() => setAsking(false)}>Cancel</button>
    </form>
  );
}
