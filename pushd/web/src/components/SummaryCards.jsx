// The summary cards: variant counts, pooled engagement rate, kills today and average time to kill.
import { memo } from 'react';
import { formatCount, formatMinutes, formatPercent } from '../format.js';

// One card per headline number, each with a stable data-testid="summary-<key>".
export const SummaryCards = memo(function SummaryCards({ summary, killsToday }) {
  const cards = [
    { key: 'total', label: 'Total variants', value: formatCount(summary.total_variants) },
    { key: 'active', label: 'Active', value: formatCount(summary.active_variants) },
    { key: 'killed', label: 'Killed', value: formatCount(summary.killed_variants) },
    { key: 'rate', label: 'Pooled engagement', value: formatPercent(summary.avg_engagement_rate) },
    { key: 'kills-today', label: 'Kills today', value: formatCount(killsToday.kills_today) },
    { key: 'time-to-kill', label: 'Avg time to kill', value: formatMinutes(killsToday.avg_time_to_kill_minutes) },
  ];
  return (
    <section className="cards" aria-label="Summary">
      {cards.map((card) => (
        <div className="card" key={card.key} data-testid={`summary-${card.key}`}>
          <div className="card__label">{card.label}</div>
          <div className="card__value">{card.value}</div>
        </div>
      ))}
    </section>
  );
});
