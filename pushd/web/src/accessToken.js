// The access token (JWT) the page was given, and what a refusal by pushd means for the user. Pure functions
// over a window-like object, no React.
//
// Where the token comes from, first match wins:
// 1. the URL fragment, `/dashboard/?persona=p#access_token=...`: preferred, because browsers never send the
//    fragment to any server, so it stays out of pushd's and proxies' request logs and out of the Referer
//    header of the page's requests;
// 2. the query, `/dashboard/?persona=p&access_token=...`: accepted because it is the simplest link to hand
//    out, but the page request then carries the token (pushd does not log query strings, proxies might);
// 3. sessionStorage: a token read from the URL is kept there (this tab only, gone when it closes), so a
//    persona switch (which rewrites the query and drops the fragment) and a reload keep it.
// The WebSocket gets it as `?access_token=` (a browser cannot set headers on a WebSocket), REST fetches as
// `Authorization: Bearer`.

export const TOKEN_STORAGE_KEY = 'variant-dashboard.access-token';
const TOKEN_PARAM = 'access_token';
const TOKEN_PATTERN = /^[A-Za-z0-9_\-.~+/=]{1,8192}$/;

// True when token looks like a bearer token (JWT characters, bounded length).
export function isValidToken(token) {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}

// The token of a location's fragment (`#access_token=`), else of its query, else null.
export function tokenFromLocation(location) {
  const fragment = new URLSearchParams(String(location?.hash ?? '').replace(/^#/, '')).get(TOKEN_PARAM);
  if (isValidToken(fragment)) return fragment;
  const query = new URLSearchParams(location?.search ?? '').get(TOKEN_PARAM);
  return isValidToken(query) ? query : null;
}

// The page's token: the URL's (remembered in sessionStorage for this tab), else the remembered one, else null.
export function loadAccessToken(win) {
  const fromUrl = tokenFromLocation(win.location);
  try {
    if (fromUrl) {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
      return fromUrl;
    }
    const stored = win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
    return isValidToken(stored) ? stored : null;
  } catch {
    return fromUrl; // storage unavailable (privacy mode): the token lasts for this page view only
  }
}

// Request headers carrying the token as a bearer credential (none without a token).
export function authHeaders(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// The message shown when pushd answered a probe of the persona with status, or null when status is no refusal.
export function refusalForStatus(status, personaId, token) {
  if (status === 403) return `Access refused: this link's token does not cover persona ${personaId}.`;
  if (status !== 401) return null;
  return token
    ? 'Sign-in expired or invalid: this link\'s access token was refused. Open the dashboard with a new link.'
    : 'Access refused: this dashboard needs an access token. Open it with a link that includes one.';
}

// pushd's close code for a token that expired on a live socket (see pushd/README.md).
export const CLOSE_TOKEN_EXPIRED = 4001;

// The message shown when the socket closed with code, or null when the close is no refusal (reconnect).
export function refusalForClose(code) {
  return code === CLOSE_TOKEN_EXPIRED ? 'Your access token expired. Open the dashboard with a new link to continue.' : null;
}
