// Performance leaders: the best variants by Wilson lower bound, as ranked by the server; each opens its variant.
import { memo } from 'react';
import { formatCount, formatPercent } from '../format.js';
import { performanceRatio } from '../performance.js';
import { OpenableItem } from './OpenableItem.jsx';
import { PerformanceDelta } from './PerformanceDelta.jsx';

// An ordered list of leaders with id, rate, lower bound, views and delta versus prediction.
export const Leaders = memo(function Leaders({ leaders, onOpen }) {
  if (leaders.length === 0) return <p className="empty">No leaders yet.</p>;
  return (
    <ol className="feed leaders">
      {leaders.map((leader) => (
        <OpenableItem key={leader.id} variantId={leader.id} onOpen={onOpen} className="feed__item" testId={`leader-${leader.id}`}
          data-status={leader.status} label={`Leader ${leader.id}: ${leader.content}`}>
          <div className="feed__head">
            <span className="feed__title" title={leader.content}>{leader.content}</span>
            <PerformanceDelta ratio={performanceRatio(leader.engagement_rate, leader.predicted_er)} />
          </div>
          <div className="feed__meta">
            <span className="feed__id">{leader.id}</span>
            <span>{formatPercent(leader.engagement_rate)} live</span>
            <span>at least {formatPercent(leader.wilson_lower_bound)} (95% sure)</span>
            <span>{formatCount(leader.views)} views</span>
            {leader.status === 'killed' && <span className="badge badge--killed">killed</span>}
          </div>
        </OpenableItem>
      ))}
    </ol>
  );
});
