// The REST side of the dashboard: addresses of pushd's read endpoints and one JSON fetch with the token.
// No React; fetchJson takes the fetch function so tests can pass their own.
import { authHeaders } from './accessToken.js';

const enc = encodeURIComponent;

// GET /api/personas: the personas the token may read.
export function personasUrl() {
  return '/api/personas';
}

// GET /api/history/{persona}: the last rangeSeconds before nowSeconds, at most maxPoints per series.
export function historyUrl(personaId, { fromSeconds, toSeconds = null, maxPoints = null, variantId = null }) {
  const params = new URLSearchParams({ from: String(Math.floor(fromSeconds)) });
  if (toSeconds !== null) params.set('to', String(Math.ceil(toSeconds)));
  if (maxPoints !== null) params.set('max_points', String(maxPoints));
  if (variantId) params.set('variant_id', variantId);
  return `/api/history/${enc(personaId)}?${params.toString()}`;
}

// GET /api/variants/{persona}/{variant}: one variant's detail.
export function variantUrl(personaId, variantId) {
  return `/api/variants/${enc(personaId)}/${enc(variantId)}`;
}

// GET /api/probabilities/{persona}: every active variant's chance of being the best.
export function probabilitiesUrl(personaId) {
  return `/api/probabilities/${enc(personaId)}`;
}

// POST /api/events/early-kill: kills a variant (needs a token with write scope).
export const EARLY_KILL_URL = '/api/events/early-kill';

// Fetches url with the bearer token and resolves to {status, body} (body null when not JSON); a network
// failure resolves to {status: 0, body: null}, so callers show a state instead of catching.
export function fetchJson(url, token, { fetchImpl = globalThis.fetch, method = 'GET', body = undefined, signal } = {}) {
  const headers = { ...authHeaders(token), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  return readJson(async () => fetchImpl(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'same-origin', signal,
  }));
}

// The {status, body} of the response respond() resolves to, as fetchJson answers (also for a request the
// boot script started, see earlySocket.js).
export async function readJson(respond) {
  try {
    const response = await respond();
    const text = await response.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: null };
  }
}

// The claims of a JWT (its middle part, not verified: only to decide what the page offers), or null.
export function tokenClaims(token) {
  try {
    const part = String(token ?? '').split('.')[1];
    if (!part) return null;
    const json = atob(part.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

// True when the token's claims grant the write scope for personaId (pushd checks again on the POST).
export function canWrite(token, personaId) {
  const claims = tokenClaims(token);
  if (!claims) return false;
  const scopes = Array.isArray(claims.scope) ? claims.scope : String(claims.scope ?? '').split(' ');
  if (!scopes.includes('write')) return false;
  const personas = claims.personas;
  if (personas === '*') return true;
  return Array.isArray(personas) && (personas.includes('*') || personas.includes(personaId));
}
