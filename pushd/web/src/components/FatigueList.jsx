// Pattern fatigue warnings: usage, freshness and fatigue scores, level and recommendation.
import { memo } from 'react';
import { formatClock, formatCount, formatScore } from '../format.js';

// One entry per tired pattern, with the optional trend z-score when the server sends it.
export const FatigueList = memo(function FatigueList({ warnings }) {
  if (warnings.length === 0) return <p className="empty">No pattern fatigue.</p>;
  return (
    <ul className="feed">
      {warnings.map((warning) => (
        <li key={warning.pattern} className="feed__item" data-testid={`fatigue-${warning.pattern}`}>
          <div className="feed__head">
            <span className="feed__title">{warning.pattern}</span>
            <span className={`badge badge--level-${warning.warning_level}`}>{warning.warning_level}</span>
          </div>
          <div className="feed__meta">
            <span>used {formatCount(warning.usage_count)}×</span>
            <span>fatigue {formatScore(warning.fatigue_score)}</span>
            <span>freshness {formatScore(warning.freshness_score)}</span>
            {typeof warning.trend_z === 'number' && <span>trend z {formatScore(warning.trend_z)}</span>}
            {warning.last_used_at && <span>last {formatClock(warning.last_used_at)}</span>}
          </div>
          {warning.recommendation && <p className="feed__text">{warning.recommendation}</p>}
        </li>
      ))}
    </ul>
  );
});
