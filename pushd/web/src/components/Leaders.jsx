// Performance leaders: the best variants by Wilson lower bound, as ranked by the server.
import { memo } from 'react';
import { formatCount, formatPercent } from '../format.js';
import { performanceRatio } from '../performance.js';
import { PerformanceDelta } from './PerformanceDelta.jsx';

// An ordered list of leaders with rate, lower bound, views and delta versus prediction.
export const Leaders = memo(function Leaders({ leaders }) {
  if (leaders.length === 0) return <p className="empty">No leaders yet.</p>;
  return (
    <ol className="feed leaders">
      {leaders.map((leader) => (
        <li key={leader.id} className="feed__item" data-testid={`leader-${leader.id}`} data-status={leader.status}>
          <div className="feed__head">
            <span className="feed__title" title={leader.content}>{leader.content}</span>
            <PerformanceDelta ratio={performanceRatio(leader.engagement_rate, leader.predicted_er)} />
          </div>
          <div className="feed__meta">
            <span>{formatPercent(leader.engagement_rate)} live</span>
            <span>≥ {formatPercent(leader.wilson_lower_bound)} (95%)</span>
            <span>{formatCount(leader.views)} views</span>
            {leader.pattern_used && <span>{leader.pattern_used}</span>}
            {leader.status === 'killed' && <span className="badge badge--killed">killed</span>}
          </div>
        </li>
      ))}
    </ol>
  );
});
