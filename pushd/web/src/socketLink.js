// The dashboard socket's life: connect, heartbeat, reconnect with backoff and resume, and stop for good when
// pushd refuses the token. No React: the browser APIs come in through env, so tests drive it with fakes.
import { authHeaders, refusalForClose, refusalForStatus } from './accessToken.js';
import { backoffDelay, metricsUrl, parseMessage, socketUrl, PING_INTERVAL_MS, PONG_TIMEOUT_MS } from './connection.js';

export const PROBE_TIMEOUT_MS = 5000;
const OPEN = 1;

// The browser's APIs, as the link uses them.
export function browserEnv(win = globalThis) {
  return {
    location: win.location,
    WebSocket: win.WebSocket,
    fetch: (...args) => win.fetch(...args),
    setTimeout: (...args) => win.setTimeout(...args),
    clearTimeout: (...args) => win.clearTimeout(...args),
    setInterval: (...args) => win.setInterval(...args),
    clearInterval: (...args) => win.clearInterval(...args),
    queueMicrotask: (callback) => win.queueMicrotask(callback),
    now: () => Date.now(),
    random: Math.random,
  };
}

// Asks GET /api/metrics/<persona> with the token and resolves to its HTTP status, or null when pushd could
// not be reached. A browser never sees the status of a refused WebSocket upgrade; this tells 401/403 apart
// from pushd being down or busy.
export async function probeStatus(env, personaId, token) {
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = env.setTimeout(() => controller?.abort(), PROBE_TIMEOUT_MS);
  try {
    const response = await env.fetch(metricsUrl(personaId), {
      headers: authHeaders(token),
      cache: 'no-store',
      credentials: 'same-origin',
      referrerPolicy: 'no-referrer',
      signal: controller?.signal,
    });
    return response.status;
  } catch {
    return null;
  } finally {
    env.clearTimeout(timer);
  }
}

// Connects to personaId's socket and keeps it connected. onMessage gets every parsed server message
// (auth_ok excepted), onLink every new {open, everConnected, failedAttempts, refused}. adopted is the
// early socket handed over by adoptEarlySocket, or null; lastEventId() gives the id to resume after.
//
// A socket that fails before it opened leads to one probe (probeStatus) before the next attempt; a 401/403
// there, or a close with 4001 (token expired), sets refused to the message for the user and ends the
// reconnecting: a refused token does not get better by retrying. A new token (setToken) or a new link (new
// persona) starts over. Returns {send, online, setToken, stop}.
export function openDashboardSocket({ personaId, token: initialToken, onMessage, onLink, lastEventId, adopted = null, env }) {
  let token = initialToken ?? null;
  let socket = null;
  let stopped = false;
  let retryTimer = null;
  let failedAttempts = 0;
  let everConnected = false;
  let refused = null;
  let attempt = 0; // bumped by every connect; a probe answer for an older attempt is ignored
  let lastHeardAt = env.now();
  let early = adopted;

  function emit(open) {
    onLink({ open, everConnected, failedAttempts, refused });
  }

  // Opens a socket that resumes after the last applied event id (or adopts the early one, first time).
  function connect() {
    retryTimer = null;
    if (stopped || refused) return;
    attempt += 1;
    const thisAttempt = attempt;
    const handed = early;
    early = null;
    const current = handed ? handed.socket : new env.WebSocket(socketUrl(env.location, personaId, lastEventId(), token));
    let opened = false;
    socket = current;
    current.onopen = () => {
      opened = true;
      failedAttempts = 0;
      everConnected = true;
      lastHeardAt = env.now();
      emit(true);
    };
    current.onmessage = (frame) => {
      lastHeardAt = env.now();
      const message = parseMessage(frame.data);
      // auth_ok confirms an in-band token refresh; nothing on screen depends on it.
      if (message && message.type !== 'auth_ok') onMessage(message);
    };
    current.onerror = () => current.close();
    current.onclose = (event) => {
      if (stopped || socket !== current) return;
      socket = null;
      const expired = refusalForClose(event?.code);
      if (expired) {
        refuse(expired);
        return;
      }
      failedAttempts += 1;
      emit(false);
      if (opened) {
        scheduleRetry();
        return;
      }
      probeStatus(env, personaId, token).then((status) => {
        if (stopped || refused || attempt !== thisAttempt || retryTimer !== null || socket !== null) return;
        const refusal = refusalForStatus(status, personaId, token);
        if (refusal) refuse(refusal);
        else scheduleRetry();
      });
    };
    if (!handed) return;
    if (handed.open) current.onopen();
    // Later: onMessage may render synchronously, which React refuses inside its own commit.
    if (handed.pending.length > 0) {
      env.queueMicrotask(() => {
        if (stopped || socket !== current) return;
        for (const message of handed.pending) onMessage(message);
      });
    }
  }

  function scheduleRetry() {
    retryTimer = env.setTimeout(connect, backoffDelay(failedAttempts - 1, env.random));
  }

  // Stops for good (until a new token) and tells the user why.
  function refuse(message) {
    refused = message;
    if (retryTimer !== null) env.clearTimeout(retryTimer);
    retryTimer = null;
    emit(false);
  }

  // Drops the current socket without counting a failure (its handlers are detached first).
  function dropSocket() {
    const current = socket;
    socket = null;
    if (!current) return;
    current.onopen = null;
    current.onmessage = null;
    current.onerror = null;
    current.onclose = null;
    if (current.readyState <= OPEN) current.close();
  }

  // Sends a heartbeat, or drops a socket that has been silent too long so it reconnects.
  function heartbeat() {
    if (!socket || socket.readyState !== OPEN) return;
    if (env.now() - lastHeardAt > PONG_TIMEOUT_MS) socket.close();
    else socket.send(JSON.stringify({ type: 'ping' }));
  }

  const pingTimer = env.setInterval(heartbeat, PING_INTERVAL_MS);
  connect();

  return {
    // Sends a client message when the socket is open; returns whether it was sent.
    send(message) {
      if (!socket || socket.readyState !== OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },

    // The browser is back online: reconnect at once instead of waiting for the backoff (not when refused).
    online() {
      if (stopped || refused || retryTimer === null) return;
      env.clearTimeout(retryTimer);
      connect();
    },

    // A new token: refreshed in band on a live socket ({"type":"auth"}), else a fresh start with it.
    setToken(nextToken) {
      if (stopped || !nextToken || nextToken === token) return;
      token = nextToken;
      if (!refused && socket && socket.readyState === OPEN) {
        socket.send(JSON.stringify({ type: 'auth', token }));
        return;
      }
      if (retryTimer !== null) env.clearTimeout(retryTimer);
      retryTimer = null;
      dropSocket();
      refused = null;
      failedAttempts = 0;
      emit(false);
      connect();
    },

    // Closes the socket and ends every timer; nothing happens after this.
    stop() {
      stopped = true;
      env.clearInterval(pingTimer);
      if (retryTimer !== null) env.clearTimeout(retryTimer);
      retryTimer = null;
      const current = socket;
      socket = null;
      current?.close();
    },
  };
}
