// Unit tests of socket addressing, reconnect backoff, connection labels and reconnection with resume.
import { describe, expect, it } from 'vitest';
import { backoffDelay, connectionLabel, metricsUrl, parseMessage, socketUrl, BACKOFF_CAP_MS, OFFLINE_AFTER_ATTEMPTS } from './connection.js';
import { applyMessage, initialState, killFeed } from './state.js';
import { earlyKill, initialData, performanceUpdate } from './testFixtures.js';

const HTTP_PAGE = { protocol: 'http:', host: 'localhost:8081' };
const HTTPS_PAGE = { protocol: 'https:', host: 'dash.example' };

describe('socketUrl', () => {
  it('uses the page host and ws for http', () => {
    expect(socketUrl(HTTP_PAGE, 'ai-jesus', null)).toBe('ws://localhost:8081/dashboard/ws/ai-jesus');
  });

  it('uses wss for https', () => {
    expect(socketUrl(HTTPS_PAGE, 'p1', null)).toBe('wss://dash.example/dashboard/ws/p1');
  });

  it('resumes after the last applied event id', () => {
    expect(socketUrl(HTTP_PAGE, 'ai-jesus', 42)).toBe('ws://localhost:8081/dashboard/ws/ai-jesus?last_event_id=42');
  });

  it('omits the resume parameter before any event', () => {
    expect(socketUrl(HTTP_PAGE, 'p', 0)).toBe('ws://localhost:8081/dashboard/ws/p');
  });

  it('omits a resume id pushd would refuse with 400 (not a positive safe integer)', () => {
    for (const id of [-1, 1.5, 1e21, Number.NaN, Infinity, '7']) {
      expect(socketUrl(HTTP_PAGE, 'p', id)).toBe('ws://localhost:8081/dashboard/ws/p');
    }
  });

  it('escapes the persona id', () => {
    expect(socketUrl(HTTP_PAGE, 'a/b', null)).toBe('ws://localhost:8081/dashboard/ws/a%2Fb');
  });

  it('passes the access token as access_token, after the resume parameter', () => {
    expect(socketUrl(HTTP_PAGE, 'p1', null, 'aaa.bbb.ccc')).toBe('ws://localhost:8081/dashboard/ws/p1?access_token=aaa.bbb.ccc');
    expect(socketUrl(HTTPS_PAGE, 'p1', 42, 'aaa.bbb.ccc')).toBe('wss://dash.example/dashboard/ws/p1?last_event_id=42&access_token=aaa.bbb.ccc');
  });

  it('escapes the token and omits it when there is none', () => {
    expect(socketUrl(HTTP_PAGE, 'p1', null, 'a+b/c=')).toBe('ws://localhost:8081/dashboard/ws/p1?access_token=a%2Bb%2Fc%3D');
    expect(socketUrl(HTTP_PAGE, 'p1', 7, null)).toBe('ws://localhost:8081/dashboard/ws/p1?last_event_id=7');
    expect(socketUrl(HTTP_PAGE, 'p1', 7, '')).toBe('ws://localhost:8081/dashboard/ws/p1?last_event_id=7');
  });
});

describe('metricsUrl', () => {
  it('is the REST metrics path of the escaped persona', () => {
    expect(metricsUrl('ai-jesus')).toBe('/api/metrics/ai-jesus');
    expect(metricsUrl('a/b')).toBe('/api/metrics/a%2Fb');
  });
});

describe('backoffDelay', () => {
  it('doubles from 500 ms with full value at random 1 and half at random 0', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(4000);
  });

  it('is capped', () => {
    expect(backoffDelay(30, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(1000, () => 0.5)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
  });

  it('jitters within [half, full] of the exponential delay', () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const full = Math.min(BACKOFF_CAP_MS, 500 * 2 ** attempt);
      const delay = backoffDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });
});

describe('connectionLabel', () => {
  const base = { open: false, everConnected: false, failedAttempts: 0, browserOnline: true };

  it('is live while open', () => {
    expect(connectionLabel({ ...base, open: true, everConnected: true })).toBe('live');
  });

  it('is connecting before the first connection', () => {
    expect(connectionLabel(base)).toBe('connecting');
  });

  it('is reconnecting after a drop', () => {
    expect(connectionLabel({ ...base, everConnected: true, failedAttempts: 1 })).toBe('reconnecting');
  });

  it('is offline once the token was refused, whatever else', () => {
    expect(connectionLabel({ ...base, refused: 'Access refused' })).toBe('offline');
    expect(connectionLabel({ ...base, open: true, refused: 'Your access token expired' })).toBe('offline');
  });

  it('is offline when the browser is offline or after many failed attempts', () => {
    expect(connectionLabel({ ...base, browserOnline: false })).toBe('offline');
    expect(connectionLabel({ ...base, everConnected: true, failedAttempts: OFFLINE_AFTER_ATTEMPTS })).toBe('offline');
  });
});

describe('parseMessage', () => {
  it('parses JSON objects only', () => {
    expect(parseMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseMessage('[1]')).toBeNull();
    expect(parseMessage('not json')).toBeNull();
    expect(parseMessage('null')).toBeNull();
  });
});

describe('reconnection with resume', () => {
  it('resumes from the last applied event and shows kills that happened while offline, once', () => {
    let state = [initialData(), performanceUpdate(11, 'v1', 0.07, 70, 1000)].reduce(applyMessage, initialState());
    // connection drops; the reconnect URL carries the last applied id
    expect(socketUrl(HTTP_PAGE, 'ai-jesus', state.lastEventId)).toBe('ws://localhost:8081/dashboard/ws/ai-jesus?last_event_id=11');
    // the server replays what was missed (possibly overlapping what we had), then the live stream
    const replay = [performanceUpdate(11, 'v1', 0.07, 70, 1000), earlyKill(12, 'v2'), performanceUpdate(13, 'v1', 0.08, 80, 1000)];
    state = replay.reduce(applyMessage, state);
    expect(killFeed(state).map((kill) => kill.variant_id)).toEqual(['v2']);
    expect(state.metrics.active_variants.find((row) => row.id === 'v2').status).toBe('killed');
    expect(state.metrics.active_variants.find((row) => row.id === 'v1').live_metrics.engagement_rate).toBe(0.08);
    expect(state.lastEventId).toBe(13);
  });

  it('takes a resync snapshot when too much was missed', () => {
    let state = [initialData()].reduce(applyMessage, initialState());
    const resync = initialData({ last_event_id: 500, real_time_feed: [{ event_type: 'early_kill', event_id: 499, variant_id: 'v2' }] }, true);
    state = [resync, earlyKill(499, 'v2')].reduce(applyMessage, state);
    expect(killFeed(state)).toHaveLength(1);
    expect(state.lastEventId).toBe(500);
    expect(socketUrl(HTTP_PAGE, 'ai-jesus', state.lastEventId)).toContain('last_event_id=500');
  });
});
