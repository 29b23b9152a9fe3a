// The live active variants table: sortable, flashing changed cells, at-risk and killed rows marked.
import { memo, useMemo, useState } from 'react';
import { formatCount, formatDuration, formatPercent, secondsSince } from '../format.js';
import { isAtRisk, rowRatio } from '../performance.js';
import { ariaSort, nextSort, sortRows } from '../sorting.js';
import { FlashValue } from './FlashValue.jsx';
import { PerformanceDelta } from './PerformanceDelta.jsx';

const BASE_COLUMNS = [
  { key: 'content', label: 'Content' },
  { key: 'pattern', label: 'Pattern' },
  { key: 'predicted', label: 'Predicted', numeric: true },
  { key: 'live', label: 'Live rate', numeric: true },
  { key: 'performance', label: 'vs prediction', numeric: true },
  { key: 'views', label: 'Views', numeric: true },
  { key: 'interactions', label: 'Interactions', numeric: true },
  { key: 'age', label: 'Posted', numeric: true },
];
const KILL_PROBABILITY_COLUMN = { key: 'killProbability', label: 'Kill risk', numeric: true };
const STATUS_COLUMN = { key: 'status', label: 'Status' };

// The table of active (and since killed) variants, with now (ms) for the ticking time since post.
export function VariantsTable({ rows, now }) {
  const [sort, setSort] = useState({ column: 'performance', direction: 'asc' });
  const sortedRows = useMemo(() => sortRows(rows, sort.column, sort.direction), [rows, sort]);
  const showKillProbability = rows.some((row) => typeof row.kill_probability === 'number');
  const columns = [...BASE_COLUMNS, ...(showKillProbability ? [KILL_PROBABILITY_COLUMN] : []), STATUS_COLUMN];

  if (rows.length === 0) return <p className="empty">No active variants.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Active variants table">
      <table className="variants">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} aria-sort={ariaSort(sort, column.key)} className={column.numeric ? 'num' : undefined}>
                <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, column.key))}>
                  {column.label}
                  <span className="sort-button__arrow" aria-hidden="true">{sortArrow(sort, column.key)}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sortedRows.map((row) => (
            <VariantRow key={row.id} row={row} age={ageText(row, now)} showKillProbability={showKillProbability} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The arrow shown in a header: ▲ or ▼ for the sorted column, nothing otherwise.
function sortArrow(sort, column) {
  if (sort.column !== column) return '';
  return sort.direction === 'asc' ? '▲' : '▼';
}

// The time since a row's post as shown ("12m"), or the server's text when posted_at is unknown.
function ageText(row, now) {
  const age = secondsSince(row.posted_at, now);
  return age === null ? (row.time_since_post ?? '—') : formatDuration(age);
}

// One variant row with data-testid/data-status hooks and flashing live cells. Memoised: a live update
// re-renders only the row it changed, and the clock only the rows whose age text moved.
const VariantRow = memo(function VariantRow({ row, age, showKillProbability }) {
  const ratio = rowRatio(row);
  const killed = row.status === 'killed';
  const atRisk = !killed && isAtRisk(ratio);
  const live = row.live_metrics ?? {};
  const className = ['variant-row', killed && 'variant-row--killed', atRisk && 'variant-row--at-risk'].filter(Boolean).join(' ');
  return (
    <tr className={className} data-testid={`variant-row-${row.id}`} data-status={row.status}>
      <td className="content-cell" title={row.content}>{row.content}</td>
      <td>{row.pattern_used ?? '—'}</td>
      <td className="num">{formatPercent(row.predicted_er)}</td>
      <td className="num" data-testid={`live-rate-${row.id}`} data-value={live.engagement_rate ?? ''}>
        <FlashValue stamp={row.changed?.engagement_rate}>{formatPercent(live.engagement_rate)}</FlashValue>
      </td>
      <td className="num" data-testid={`performance-${row.id}`}><PerformanceDelta ratio={ratio} /></td>
      <td className="num" data-testid={`views-${row.id}`} data-value={live.views ?? ''}>
        <FlashValue stamp={row.changed?.views}>{formatCount(live.views)}</FlashValue>
      </td>
      <td className="num" data-testid={`interactions-${row.id}`} data-value={live.interactions ?? ''}>
        <FlashValue stamp={row.changed?.interactions}>{formatCount(live.interactions)}</FlashValue>
      </td>
      <td className="num" title={row.posted_at}>{age}</td>
      {showKillProbability && <td className="num">{formatPercent(row.kill_probability)}</td>}
      <td data-testid={`status-${row.id}`}>
        <FlashValue stamp={row.changed?.status}>
          <StatusBadge status={row.status} atRisk={atRisk} killReason={row.kill_reason} />
        </FlashValue>
      </td>
    </tr>
  );
});

// The status text of a row: "killed" (with its reason on hover), "at risk", or the server status.
function StatusBadge({ status, atRisk, killReason }) {
  if (status === 'killed') return <span className="badge badge--killed" title={killReason}>killed</span>;
  if (atRisk) return <span className="badge badge--at-risk">at risk</span>;
  return <span className="badge">{status ?? '—'}</span>;
}
