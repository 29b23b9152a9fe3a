// The live variants table: Active / Killed / Completed / All with a search box, sortable, flashing changed
// cells; live re-sorting pauses while the pointer or focus is inside; a row opens the variant (click or Enter).
// At phone width (styles.css) each row is a card.
import { memo, useMemo, useRef, useState } from 'react';
import { formatCount, formatDuration, formatPercent, secondsSince } from '../format.js';
import { isAtRisk, rowRatio } from '../performance.js';
import { isCollecting } from '../plainWords.js';
import { ariaSort, nextSort, sortRows } from '../sorting.js';
import { FlashValue } from './FlashValue.jsx';
import { openOnEnter } from './OpenableItem.jsx';
import { PerformanceDelta } from './PerformanceDelta.jsx';

// A variant that ended stays this long in the Active view, fading, before it leaves it.
export const FADE_MS = 5000;
export const FILTERS = [
  { key: 'active', label: 'Active' },
  { key: 'killed', label: 'Killed' },
  { key: 'completed', label: 'Completed' },
  { key: 'all', label: 'All' },
];
const COLUMNS = [
  { key: 'content', label: 'Content' },
  { key: 'pattern', label: 'Pattern', className: 'col-pattern' },
  { key: 'predicted', label: 'Predicted', numeric: true, className: 'col-predicted' },
  { key: 'live', label: 'Live rate', numeric: true },
  { key: 'performance', label: 'vs prediction', numeric: true },
  { key: 'views', label: 'Views', numeric: true },
  { key: 'interactions', label: 'Interactions', numeric: true, className: 'col-optional' },
  { key: 'age', label: 'Posted', numeric: true, className: 'col-age' },
  { key: 'killProbability', label: 'Kill risk', numeric: true },
  { key: 'chanceBest', label: 'Chance best', numeric: true, className: 'col-chance' },
  { key: 'status', label: 'Status' },
];

// True when row belongs in the view of filter at time now (an ended row fades out of Active for FADE_MS).
export function inFilter(row, filter, now) {
  if (filter === 'all') return true;
  if (filter === 'active') return row.status === 'active' || (typeof row.endedAt === 'number' && now - row.endedAt < FADE_MS);
  return row.status === filter;
}

// True when the row's content, pattern or id contains the search text (case-insensitive).
export function matchesSearch(row, search) {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [row.content, row.pattern_used, row.id].some((value) => String(value ?? '').toLowerCase().includes(needle));
}

// The rows in the order of the last unpaused sort when paused (new rows last), else sorted.
function useStableOrder(sorted, paused) {
  const order = useRef([]);
  if (!paused) {
    order.current = sorted.map((row) => row.id);
    return sorted;
  }
  const byId = new Map(sorted.map((row) => [row.id, row]));
  const kept = order.current.filter((id) => byId.has(id));
  const known = new Set(kept);
  const result = [...kept.map((id) => byId.get(id)), ...sorted.filter((row) => !known.has(row.id))];
  order.current = result.map((row) => row.id);
  return result;
}

// The table of the persona's variants; now (ms) ticks the ages and the fading; chanceBest maps id to
// probability_best; killMinViews is the persona's kill rule minimum; onOpen(variantId) opens the detail.
export function VariantsTable({ rows, now, chanceBest, killMinViews, onOpen }) {
  const [sort, setSort] = useState({ column: 'performance', direction: 'asc' });
  const [filter, setFilter] = useState('active');
  const [search, setSearch] = useState('');
  const [pointerInside, setPointerInside] = useState(false);
  const [focusInside, setFocusInside] = useState(false);
  const paused = pointerInside || focusInside;
  const withChance = useMemo(() => rows.map((row) => (chanceBest?.has(row.id) ? { ...row, chance_best: chanceBest.get(row.id) } : row)), [rows, chanceBest]);
  const visible = useMemo(() => withChance.filter((row) => inFilter(row, filter, now) && matchesSearch(row, search)), [withChance, filter, now, search]);
  const sorted = useMemo(() => sortRows(visible, sort.column, sort.direction), [visible, sort]);
  const ordered = useStableOrder(sorted, paused);
  const counts = useMemo(() => Object.fromEntries(FILTERS.map((entry) => [entry.key, rows.filter((row) => inFilter(row, entry.key, now)).length])), [rows, now]);

  return (
    <div className="variants-box">
      <div className="table-tools">
        <div className="filters" role="group" aria-label="Show variants">
          {FILTERS.map((entry) => (
            <button key={entry.key} type="button" className={`chip ${filter === entry.key ? 'chip--on' : ''}`} aria-pressed={filter === entry.key}
              onClick={() => setFilter(entry.key)} data-testid={`filter-${entry.key}`}>
              {entry.label} <span className="chip__count">{counts[entry.key]}</span>
            </button>
          ))}
        </div>
        <label className="search">
          <span className="visually-hidden">Search variants by content, pattern or id</span>
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Search content, pattern, id" data-testid="variant-search" />
        </label>
        {paused && <span className="paused" role="status" data-testid="sort-paused">Order paused while you are in the table</span>}
      </div>
      {ordered.length === 0 ? (
        <p className="empty" data-testid="variants-empty">{emptyText(rows, filter, search)}</p>
      ) : (
        <div
          className="table-scroll"
          onPointerEnter={() => setPointerInside(true)}
          onPointerLeave={() => setPointerInside(false)}
          onFocus={() => setFocusInside(true)}
          onBlur={(event) => { if (!event.currentTarget.contains(event.relatedTarget)) setFocusInside(false); }}
        >
          <table className="variants" data-testid="variants-table">
            <caption className="visually-hidden">Variants, {FILTERS.find((entry) => entry.key === filter).label.toLowerCase()}; Enter opens a variant</caption>
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th key={column.key} scope="col" aria-sort={ariaSort(sort, column.key)} className={[column.numeric && 'num', column.className].filter(Boolean).join(' ')}>
                    <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, column.key))}>
                      {column.label}
                      <span className="sort-button__arrow" aria-hidden="true">{sortArrow(sort, column.key)}</span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ordered.map((row) => (
                <VariantRow key={row.id} row={row} age={ageText(row, now)} fading={row.status !== 'active' && filter === 'active'}
                  collecting={isCollecting(row, killMinViews)} onOpen={onOpen} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

// What an empty table says: nothing yet, nothing matching the search, or nothing of the filter's kind
// (completed variants are known from the moment the page opened; kills also from before, see tableRows).
function emptyText(rows, filter, search) {
  if (rows.length === 0) return 'No variants yet.';
  if (search.trim()) return 'No variants match.';
  if (filter === 'active') return 'No active variants.';
  if (filter === 'killed') return 'No kills yet.';
  return 'No variant has completed since this page opened.';
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

// One variant row (a card at phone width) with data-testid/data-status hooks and flashing live cells.
// Memoised: a live update re-renders only the row it changed.
const VariantRow = memo(function VariantRow({ row, age, fading, collecting, onOpen }) {
  const ratio = rowRatio(row);
  const killed = row.status === 'killed';
  const atRisk = !killed && !collecting && isAtRisk(ratio);
  const live = row.live_metrics ?? {};
  const className = ['variant-row', killed && 'variant-row--killed', atRisk && 'variant-row--at-risk', fading && 'variant-row--fading'].filter(Boolean).join(' ');
  const open = () => onOpen?.(row.id);
  return (
    <tr className={className} data-testid={`variant-row-${row.id}`} data-status={row.status} tabIndex={0}
      onClick={open} onKeyDown={(event) => openOnEnter(event, open)} aria-label={`${row.content} (${row.id})`}>
      <td className="content-cell" title={row.content}>
        <span className="content-cell__text">{row.content}</span>
        <span className="content-cell__id">{row.id}</span>
      </td>
      <td className="col-pattern" data-label="Pattern">{row.pattern_used ?? '—'}</td>
      <td className="num col-predicted" data-label="Predicted">{formatPercent(row.predicted_er)}</td>
      <td className="num" data-label="Live rate" data-testid={`live-rate-${row.id}`} data-value={live.engagement_rate ?? ''}>
        <FlashValue stamp={row.changed?.engagement_rate}>{formatPercent(live.engagement_rate)}</FlashValue>
      </td>
      <td className="num" data-label="vs prediction" data-testid={`performance-${row.id}`}>
        {collecting ? <span className="collecting">collecting data ({formatCount(live.views ?? 0)} views)</span> : <PerformanceDelta ratio={ratio} />}
      </td>
      <td className="num" data-label="Views" data-testid={`views-${row.id}`} data-value={live.views ?? ''}>
        <FlashValue stamp={row.changed?.views}>{formatCount(live.views)}</FlashValue>
      </td>
      <td className="num col-optional" data-label="Interactions" data-testid={`interactions-${row.id}`} data-value={live.interactions ?? ''}>
        <FlashValue stamp={row.changed?.interactions}>{formatCount(live.interactions)}</FlashValue>
      </td>
      <td className="num col-age" data-label="Posted" title={row.posted_at}>{age}</td>
      <td className="num" data-label="Kill risk" data-testid={`kill-risk-${row.id}`}>{collecting || row.status !== 'active' ? '—' : formatPercent(row.kill_probability)}</td>
      <td className="num col-chance" data-label="Chance best" data-testid={`chance-best-${row.id}`}>{row.status === 'active' ? formatPercent(row.chance_best) : '—'}</td>
      <td data-label="Status" data-testid={`status-${row.id}`}>
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
