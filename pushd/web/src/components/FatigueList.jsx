// Pattern fatigue warnings: a plain sentence and the recommendation first, the scores behind "Why?".
import { memo } from 'react';
import { formatClockZoned, formatCount, formatScore } from '../format.js';
import { fatigueSentence } from '../plainWords.js';
import { Why } from './Why.jsx';

// One entry per tired pattern.
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
          <p className="feed__text">{fatigueSentence(warning)}</p>
          {warning.recommendation && <p className="feed__action">→ {warning.recommendation}</p>}
          <Why testId={`why-fatigue-${warning.pattern}`}>
            <div className="feed__meta">
              <span>used {formatCount(warning.usage_count)}×</span>
              <span>fatigue score {formatScore(warning.fatigue_score)}</span>
              <span>freshness {formatScore(warning.freshness_score)}</span>
              {typeof warning.trend_z === 'number' && <span>trend z {formatScore(warning.trend_z)}</span>}
              {warning.last_used_at && <span>last used {formatClockZoned(warning.last_used_at)}</span>}
            </div>
          </Why>
        </li>
      ))}
    </ul>
  );
});
