// Unit tests of persona selection from the URL and the remembered list.
import { describe, expect, it } from 'vitest';
import {
  isValidPersonaId, loadRememberedPersonas, personaFromSearch, rememberPersona, saveRememberedPersonas,
  searchWithPersona, REMEMBERED_LIMIT, STORAGE_KEY,
} from './personas.js';

// A minimal in-memory Storage.
function memoryStorage(initial = {}) {
  const values = { ...initial };
  return { getItem: (key) => values[key] ?? null, setItem: (key, value) => { values[key] = value; }, values };
}

describe('persona ids', () => {
  it('accepts 1-64 characters of [A-Za-z0-9_.-]', () => {
    expect(isValidPersonaId('ai-jesus')).toBe(true);
    expect(isValidPersonaId('a.b_C-9')).toBe(true);
    expect(isValidPersonaId('x'.repeat(64))).toBe(true);
    expect(isValidPersonaId('x'.repeat(65))).toBe(false);
    expect(isValidPersonaId('')).toBe(false);
    expect(isValidPersonaId("'; DROP TABLE")).toBe(false);
    expect(isValidPersonaId(null)).toBe(false);
  });

  it('reads the persona from the query string', () => {
    expect(personaFromSearch('?persona=ai-jesus')).toBe('ai-jesus');
    expect(personaFromSearch('?x=1')).toBeNull();
    expect(personaFromSearch('?persona=bad%20id')).toBeNull();
  });

  it('writes the persona into the query string, keeping other parameters', () => {
    expect(searchWithPersona('?theme=dark&persona=a', 'b')).toBe('?theme=dark&persona=b');
    expect(searchWithPersona('', 'b')).toBe('?persona=b');
  });
});

describe('remembered personas', () => {
  it('puts the current persona first without duplicates', () => {
    expect(rememberPersona(['a', 'b', 'c'], 'b')).toEqual(['b', 'a', 'c']);
    expect(rememberPersona([], 'a')).toEqual(['a']);
  });

  it('caps the list and drops invalid ids', () => {
    const many = Array.from({ length: 30 }, (_, index) => `p${index}`);
    expect(rememberPersona(many, 'new')).toHaveLength(REMEMBERED_LIMIT);
    expect(rememberPersona(['ok', 'bad id'], 'x')).toEqual(['x', 'ok']);
  });

  it('round-trips through storage and survives corrupt data', () => {
    const storage = memoryStorage();
    saveRememberedPersonas(storage, ['a', 'b']);
    expect(loadRememberedPersonas(storage)).toEqual(['a', 'b']);
    expect(loadRememberedPersonas(memoryStorage({ [STORAGE_KEY]: '{oops' }))).toEqual([]);
    expect(loadRememberedPersonas(memoryStorage({ [STORAGE_KEY]: '{"a":1}' }))).toEqual([]);
  });

  it('ignores storage that refuses writes', () => {
    const storage = { setItem: () => { throw new Error('quota'); } };
    expect(() => saveRememberedPersonas(storage, ['a'])).not.toThrow();
  });
});
