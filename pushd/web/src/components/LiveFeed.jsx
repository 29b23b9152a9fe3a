// The live feed (real_time_feed): the latest events, newest first, each opening its variant.
import { memo } from 'react';
import { formatClockZoned, formatCount, formatPercent } from '../format.js';
import { OpenableItem } from './OpenableItem.jsx';

export const FEED_SHOWN = 30;

// What one event means, in words.
export function eventText(event, content) {
  const name = content ? `"${content}"` : event.variant_id;
  switch (event.event_type) {
    case 'variant_registered':
      return `New variant ${name} (predicted ${formatPercent(event.predicted_er)})`;
    case 'performance_update':
      return `${name}: ${formatPercent(event.current_er)} of ${formatCount(event.view_count)} views`;
    case 'early_kill':
      return `${name} killed: ${event.kill_reason ?? 'low engagement'}`;
    case 'status_change':
      return `${name} is now ${event.new_status}`;
    default:
      return `${name}: ${event.event_type}`;
  }
}

// The newest FEED_SHOWN events of feed (already newest first); contentById names the variants.
export const LiveFeed = memo(function LiveFeed({ feed, contentById, onOpen }) {
  if (feed.length === 0) return <p className="empty">No events yet.</p>;
  return (
    <ol className="feed live-feed" data-testid="live-feed">
      {feed.slice(0, FEED_SHOWN).map((event) => {
        const text = eventText(event, event.content ?? contentById.get(event.variant_id));
        const at = event.updated_at ?? event.killed_at ?? event.changed_at ?? event.posted_at;
        return (
          <OpenableItem key={event.event_id} variantId={event.variant_id} onOpen={onOpen} className={`feed__item feed__item--${event.event_type}`}
            testId={`feed-${event.event_id}`} label={text}>
            <div className="feed__head">
              <span className="feed__text">{text}</span>
              <time dateTime={at}>{formatClockZoned(at)}</time>
            </div>
          </OpenableItem>
        );
      })}
    </ol>
  );
});
