// The early-kill feed: newest kills first, with reason, final rate and sample size; each opens its variant.
import { memo } from 'react';
import { formatClockZoned, formatCount, formatDuration, formatPercent, secondsSince } from '../format.js';
import { OpenableItem } from './OpenableItem.jsx';

// A list of kills, one per variant; contentById gives a killed variant's text when the kill does not carry it.
export const KillFeed = memo(function KillFeed({ kills, contentById, now, onOpen }) {
  if (kills.length === 0) return <p className="empty">No early kills yet.</p>;
  return (
    <ol className="feed">
      {kills.map((kill) => {
        const ago = secondsSince(kill.killed_at, now);
        const content = kill.content ?? contentById.get(kill.variant_id);
        return (
          <OpenableItem key={kill.variant_id} variantId={kill.variant_id} onOpen={onOpen} className="feed__item feed__item--kill"
            testId={`kill-${kill.variant_id}`} label={`Killed ${kill.variant_id}: ${content ?? ''}`}>
            <div className="feed__head">
              <span className="feed__title" title={content}>{content ?? kill.variant_id}</span>
              <time dateTime={kill.killed_at} title={formatClockZoned(kill.killed_at)}>
                {ago === null ? '—' : `${formatDuration(ago)} ago`}
              </time>
            </div>
            <div className="feed__meta">
              <span className="feed__id">{kill.variant_id}</span>
              <span>{kill.kill_reason ?? 'killed'}</span>
              <span>final {formatPercent(kill.final_er)}</span>
              <span>n = {formatCount(kill.sample_size)}</span>
            </div>
          </OpenableItem>
        );
      })}
    </ol>
  );
});
