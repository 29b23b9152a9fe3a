// Optimization suggestions: a plain sentence first, variant ids that open the variant, the numbers behind "Why?".
import { memo } from 'react';
import { splitVariantIds } from '../plainWords.js';
import { VariantIdButton } from './OpenableItem.jsx';
import { Why } from './Why.jsx';

// One entry per suggestion; variantIds are the ids that can be opened (named in the text).
export const Suggestions = memo(function Suggestions({ suggestions, variantIds, onOpen }) {
  if (suggestions.length === 0) return <p className="empty">No suggestions right now.</p>;
  return (
    <ul className="feed">
      {suggestions.map((suggestion, index) => (
        <li key={`${suggestion.type}-${index}`} className="feed__item" data-testid={`suggestion-${index}`}>
          <div className="feed__head">
            <span className="feed__title">{suggestion.title}</span>
            <span className={`badge badge--level-${suggestion.priority}`}>{suggestion.priority}</span>
          </div>
          {suggestion.description && <p className="feed__text"><Linked text={suggestion.description} ids={variantIds} onOpen={onOpen} /></p>}
          {suggestion.action && <p className="feed__action">→ <Linked text={suggestion.action} ids={variantIds} onOpen={onOpen} /></p>}
          <Why testId={`why-suggestion-${index}`}><Evidence evidence={suggestion.evidence} /></Why>
        </li>
      ))}
    </ul>
  );
});

// text with every known variant id in it as a button that opens the variant.
function Linked({ text, ids, onOpen }) {
  return splitVariantIds(text, ids).map((piece, index) => (typeof piece === 'string'
    ? <span key={index}>{piece}</span>
    : <VariantIdButton key={index} variantId={piece.variantId} onOpen={onOpen} />));
}

// The evidence behind a suggestion as a definition list (nested lists as one line each); nothing when absent.
function Evidence({ evidence }) {
  if (!evidence || typeof evidence !== 'object') return <p className="empty">No numbers attached.</p>;
  const entries = Object.entries(evidence);
  return (
    <dl className="evidence">
      {entries.map(([key, value]) => (
        <div key={key} className="evidence__entry">
          <dt>{key.replaceAll('_', ' ')}</dt>
          <dd>{evidenceText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

// A compact text of an evidence value (numbers to 4 significant digits, objects as key=value lists).
function evidenceText(value) {
  if (typeof value === 'number') return Number(value.toPrecision(4)).toString();
  if (Array.isArray(value)) return value.map(evidenceText).join('; ');
  if (value && typeof value === 'object') return Object.entries(value).map(([key, inner]) => `${key}=${evidenceText(inner)}`).join(', ');
  return String(value);
}
