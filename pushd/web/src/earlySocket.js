// The dashboard socket opened before React: an inline boot script in index.html (startEarlySocket, built in by
// vite.config.js) connects while the JS bundle still downloads and evaluates, and buffers what the server sends;
// the Dashboard then renders its first screen from the buffer and adopts the socket. The boot script also requests
// the chart's first history, which the Dashboard takes instead of asking itself.
// No React here.
import { applyMessages } from './state.js';
import { parseMessage } from './connection.js';

export const EARLY_SOCKET_KEY = '__variantDashboardEarlySocket';

// The boot script: picks the persona as App does (a valid ?persona=; without one the page is the overview) and the access
// token as App does (loadAccessToken), opens the socket at the address socketUrl gives and records
// {personaId, token, socket, messages (raw frames), consumed, open, closed, history} in win[EARLY_SOCKET_KEY].
// With history it also starts, at once, GET /api/history over the last history.seconds (the default range) at
// most history.maxPoints per series, as api.js's historyUrl and fetchJson ask, and records {seconds, answer (a
// promise of {status, body} as fetchJson answers), arrived (that answer once it is in, else null)}: so the first
// render can already hold it. Nothing falls between the history and the live points: the socket's initial_data,
// which comes after, adds a point to every series.
// Self-contained (no imports, no outer names): vite.config.js inlines its source into index.html.
export function startEarlySocket(win, history = null) {
  try {
    var valid = function (id) {
      return typeof id === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(id);
    };
    var personaId = new URLSearchParams(win.location.search).get('persona');
    if (!valid(personaId)) return null;
    // The access token as accessToken.js's loadAccessToken finds it: fragment, query, then sessionStorage.
    var validToken = function (token) {
      return typeof token === 'string' && /^[A-Za-z0-9_\-.~+/=]{1,8192}$/.test(token);
    };
    var token = new URLSearchParams(String(win.location.hash || '').replace(/^#/, '')).get('access_token');
    if (!validToken(token)) token = new URLSearchParams(win.location.search).get('access_token');
    if (!validToken(token)) {
      try {
        token = win.sessionStorage.getItem('variant-dashboard.access-token');
      } catch (ignored) {
        token = null;
      }
    }
    if (!validToken(token)) token = null;
    var scheme = win.location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = scheme + '//' + win.location.host + '/dashboard/ws/' + encodeURIComponent(personaId);
    if (token) url += '?access_token=' + encodeURIComponent(token);
    var socket = new win.WebSocket(url);
    var early = { personaId: personaId, token: token, socket: socket, messages: [], consumed: 0, open: false, closed: false, history: null };
    var requestHistory = function () {
      var to = Date.now() / 1000;
      var query = 'from=' + Math.floor(to - history.seconds) + '&to=' + Math.ceil(to) + '&max_points=' + history.maxPoints;
      var headers = token ? { Authorization: 'Bearer ' + token } : {};
      var request = { seconds: history.seconds, answer: null, arrived: null };
      // read as api.js's readJson reads an answer; a failure is the Dashboard's to show, never a rejection
      request.answer = win.fetch('/api/history/' + encodeURIComponent(personaId) + '?' + query,
        { headers: headers, cache: 'no-store', credentials: 'same-origin' })
        .then(function (response) {
          return response.text().then(function (text) {
            var body = null;
            try {
              body = JSON.parse(text);
            } catch (ignored) {
              body = null;
            }
            return { status: response.status, body: body };
          });
        })
        .catch(function () {
          return { status: 0, body: null };
        })
        .then(function (answer) {
          request.arrived = answer;
          return answer;
        });
      early.history = request;
    };
    if (history) requestHistory();
    socket.onopen = function () {
      early.open = true;
    };
    socket.onmessage = function (frame) {
      early.messages.push(frame.data);
    };
    socket.onerror = function () {
      socket.close();
    };
    socket.onclose = function () {
      early.closed = true;
    };
    win.__variantDashboardEarlySocket = early;
    return early;
  } catch (ignored) {
    return null;
  }
}

// The early socket record of personaId when the boot script opened one and no one adopted it yet, else null.
export function earlySocketFor(personaId, win = globalThis) {
  const early = win?.[EARLY_SOCKET_KEY];
  return early && early.personaId === personaId ? early : null;
}

// The first state of personaId's dashboard: the buffered messages applied to base (marked as consumed so the
// adopting hook does not apply them again). Pure in the messages: calling it twice gives the same state.
export function earlyState(personaId, base, win = globalThis) {
  const early = earlySocketFor(personaId, win);
  if (!early || early.messages.length === 0) return base;
  early.consumed = early.messages.length;
  return applyMessages(base, early.messages.map(parseMessage).filter(Boolean));
}

// The boot script's history request for personaId over rangeSeconds with token, when it started one that fits:
// {answer (a promise of {status, body}, as fetchJson gives; the same one every call), arrived (that answer
// once it is in, else null)}; else null.
export function earlyHistory(personaId, token, rangeSeconds, win = globalThis) {
  const early = earlySocketFor(personaId, win);
  const history = early?.history;
  if (!history || history.seconds !== rangeSeconds || (early.token ?? null) !== (token ?? null)) return null;
  return { answer: history.answer, arrived: history.arrived };
}

// Hands the early socket over once: {socket, open, pending (parsed messages not yet in the state)}, or null
// when there is none for personaId or it already closed. Any other persona's early socket is closed, and so is
// one opened with another token than token (when given).
export function adoptEarlySocket(personaId, win = globalThis, token = undefined) {
  const early = win?.[EARLY_SOCKET_KEY];
  if (!early) return null;
  delete win[EARLY_SOCKET_KEY];
  const { socket } = early;
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = null;
  socket.onclose = null;
  const otherToken = token !== undefined && (early.token ?? null) !== (token ?? null);
  if (early.personaId !== personaId || otherToken || early.closed || socket.readyState > 1) {
    if (socket.readyState <= 1) socket.close();
    return null;
  }
  const pending = early.messages.slice(early.consumed).map(parseMessage).filter(Boolean);
  return { socket, open: early.open || socket.readyState === 1, pending };
}
