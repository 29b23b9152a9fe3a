// Unit tests of the socket link: reconnect with backoff, the probe after a socket refused before opening, and
// no reconnect loop once pushd refused the token (401/403 probe, close 4001) until a new token.
import { describe, expect, it } from 'vitest';
import { openDashboardSocket } from './socketLink.js';
import { initialData } from './testFixtures.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJwZXJzb25hcyI6WyJhIl19.c2lnbmF0dXJl';

// A stand-in for the browser WebSocket: records its URL and what was sent; the test plays the server.
class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.created.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }

  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  // The upgrade was refused (HTTP 401/403) or pushd is unreachable: the browser reports an error, then 1006.
  refuse() {
    this.onerror?.();
  }

  serverClose(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
FakeSocket.created = [];

// A fake browser: manual timers, a fetch answering probeAnswers in turn (a status, or 'down' to reject).
function fakeEnv(probeAnswers = []) {
  FakeSocket.created = [];
  const timers = new Map();
  let nextTimer = 1;
  const env = {
    location: { protocol: 'http:', host: 'localhost:8081' },
    WebSocket: FakeSocket,
    fetches: [],
    fetch: async (url, options) => {
      env.fetches.push({ url, options });
      const answer = probeAnswers.length > 0 ? probeAnswers.shift() : 200;
      if (answer === 'down') throw new TypeError('Failed to fetch');
      return { status: answer };
    },
    setTimeout: (callback, ms) => {
      timers.set(nextTimer, { callback, ms, interval: false });
      return nextTimer++;
    },
    clearTimeout: (id) => timers.delete(id),
    setInterval: (callback, ms) => {
      timers.set(nextTimer, { callback, ms, interval: true });
      return nextTimer++;
    },
    clearInterval: (id) => timers.delete(id),
    queueMicrotask: (callback) => queueMicrotask(callback),
    now: () => 0,
    random: () => 1,
    // The pending one-shot timers (retries and probe timeouts).
    pendingTimeouts: () => [...timers.entries()].filter(([, timer]) => !timer.interval),
    // Runs the pending reconnect timer (any one-shot timer but a probe timeout), returns whether one ran.
    runRetry() {
      const retry = env.pendingTimeouts().find(([, timer]) => timer.ms !== 5000);
      if (!retry) return false;
      timers.delete(retry[0]);
      retry[1].callback();
      return true;
    },
  };
  return env;
}

// Lets pending promise callbacks (the probe) run.
function settle() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function start(env, { token = TOKEN, personaId = 'persona-a', lastEventId = () => null } = {}) {
  const links = [];
  const messages = [];
  const link = openDashboardSocket({
    personaId,
    token,
    onMessage: (message) => messages.push(message),
    onLink: (next) => links.push(next),
    lastEventId,
    env,
  });
  return { link, links, messages, last: () => links[links.length - 1] };
}

describe('openDashboardSocket', () => {
  it('connects with the token on the URL and passes messages, swallowing auth_ok', () => {
    const env = fakeEnv();
    const { messages, last } = start(env);
    const [socket] = FakeSocket.created;
    expect(socket.url).toBe(`ws://localhost:8081/dashboard/ws/persona-a?access_token=${TOKEN}`);
    socket.open();
    expect(last()).toEqual({ open: true, everConnected: true, failedAttempts: 0, refused: null });
    socket.receive(initialData());
    socket.receive({ type: 'auth_ok', exp: 1900000000 });
    expect(messages.map((message) => message.type)).toEqual(['initial_data']);
  });

  it('reconnects with backoff and resumes after a live socket dropped, without probing', async () => {
    const env = fakeEnv();
    const { last } = start(env, { lastEventId: () => 17 });
    FakeSocket.created[0].open();
    FakeSocket.created[0].serverClose(1006);
    await settle();
    expect(env.fetches).toHaveLength(0);
    expect(last()).toMatchObject({ open: false, failedAttempts: 1, refused: null });
    expect(env.runRetry()).toBe(true);
    expect(FakeSocket.created[1].url).toBe(`ws://localhost:8081/dashboard/ws/persona-a?last_event_id=17&access_token=${TOKEN}`);
  });

  it('probes the REST metrics with the bearer token once per socket that failed before opening', async () => {
    const env = fakeEnv([200, 'down']);
    start(env);
    FakeSocket.created[0].refuse();
    await settle();
    expect(env.fetches).toHaveLength(1);
    expect(env.fetches[0].url).toBe('/api/metrics/persona-a');
    expect(env.fetches[0].options.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
    // Not a refusal (pushd busy, or down): the backoff goes on.
    expect(env.runRetry()).toBe(true);
    FakeSocket.created[1].refuse();
    await settle();
    expect(env.fetches).toHaveLength(2);
    expect(env.runRetry()).toBe(true);
    expect(FakeSocket.created).toHaveLength(3);
  });

  it('stops reconnecting when the probe answers 403, and says which persona', async () => {
    const env = fakeEnv([403]);
    const { last } = start(env, { personaId: 'persona-b' });
    FakeSocket.created[0].refuse();
    await settle();
    expect(last()).toMatchObject({ open: false, refused: "Access refused: this link's token does not cover persona persona-b." });
    expect(env.pendingTimeouts()).toHaveLength(0);
    expect(env.runRetry()).toBe(false);
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('stops reconnecting when the probe answers 401, with or without a token', async () => {
    for (const token of [TOKEN, null]) {
      const env = fakeEnv([401]);
      const { link, last } = start(env, { token });
      FakeSocket.created[0].refuse();
      await settle();
      expect(last().refused).toMatch(token ? /^Sign-in expired or invalid/ : /needs an access token/);
      expect(env.fetches[0].options.headers).toEqual(token ? { Authorization: `Bearer ${token}` } : {});
      // Coming back online does not restart a refused link either.
      link.online();
      expect(env.runRetry()).toBe(false);
      expect(FakeSocket.created).toHaveLength(1);
    }
  });

  it('stops reconnecting after close code 4001 (token expired), without a probe', async () => {
    const env = fakeEnv();
    const { last } = start(env);
    FakeSocket.created[0].open();
    FakeSocket.created[0].serverClose(4001);
    await settle();
    expect(last()).toMatchObject({ open: false, refused: expect.stringMatching(/^Your access token expired/) });
    expect(env.fetches).toHaveLength(0);
    expect(env.runRetry()).toBe(false);
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('starts over with a new token after a refusal', async () => {
    const env = fakeEnv([403]);
    const { link, last } = start(env);
    FakeSocket.created[0].refuse();
    await settle();
    expect(last().refused).not.toBeNull();
    link.setToken('new.token.value');
    expect(last()).toMatchObject({ refused: null, failedAttempts: 0 });
    expect(FakeSocket.created[1].url).toBe('ws://localhost:8081/dashboard/ws/persona-a?access_token=new.token.value');
    FakeSocket.created[1].open();
    expect(last()).toMatchObject({ open: true, refused: null });
  });

  it('refreshes a new token in band on a live socket', () => {
    const env = fakeEnv();
    const { link } = start(env);
    FakeSocket.created[0].open();
    link.setToken('new.token.value');
    expect(FakeSocket.created[0].sent).toEqual([{ type: 'auth', token: 'new.token.value' }]);
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('ignores a probe answer once stopped', async () => {
    const env = fakeEnv([403]);
    const { link, links } = start(env);
    FakeSocket.created[0].refuse();
    link.stop();
    await settle();
    expect(links.every((next) => next.refused === null)).toBe(true);
    expect(env.pendingTimeouts()).toHaveLength(0);
  });
});
