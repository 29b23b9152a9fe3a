// Sorting of the active variants table by any column. Pure functions, no React.
import { rowRatio } from './performance.js';

// The sortable value of each column of a row (numbers or lower-case strings; null sorts last).
export const SORT_VALUES = {
  content: (row) => (row.content ?? '').toLowerCase(),
  pattern: (row) => (row.pattern_used ?? '').toLowerCase(),
  predicted: (row) => row.predicted_er ?? null,
  live: (row) => row.live_metrics?.engagement_rate ?? null,
  performance: (row) => rowRatio(row),
  views: (row) => row.live_metrics?.views ?? null,
  interactions: (row) => row.live_metrics?.interactions ?? null,
  age: (row) => {
    const posted = Date.parse(row.posted_at ?? '');
    return Number.isNaN(posted) ? null : -posted;
  },
  killProbability: (row) => row.kill_probability ?? null,
  chanceBest: (row) => row.chance_best ?? null,
  status: (row) => row.status ?? '',
};

// Compares two sortable values ascending; null and undefined compare as greater than everything.
function compareValues(a, b) {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return Number(aMissing) - Number(bMissing);
  if (typeof a === 'string' || typeof b === 'string') return String(a).localeCompare(String(b));
  return a - b;
}

// A sorted copy of rows by column ("asc" or "desc"); missing values stay last, ties keep id order.
// Each row's sort value is computed once (not once per comparison).
export function sortRows(rows, column, direction) {
  const valueOf = SORT_VALUES[column];
  if (!valueOf) return rows;
  const sign = direction === 'desc' ? -1 : 1;
  const keyed = rows.map((row) => ({ row, value: valueOf(row), id: String(row.id) }));
  keyed.sort((left, right) => {
    const a = left.value;
    const b = right.value;
    const missing = (a === null || a === undefined) || (b === null || b === undefined);
    const order = missing ? compareValues(a, b) : sign * compareValues(a, b);
    return order || left.id.localeCompare(right.id);
  });
  return keyed.map((entry) => entry.row);
}

// The next sort after a click on column: same column flips direction, a new one starts descending for numbers.
export function nextSort(current, column) {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  const textual = column === 'content' || column === 'pattern' || column === 'status';
  return { column, direction: textual ? 'asc' : 'desc' };
}

// The aria-sort value of a column header given the current sort.
export function ariaSort(current, column) {
  if (current.column !== column) return 'none';
  return current.direction === 'asc' ? 'ascending' : 'descending';
}
