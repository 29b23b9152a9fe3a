// Unit tests of the early socket: the boot script's persona and URL, buffering, first state and adoption.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adoptEarlySocket, earlyHistory, earlySocketFor, earlyState, startEarlySocket, EARLY_SOCKET_KEY } from './earlySocket.js';
import { authHeaders } from './accessToken.js';
import { DEFAULT_RANGE, HISTORY_MAX_POINTS, rangeByKey } from './chartData.js';
import { historyUrl } from './api.js';
import { socketUrl } from './connection.js';
import { loadAccessToken, TOKEN_STORAGE_KEY } from './accessToken.js';
import { STORAGE_KEY } from './personas.js';
import { applyMessages, initialState } from './state.js';
import { initialData, performanceUpdate } from './testFixtures.js';

// A stand-in for the browser WebSocket recording its URL and whether it was closed.
class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.closed = false;
  }

  close() {
    this.closed = true;
    this.readyState = 3;
  }

  // Test helpers: the server side of the socket.
  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

// A window-like object at search (and https when secure) with the given remembered personas, URL fragment
// and session-stored access token.
function fakeWindow(search, remembered = null, secure = false, hash = '', sessionToken = null) {
  const stored = remembered === null ? null : JSON.stringify(remembered);
  return {
    location: { protocol: secure ? 'https:' : 'http:', host: 'localhost:8081', search, hash },
    localStorage: { getItem: (key) => (key === STORAGE_KEY ? stored : null) },
    sessionStorage: { getItem: (key) => (key === TOKEN_STORAGE_KEY ? sessionToken : null), setItem: () => {} },
    WebSocket: FakeSocket,
  };
}

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJwZXJzb25hcyI6WyJhIl19.c2lnbmF0dXJl';

describe('startEarlySocket', () => {
  it('opens the socket of the URL persona at the address socketUrl gives', () => {
    const win = fakeWindow('?persona=ai-jesus&x=1');
    const early = startEarlySocket(win);
    expect(early.personaId).toBe('ai-jesus');
    expect(early.socket.url).toBe(socketUrl(win.location, 'ai-jesus', null));
    expect(win[EARLY_SOCKET_KEY]).toBe(early);
  });

  it('uses wss on https and escapes like socketUrl', () => {
    const win = fakeWindow('?persona=a.b_c-1', null, true);
    expect(startEarlySocket(win).socket.url).toBe(socketUrl(win.location, 'a.b_c-1', null));
  });

  it('passes the access token of the query, fragment or session as socketUrl does', () => {
    const cases = [
      fakeWindow(`?persona=p1&access_token=${JWT}`),
      fakeWindow('?persona=p1&access_token=other', null, true, `#access_token=${JWT}`),
      fakeWindow('?persona=p1', null, false, '', JWT),
      fakeWindow('?persona=p1&access_token=%3Cbad%3E', null, false, '#access_token=a%20b', 'not valid'),
    ];
    for (const win of cases) {
      const token = loadAccessToken(win);
      const early = startEarlySocket(win);
      expect(early.token).toBe(token);
      expect(early.socket.url).toBe(socketUrl(win.location, 'p1', null, token));
    }
    expect(cases[0].WebSocket).toBe(FakeSocket);
    expect(startEarlySocket(cases[2]).socket.url).toBe(`ws://localhost:8081/dashboard/ws/p1?access_token=${JWT}`);
  });

  it('connects without a token when sessionStorage throws', () => {
    const win = fakeWindow('?persona=p1');
    win.sessionStorage.getItem = () => {
      throw new Error('denied');
    };
    expect(startEarlySocket(win).socket.url).toBe(socketUrl(win.location, 'p1', null, null));
  });

  it('opens nothing without ?persona= even with remembered personas: the page is the overview then, as in App', () => {
    expect(startEarlySocket(fakeWindow('', ['bad id', 'p2', 'p3']))).toBeNull();
    expect(startEarlySocket(fakeWindow('?persona=%3Cx%3E', ['p2']))).toBeNull();
  });

  it('opens nothing without a persona or with corrupt storage', () => {
    expect(startEarlySocket(fakeWindow(''))).toBeNull();
    const corrupt = fakeWindow('');
    corrupt.localStorage.getItem = () => '{not json';
    expect(startEarlySocket(corrupt)).toBeNull();
    expect(corrupt[EARLY_SOCKET_KEY]).toBeUndefined();
  });

  it('is self-contained, so its source can be inlined into index.html', () => {
    const inlined = new Function('window', `return (${startEarlySocket.toString()})(window);`);
    expect(inlined(fakeWindow('?persona=p1')).personaId).toBe('p1');
  });

  it('buffers frames and records open and close', () => {
    const early = startEarlySocket(fakeWindow('?persona=p1'));
    early.socket.open();
    early.socket.receive(initialData());
    expect(early.open).toBe(true);
    expect(early.messages).toHaveLength(1);
    early.socket.onclose();
    expect(early.closed).toBe(true);
  });
});

describe('earlyState', () => {
  it('applies the buffered messages of the persona and marks them consumed', () => {
    const win = fakeWindow('?persona=ai-jesus');
    const early = startEarlySocket(win);
    early.socket.receive(initialData());
    early.socket.receive(performanceUpdate(11, 'v1', 0.07, 70, 1000));
    const state = earlyState('ai-jesus', initialState(), win);
    expect(state).toEqual(applyMessages(initialState(), [initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000)]));
    expect(state.lastEventId).toBe(11);
    expect(early.consumed).toBe(2);
    expect(earlyState('ai-jesus', initialState(), win).lastEventId).toBe(11);
  });

  it('is the base state for another persona or an empty buffer', () => {
    const win = fakeWindow('?persona=p1');
    const base = initialState();
    expect(earlyState('p1', base, win)).toBe(base);
    startEarlySocket(win).socket.receive(initialData());
    expect(earlyState('p2', base, win)).toBe(base);
    expect(earlySocketFor('p2', win)).toBeNull();
  });
});

describe('adoptEarlySocket', () => {
  it('hands over the open socket once, with the messages not yet in the state', () => {
    const win = fakeWindow('?persona=p1');
    const early = startEarlySocket(win);
    early.socket.open();
    early.socket.receive(initialData());
    earlyState('p1', initialState(), win);
    early.socket.receive(performanceUpdate(11, 'v1', 0.07, 70, 1000));
    const adopted = adoptEarlySocket('p1', win);
    expect(adopted.socket).toBe(early.socket);
    expect(adopted.open).toBe(true);
    expect(adopted.pending).toEqual([performanceUpdate(11, 'v1', 0.07, 70, 1000)]);
    expect(early.socket.onmessage).toBeNull();
    expect(adoptEarlySocket('p1', win)).toBeNull();
  });

  it('closes a socket opened with another token than the page now has', () => {
    const win = fakeWindow(`?persona=p1&access_token=${JWT}`);
    const early = startEarlySocket(win);
    early.socket.open();
    expect(adoptEarlySocket('p1', win, 'another.token.here')).toBeNull();
    expect(early.socket.closed).toBe(true);
    const same = fakeWindow(`?persona=p1&access_token=${JWT}`);
    startEarlySocket(same).socket.open();
    expect(adoptEarlySocket('p1', same, JWT).open).toBe(true);
  });

  it('closes the socket of another persona', () => {
    const win = fakeWindow('?persona=p1');
    const early = startEarlySocket(win);
    expect(adoptEarlySocket('p2', win)).toBeNull();
    expect(early.socket.closed).toBe(true);
    expect(win[EARLY_SOCKET_KEY]).toBeUndefined();
  });

  it('gives nothing when the early socket already closed (the hook connects and resumes itself)', () => {
    const win = fakeWindow('?persona=p1');
    const early = startEarlySocket(win);
    early.socket.close();
    early.socket.onclose();
    expect(adoptEarlySocket('p1', win)).toBeNull();
  });
});

describe('earlyHistory', () => {
  const HISTORY = { seconds: rangeByKey(DEFAULT_RANGE).seconds, maxPoints: HISTORY_MAX_POINTS };
  const NOW_MS = 1767225600500;
  const ANSWER = { persona_id: 'p1', from: 1767222000, to: 1767225601, pooled: [[1767225000, 2.5, 100, 3]], variants: [] };

  // fakeWindow with a fetch that records its requests and answers ANSWER (or fails when down).
  function windowWithFetch(search, { down = false } = {}) {
    const win = fakeWindow(search);
    win.requests = [];
    win.fetch = (url, options) => {
      win.requests.push({ url, options });
      if (down) return Promise.reject(new TypeError('network down'));
      return Promise.resolve({ status: 200, text: () => Promise.resolve(JSON.stringify(ANSWER)) });
    };
    return win;
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks at once, without waiting for the socket, for the default range as Dashboard does (historyUrl, bearer token)', () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW_MS);
    const win = windowWithFetch(`?persona=p1&access_token=${JWT}`);
    startEarlySocket(win, HISTORY);
    const to = NOW_MS / 1000;
    expect(win.requests).toHaveLength(1);
    expect(win.requests[0].url).toBe(historyUrl('p1', { fromSeconds: to - HISTORY.seconds, toSeconds: to, maxPoints: HISTORY_MAX_POINTS }));
    expect(win.requests[0].options).toMatchObject({ headers: authHeaders(JWT), cache: 'no-store', credentials: 'same-origin' });
  });

  it('hands the answer to the persona\'s first history load, the same promise every call, and once in as arrived', async () => {
    const win = windowWithFetch('?persona=p1');
    startEarlySocket(win, HISTORY).socket.open();
    const first = earlyHistory('p1', null, HISTORY.seconds, win);
    expect(first.arrived).toBeNull();
    expect(await first.answer).toEqual({ status: 200, body: ANSWER });
    const later = earlyHistory('p1', null, HISTORY.seconds, win);
    expect(later.answer).toBe(first.answer);
    expect(later.arrived).toEqual({ status: 200, body: ANSWER });
    expect(win.requests).toHaveLength(1);
  });

  it('answers a body that is not JSON as fetchJson does: the status with a null body', async () => {
    const win = windowWithFetch('?persona=p1');
    win.fetch = () => Promise.resolve({ status: 502, text: () => Promise.resolve('<html>bad gateway</html>') });
    startEarlySocket(win, HISTORY).socket.open();
    expect(await earlyHistory('p1', null, HISTORY.seconds, win).answer).toEqual({ status: 502, body: null });
  });

  it('hands nothing for another persona, token or range, or without the request', () => {
    const win = windowWithFetch('?persona=p1');
    startEarlySocket(win, HISTORY);
    expect(earlyHistory('p2', null, HISTORY.seconds, win)).toBeNull();
    expect(earlyHistory('p1', JWT, HISTORY.seconds, win)).toBeNull();
    expect(earlyHistory('p1', null, 900, win)).toBeNull();
    const without = windowWithFetch('?persona=p1');
    startEarlySocket(without).socket.open();
    expect(without.requests).toEqual([]);
    expect(earlyHistory('p1', null, HISTORY.seconds, without)).toBeNull();
  });

  it('answers a failed request as fetchJson does: status 0, for the Dashboard to show', async () => {
    const win = windowWithFetch('?persona=p1', { down: true });
    startEarlySocket(win, HISTORY).socket.open();
    const { answer } = earlyHistory('p1', null, HISTORY.seconds, win);
    expect(await answer).toEqual({ status: 0, body: null });
    expect(earlyHistory('p1', null, HISTORY.seconds, win).arrived).toEqual({ status: 0, body: null });
  });
});
