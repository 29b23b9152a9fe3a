// Sentences a content manager understands, built from the statistics the server sends. Pure functions.
import { formatCount, formatPercent } from './format.js';

export const DEFAULT_KILL_MIN_VIEWS = 100;

// "half the", "a third of the", or "40% of the": how a threshold compares to the prediction.
function shareOf(threshold, predicted) {
  if (!(predicted > 0) || typeof threshold !== 'number') return null;
  const ratio = threshold / predicted;
  if (Math.abs(ratio - 0.5) < 0.005) return 'half the';
  if (Math.abs(ratio - 1 / 3) < 0.005) return 'a third of the';
  return `${Math.round(ratio * 100)}% of the`;
}

// A probability as a whole percentage that never rounds a real chance to 0% or 100%: "less than 1%", "97%".
function likelihood(probability) {
  if (probability > 0 && probability < 0.005) return 'less than 1%';
  if (probability < 1 && probability > 0.995) return 'more than 99%';
  return `${Math.round(probability * 100)}%`;
}

// The kill evaluation (evaluate_early_kill's object) in one sentence, e.g. "97% likely below 3.0%, half the
// 6.0% prediction, after 420 views".
export function killSentence(evaluation) {
  if (!evaluation || typeof evaluation !== 'object') return 'No kill evaluation yet.';
  const views = evaluation.views ?? 0;
  const minViews = evaluation.min_views ?? DEFAULT_KILL_MIN_VIEWS;
  if (views < minViews) return `Collecting data: ${formatCount(views)} of the ${formatCount(minViews)} views the kill rule needs.`;
  const probability = evaluation.probability_below_threshold;
  const share = shareOf(evaluation.threshold_er, evaluation.predicted_er);
  if (typeof probability !== 'number' || typeof evaluation.threshold_er !== 'number') return evaluation.reason ?? 'No kill evaluation yet.';
  const compared = share ? `, ${share} ${formatPercent(evaluation.predicted_er)} prediction` : '';
  return `${likelihood(probability)} likely below ${formatPercent(evaluation.threshold_er)}${compared}, after ${formatCount(views)} views`;
}

// The kill rule's minimum views for a row: its own, else the persona's (from live events), else the default.
export function minViewsFor(row, personaMinViews) {
  return row?.kill_min_views ?? personaMinViews ?? DEFAULT_KILL_MIN_VIEWS;
}

// True when a row has fewer views than the kill rule needs: no rate verdict and no kill risk yet.
export function isCollecting(row, personaMinViews) {
  return (row?.live_metrics?.views ?? 0) < minViewsFor(row, personaMinViews);
}

// The lead sentence of a fatigue warning: how much the pattern is used, then whether engagement falls.
export function fatigueSentence(warning) {
  const uses = formatCount(warning.usage_count);
  const level = warning.warning_level;
  const heavy = level === 'high' || level === 'critical';
  const usage = heavy ? `"${warning.pattern}" is overused: ${uses} posts use it recently.` : `"${warning.pattern}" is used often: ${uses} posts recently.`;
  const trend = typeof warning.trend_z === 'number' && warning.trend_z < -2
    ? ' Its engagement is falling.'
    : ' Its engagement is not clearly falling.';
  return usage + trend;
}

// Splits text into plain strings and {variantId} pieces for every known variant id it names (longest first).
export function splitVariantIds(text, ids) {
  const known = [...ids].filter(Boolean).sort((a, b) => b.length - a.length);
  if (!text || known.length === 0) return text ? [text] : [];
  const escaped = known.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![A-Za-z0-9_.-])(${escaped.join('|')})(?![A-Za-z0-9_-])`, 'g');
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push({ variantId: match[1] });
    last = match.index + match[1].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}
