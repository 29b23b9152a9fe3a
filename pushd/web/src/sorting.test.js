// Unit tests of table sorting: every column, both directions, missing values last, header state.
import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, sortRows, SORT_VALUES } from './sorting.js';

const ROWS = [
  { id: 'a', content: 'Banana', pattern_used: 'story', predicted_er: 0.05, status: 'active', posted_at: '2026-11-29T09:00:00Z', live_metrics: { engagement_rate: 0.06, views: 100, interactions: 6 } },
  { id: 'b', content: 'apple', pattern_used: 'list', predicted_er: 0.1, status: 'killed', posted_at: '2026-11-29T10:00:00Z', live_metrics: { engagement_rate: 0.02, views: 900, interactions: 18 }, kill_probability: 0.9 },
  { id: 'c', content: 'cherry', pattern_used: null, predicted_er: 0.04, status: 'active', posted_at: null, live_metrics: { engagement_rate: null, views: 0, interactions: 0 } },
];

// The ids of rows sorted by column and direction.
function ids(column, direction) {
  return sortRows(ROWS, column, direction).map((row) => row.id);
}

describe('sortRows', () => {
  it('sorts text case-insensitively', () => {
    expect(ids('content', 'asc')).toEqual(['b', 'a', 'c']);
    expect(ids('content', 'desc')).toEqual(['c', 'a', 'b']);
  });

  it('sorts numbers both ways', () => {
    expect(ids('views', 'asc')).toEqual(['c', 'a', 'b']);
    expect(ids('views', 'desc')).toEqual(['b', 'a', 'c']);
    expect(ids('predicted', 'desc')).toEqual(['b', 'a', 'c']);
  });

  it('keeps missing values last in either direction', () => {
    expect(ids('live', 'asc')).toEqual(['b', 'a', 'c']);
    expect(ids('live', 'desc')).toEqual(['a', 'b', 'c']);
    expect(ids('killProbability', 'asc')).toEqual(['b', 'a', 'c']);
  });

  it('sorts by performance ratio and by age (youngest first ascending)', () => {
    expect(ids('performance', 'asc')).toEqual(['b', 'a', 'c']);
    expect(ids('age', 'asc')).toEqual(['b', 'a', 'c']);
  });

  it('has a value for every column and leaves rows alone for an unknown one', () => {
    for (const column of Object.keys(SORT_VALUES)) expect(sortRows(ROWS, column, 'asc')).toHaveLength(3);
    expect(sortRows(ROWS, 'nope', 'asc')).toBe(ROWS);
  });

  it('does not mutate its input', () => {
    const before = ROWS.map((row) => row.id);
    sortRows(ROWS, 'views', 'desc');
    expect(ROWS.map((row) => row.id)).toEqual(before);
  });
});

describe('nextSort and ariaSort', () => {
  it('flips the direction of the same column', () => {
    expect(nextSort({ column: 'views', direction: 'desc' }, 'views')).toEqual({ column: 'views', direction: 'asc' });
  });

  it('starts numbers descending and text ascending', () => {
    expect(nextSort({ column: 'views', direction: 'asc' }, 'live')).toEqual({ column: 'live', direction: 'desc' });
    expect(nextSort({ column: 'views', direction: 'asc' }, 'content')).toEqual({ column: 'content', direction: 'asc' });
  });

  it('describes the header for assistive technology', () => {
    const sort = { column: 'views', direction: 'asc' };
    expect(ariaSort(sort, 'views')).toBe('ascending');
    expect(ariaSort({ ...sort, direction: 'desc' }, 'views')).toBe('descending');
    expect(ariaSort(sort, 'content')).toBe('none');
  });
});
