// Unit tests of the access token source (fragment, query, sessionStorage) and the refusal messages.
import { describe, expect, it } from 'vitest';
import {
  authHeaders,
  isValidToken,
  loadAccessToken,
  refusalForClose,
  refusalForStatus,
  tokenFromLocation,
  TOKEN_STORAGE_KEY,
} from './accessToken.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJwZXJzb25hcyI6WyJhIl19.c2lnbmF0dXJl';
const OTHER = 'eyJhbGciOiJIUzI1NiJ9.eyJwZXJzb25hcyI6WyJiIl19.b3RoZXI';

// A Storage stand-in; broken makes every call throw like a privacy-mode browser.
function memoryStorage(initial = {}, broken = false) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem(key) {
      if (broken) throw new Error('denied');
      return items.has(key) ? items.get(key) : null;
    },
    setItem(key, value) {
      if (broken) throw new Error('denied');
      items.set(key, String(value));
    },
  };
}

function fakeWindow(search, hash = '', storage = memoryStorage()) {
  return { location: { search, hash }, sessionStorage: storage };
}

describe('tokenFromLocation', () => {
  it('reads the fragment first, then the query', () => {
    expect(tokenFromLocation({ search: `?persona=a&access_token=${OTHER}`, hash: `#access_token=${JWT}` })).toBe(JWT);
    expect(tokenFromLocation({ search: `?persona=a&access_token=${OTHER}`, hash: '' })).toBe(OTHER);
    expect(tokenFromLocation({ search: '?persona=a', hash: `#x=1&access_token=${JWT}` })).toBe(JWT);
  });

  it('is null without a token or with one that is not a bearer token', () => {
    expect(tokenFromLocation({ search: '?persona=a', hash: '' })).toBeNull();
    expect(tokenFromLocation({ search: '?access_token=', hash: '' })).toBeNull();
    expect(tokenFromLocation({ search: '?access_token=%3Cscript%3E', hash: '#access_token=a%20b' })).toBeNull();
    expect(isValidToken('x'.repeat(9000))).toBe(false);
  });
});

describe('loadAccessToken', () => {
  it('keeps the URL token in sessionStorage for the next persona', () => {
    const storage = memoryStorage();
    expect(loadAccessToken(fakeWindow(`?persona=a&access_token=${JWT}`, '', storage))).toBe(JWT);
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe(JWT);
    // The persona switch rewrote the query without the fragment: the stored token still applies.
    expect(loadAccessToken(fakeWindow('?persona=b', '', storage))).toBe(JWT);
  });

  it('lets a new link token replace the stored one', () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: JWT });
    expect(loadAccessToken(fakeWindow('?persona=a', `#access_token=${OTHER}`, storage))).toBe(OTHER);
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe(OTHER);
  });

  it('is null without any token, and ignores a corrupt stored one', () => {
    expect(loadAccessToken(fakeWindow('?persona=a'))).toBeNull();
    expect(loadAccessToken(fakeWindow('?persona=a', '', memoryStorage({ [TOKEN_STORAGE_KEY]: 'not a token' })))).toBeNull();
  });

  it('still uses the URL token when storage is unavailable', () => {
    const broken = memoryStorage({}, true);
    expect(loadAccessToken(fakeWindow(`?access_token=${JWT}`, '', broken))).toBe(JWT);
    expect(loadAccessToken(fakeWindow('?persona=a', '', broken))).toBeNull();
  });
});

describe('authHeaders', () => {
  it('sends the token as a bearer credential, nothing without one', () => {
    expect(authHeaders(JWT)).toEqual({ Authorization: `Bearer ${JWT}` });
    expect(authHeaders(null)).toEqual({});
  });
});

describe('refusal messages', () => {
  it('names the persona a token does not cover (403)', () => {
    expect(refusalForStatus(403, 'persona-b', JWT)).toBe("Access refused: this link's token does not cover persona persona-b.");
  });

  it('tells an invalid or expired token from a missing one (401)', () => {
    expect(refusalForStatus(401, 'p', JWT)).toMatch(/^Sign-in expired or invalid/);
    expect(refusalForStatus(401, 'p', null)).toMatch(/^Access refused: this dashboard needs an access token/);
  });

  it('is no refusal for other answers or no answer', () => {
    for (const status of [200, 404, 429, 500, 503, null]) expect(refusalForStatus(status, 'p', JWT)).toBeNull();
  });

  it('explains the token-expired close code 4001 only', () => {
    expect(refusalForClose(4001)).toMatch(/^Your access token expired/);
    for (const code of [1000, 1001, 1006, 1011, 4029, undefined]) expect(refusalForClose(code)).toBeNull();
  });
});
