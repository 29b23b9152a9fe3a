// Unit tests of the REST helpers: addresses, JSON fetch results and the write scope read from a token.
import { describe, expect, it } from 'vitest';
import { canWrite, fetchJson, historyUrl, tokenClaims, variantUrl } from './api.js';

// An unsigned JWT-shaped token carrying claims.
function token(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256' })}.${encode(claims)}.sig`;
}

describe('addresses', () => {
  it('builds history and variant URLs with escaped ids', () => {
    expect(historyUrl('p 1', { fromSeconds: 100.7, toSeconds: 200.2, maxPoints: 240 })).toBe('/api/history/p%201?from=100&to=201&max_points=240');
    expect(historyUrl('p', { fromSeconds: 5, variantId: 'v/1' })).toBe('/api/history/p?from=5&variant_id=v%2F1');
    expect(variantUrl('p', 'v/1')).toBe('/api/variants/p/v%2F1');
  });
});

describe('fetchJson', () => {
  it('returns status and parsed body, or status 0 when the network fails', async () => {
    const ok = async () => ({ status: 200, text: async () => '{"a":1}' });
    expect(await fetchJson('/x', null, { fetchImpl: ok })).toEqual({ status: 200, body: { a: 1 } });
    const notJson = async () => ({ status: 404, text: async () => 'nope' });
    expect(await fetchJson('/x', null, { fetchImpl: notJson })).toEqual({ status: 404, body: null });
    const down = async () => { throw new TypeError('failed'); };
    expect(await fetchJson('/x', null, { fetchImpl: down })).toEqual({ status: 0, body: null });
  });
});

describe('canWrite', () => {
  it('needs the write scope and the persona (or *)', () => {
    expect(canWrite(token({ scope: 'read write', personas: ['p'] }), 'p')).toBe(true);
    expect(canWrite(token({ scope: ['write'], personas: '*' }), 'q')).toBe(true);
    expect(canWrite(token({ scope: 'read', personas: ['p'] }), 'p')).toBe(false);
    expect(canWrite(token({ scope: 'write', personas: ['q'] }), 'p')).toBe(false);
    expect(canWrite(null, 'p')).toBe(false);
    expect(tokenClaims('garbage')).toBe(null);
  });
});
