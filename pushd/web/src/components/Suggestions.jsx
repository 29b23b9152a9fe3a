// Optimization suggestions: priority, title, description, action and optional evidence.
import { memo } from 'react';

// One entry per suggestion; an evidence object, when present, is shown as a key/value list.
export const Suggestions = memo(function Suggestions({ suggestions }) {
  if (suggestions.length === 0) return <p className="empty">No suggestions right now.</p>;
  return (
    <ul className="feed">
      {suggestions.map((suggestion, index) => (
        <li key={`${suggestion.type}-${index}`} className="feed__item" data-testid={`suggestion-${index}`}>
          <div className="feed__head">
            <span className="feed__title">{suggestion.title}</span>
            <span className={`badge badge--level-${suggestion.priority}`}>{suggestion.priority}</span>
          </div>
          {suggestion.description && <p className="feed__text">{suggestion.description}</p>}
          {suggestion.action && <p className="feed__action">→ {suggestion.action}</p>}
          <Evidence evidence={suggestion.evidence} />
        </li>
      ))}
    </ul>
  );
});

// The evidence behind a suggestion as a definition list of its scalar entries; nothing when absent.
function Evidence({ evidence }) {
  if (!evidence || typeof evidence !== 'object') return null;
  const entries = Object.entries(evidence).filter(([, value]) => value === null || typeof value !== 'object');
  if (entries.length === 0) return null;
  return (
    <dl className="evidence">
      {entries.map(([key, value]) => (
        <div key={key} className="evidence__entry">
          <dt>{key.replaceAll('_', ' ')}</dt>
          <dd>{typeof value === 'number' ? Number(value.toPrecision(4)).toString() : String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
