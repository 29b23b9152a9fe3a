// WebSocket addressing, reconnect backoff and the visible connection state. Pure functions, no React.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 15000;
export const OFFLINE_AFTER_ATTEMPTS = 8;
export const PING_INTERVAL_MS = 20000;
export const PONG_TIMEOUT_MS = 45000;

// The dashboard socket URL on the page's own host:
// ws(s)://host/dashboard/ws/<persona>[?last_event_id=N][&access_token=T] (earlySocket.js builds the same one;
// the token goes in the query because a browser cannot set an Authorization header on a WebSocket).
// Only a positive safe integer is sent as last_event_id: pushd refuses anything else with HTTP 400, which a
// browser cannot see (it would retry the same address for ever); without one, pushd sends a fresh snapshot.
export function socketUrl(location, personaId, lastEventId, token = null) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${location.host}/dashboard/ws/${encodeURIComponent(personaId)}`;
  const params = [];
  if (Number.isSafeInteger(lastEventId) && lastEventId > 0) params.push(`last_event_id=${lastEventId}`);
  if (token) params.push(`access_token=${encodeURIComponent(token)}`);
  return params.length > 0 ? `${base}?${params.join('&')}` : base;
}

// The REST address of the persona's dashboard metrics, asked once to learn why a socket was refused.
export function metricsUrl(personaId) {
  return `/api/metrics/${encodeURIComponent(personaId)}`;
}

// Delay before reconnect attempt n (0-based): exponential from 500 ms, capped at 15 s, jittered to 50-100 %.
export function backoffDelay(attempt, random = Math.random) {
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

// The connection text shown to the user: "live", "connecting", "reconnecting" or "offline" (also when
// pushd refused the token: no reconnection is tried then).
export function connectionLabel({ open, everConnected, failedAttempts, browserOnline, refused = null }) {
  if (refused) return 'offline';
  if (open) return 'live';
  if (!browserOnline || failedAttempts >= OFFLINE_AFTER_ATTEMPTS) return 'offline';
  return everConnected || failedAttempts > 0 ? 'reconnecting' : 'connecting';
}

// Parses a socket frame as a JSON message, or null when it is not a JSON object.
export function parseMessage(text) {
  try {
    const message = JSON.parse(text);
    return message && typeof message === 'object' && !Array.isArray(message) ? message : null;
  } catch {
    return null;
  }
}
