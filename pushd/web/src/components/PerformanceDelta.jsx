// The coloured performance-versus-prediction delta of a variant.
import { formatDelta } from '../format.js';
import { performanceLevel, relativeChange } from '../performance.js';

const LEVEL_TEXT = { good: 'on track', warning: 'below prediction', poor: 'far below prediction', unknown: 'no data yet' };

// A delta such as "−3.3%" coloured good/warning/poor from the actual/predicted ratio.
export function PerformanceDelta({ ratio }) {
  const level = performanceLevel(ratio);
  return (
    <span className={`delta delta--${level}`} title={LEVEL_TEXT[level]}>
      {formatDelta(relativeChange(ratio))}
    </span>
  );
}
