// Tests of issue 11's pushd parts against the real binary and PostgreSQL: the REST endpoints /api/personas,
// /api/probabilities, /api/variants/{persona}/{variant} and /api/history (each scoped by JWT), and the live
// panels (panels_update) with resume and resync.
'use strict';
const crypto = require('crypto');
const { psql, register, startPushd, stopPushd, get, Client, run, check, same, waitFor, sleep } =
  require('./lib.js');

const RUN = Date.now().toString(36);
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `pv-${RUN}-${++seq}`;
const SECRET = 'panels-secret-' + RUN;
const SECTIONS = ['summary', 'performance_leaders', 'early_kills_today', 'recent_kills', 'pattern_fatigue_warnings',
  'optimization_opportunities', 'active_variant_ids'];
const INTERVAL_MS = 300;

// An HS256 token with the given claims, valid for 5 minutes.
function token(claims) {
  const part = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 300, ...claims })}`;
  return `${head}.${crypto.createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}
const bearer = (claims) => ({ headers: { authorization: `Bearer ${token(claims)}` } });

// Reports counts for a variant through the REST ingestion endpoint (with a write token, which a pushd without
// access control ignores); returns the event id.
async function report(p, pa, v, views, interactions) {
  const res = await get(p, '/api/events/performance-update', { method: 'POST',
    body: JSON.stringify({ variant_id: v, persona_id: pa, view_count: views, interaction_count: interactions }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token({ personas: [pa], scope: 'write' })}` } });
  check(res.status === 200 && res.json.event_id, `performance update: ${res.body}`);
  return res.json.event_id;
}

// A counter of pushd's /metrics.
async function counter(p, name) {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await get(p, '/metrics')).body)[1]);
}

// The ids of a leaders list.
const leaderIds = (leaders) => (leaders || []).map((l) => l.id);

// Waits for a message of type after index from.
const nextOfType = (c, type, from = 0) => c.next(type, (m) => m.type === type, from);

// Checks that every panels_update after the first carries only sections that changed since the one before, that
// none goes back behind the client's initial_data, and that each names only panel sections.
function checkDeltas(c) {
  const known = {};
  const floor = c.ofType('initial_data')[0].data.last_event_id;
  c.ofType('panels_update').forEach((m, i) => {
    check(m.last_event_id > floor, `panels_update ${i} (${m.last_event_id}) newer than initial_data (${floor})`);
    for (const [name, value] of Object.entries(m.data)) {
      check(SECTIONS.includes(name), `known section ${name}`);
      if (i > 0) check(JSON.stringify(known[name]) !== JSON.stringify(value), `panels_update ${i}: ${name} changed`);
      known[name] = value;
    }
    if (i === 0) same(Object.keys(m.data).sort(), [...SECTIONS].sort(), 'the first panels_update has every section');
  });
}

// A persona with two variants past the leaders' minimum of views, a ahead of b; returns [pa, a, b].
async function twoLeaders(p, tag) {
  const pa = persona(tag);
  const [a, b] = [variant(), variant()];
  register(pa, a, 'variant a');
  register(pa, b, 'variant b');
  await report(p, pa, a, 300, 30);
  await report(p, pa, b, 300, 15);
  return [pa, a, b];
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('rest-personas', async () => {
  const p = await startPushd('rest-personas');
  const [pa, pb] = [persona('ra'), persona('rb')];
  const va = variant();
  register(pa, va);
  register(pa, variant());
  register(pb, variant());
  psql(`SELECT variant_dashboard.handle_early_kill_event('${va}', '{"persona_id":"${pa}","reason":"test kill"}')`);
  const newest = Number(psql(`SELECT max(id) FROM variant_dashboard.dashboard_events WHERE persona_id = '${pa}'`));
  const res = await get(p, '/api/personas');
  check(res.status === 200 && Array.isArray(res.json.personas), `GET /api/personas: ${res.body}`);
  const row = res.json.personas.find((x) => x.persona_id === pa);
  check(row, 'the persona is listed');
  same([row.total_variants, row.active_variants, row.killed_variants, row.kills_today, row.last_event_id],
    [2, 1, 1, 1, newest], 'the persona row: counts and last event id');
  check(res.json.personas.some((x) => x.persona_id === pb), 'every persona without access control');
  await stopPushd(p);

  const q = await startPushd('rest-personas-jwt', ['--jwt-secret', SECRET]);
  same((await get(q, '/api/personas')).status, 401, 'no token: 401');
  same((await get(q, '/api/personas', { headers: { authorization: 'Bearer x.y.z' } })).status, 401, 'a bad token: 401');
  const only = await get(q, '/api/personas', bearer({ personas: [pa, 'no-such-persona'] }));
  same(only.json.personas.map((x) => x.persona_id), [pa], 'a token for one persona lists only that one');
  const one = await get(q, '/api/personas', bearer({ personas: pb }));
  same(one.json.personas.map((x) => x.persona_id), [pb], 'a personas claim that is one string');
  same((await get(q, '/api/personas', bearer({}))).json, { personas: [] }, 'a token without personas lists none');
  const all = (await get(q, '/api/personas', bearer({ personas: ['*'] }))).json.personas.map((x) => x.persona_id);
  check(all.includes(pa) && all.includes(pb), 'a "*" token lists every persona');
  same((await get(q, `/api/personas?access_token=${token({ personas: [pb] })}`)).json.personas.map((x) => x.persona_id),
    [pb], 'the token in the access_token argument');
  same((await stopPushd(q)).code, 0, 'exit status');
});

test('rest-probabilities', async () => {
  const p = await startPushd('rest-prob', ['--jwt-secret', SECRET]);
  const [pa, pb] = [persona('pa'), persona('pb')];
  const [a, b] = [variant(), variant()];
  register(pa, a);
  register(pa, b);
  register(pb, variant());
  const res = await get(p, `/api/probabilities/${pa}`, bearer({ personas: [pa] }));
  check(res.status === 200 && Array.isArray(res.json.variants), `GET /api/probabilities: ${res.body}`);
  same(res.json.variants.map((v) => v.id).sort(), [a, b].sort(), 'the persona\'s active variants');
  const sum = res.json.variants.reduce((s, v) => s + v.probability_best, 0);
  check(Math.abs(sum - 1) < 0.01, `probabilities of being best sum to 1 (${sum})`);
  same((await get(p, `/api/probabilities/${pb}`, bearer({ personas: [pa] }))).status, 403, 'another persona: 403');
  same((await get(p, `/api/probabilities/${pa}`)).status, 401, 'no token: 401');
  same((await get(p, '/api/probabilities/bad%20id', bearer({ personas: ['*'] }))).status, 400, 'bad persona id: 400');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('rest-variant', async () => {
  const p = await startPushd('rest-variant', ['--jwt-secret', SECRET]);
  const [pa, pb] = [persona('va'), persona('vb')];
  const [a, b] = [`${variant()} with / and ü`, variant()];
  register(pa, a);
  register(pb, b);
  const auth = bearer({ personas: [pa] });
  await report(p, pa, a, 200, 20);
  const res = await get(p, `/api/variants/${pa}/${encodeURIComponent(a)}`, auth);
  check(res.status === 200, `GET /api/variants/{persona}/{variant}: ${res.status} ${res.body}`);
  check(res.body.includes(JSON.stringify(a).slice(1, -1)) && res.body.includes(pa), 'the detail names the variant and persona');
  const foreign = await get(p, `/api/variants/${pa}/${b}`, auth);
  const missing = await get(p, `/api/variants/${pa}/no-such-${RUN}`, auth);
  same([foreign.status, missing.status], [404, 404], 'another persona\'s variant and an unknown one: 404');
  same(foreign.json, missing.json, 'the same answer for both: nothing tells another persona\'s variant exists');
  same((await get(p, `/api/variants/${pb}/${b}`, auth)).status, 403, 'a token for another persona: 403');
  same((await get(p, `/api/variants/${pb}/${b}`)).status, 401, 'no token: 401');
  same((await get(p, `/api/variants/${pa}/bad%01id`, auth)).status, 400, 'a control character in the variant id: 400');
  same((await get(p, `/api/variants/${pa}/${'x'.repeat(201)}`, auth)).status, 400, 'a variant id over 200 bytes: 400');
  same((await get(p, `/api/variants/${pa}/active`, auth)).json.variants.map((v) => v.id), [a], '/active is still the list');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('rest-history', async () => {
  const p = await startPushd('rest-history', ['--jwt-secret', SECRET]);
  const pa = persona('ha');
  const [a, b] = [variant(), variant()];
  register(pa, a);
  register(pa, b);
  await report(p, pa, a, 100, 10);
  await report(p, pa, b, 100, 5);
  await report(p, pa, a, 200, 30);
  const auth = bearer({ personas: [pa] });
  const h = (query) => get(p, `/api/history/${pa}${query}`, auth);
  for (const bad of ['?from=yesterday', '?from=2026-02-30T00:00:00Z', '?from=2026-03-01T10:00:00', '?to=1e9',
    '?from=2026-03-01T10:00:00Z&to=2026-03-01T09:00:00Z', '?from=100&to=100', '?max_points=1', '?max_points=2001',
    '?max_points=ten', '?max_points=10&max_points=20', '?variant_id=%01']) {
    const res = await h(bad);
    check(res.status === 400 && typeof res.json.error === 'string', `${bad}: 400 with a message, got ${res.status} ${res.body}`);
  }
  const res = await h('');
  check(res.status === 200, `GET /api/history default range: ${res.status} ${res.body}`);
  same(res.json.persona_id, pa, 'persona_id');
  same(res.json.variants.map((v) => v.variant_id).sort(), [a, b].sort(), 'every variant of the persona');
  const last = res.json.variants.find((v) => v.variant_id === a).points.slice(-1)[0];
  same([last[2], last[3]], [200, 30], 'the newest point of a: its cumulative views and interactions');
  check(res.json.pooled.length > 0, 'a pooled series');
  check(Date.parse(res.json.to) - Date.parse(res.json.from) === 3600 * 1000, `from defaults to an hour before to (${res.json.from} .. ${res.json.to})`);
  const now = Math.ceil(Date.now() / 1000) + 5;
  const iso = (s) => new Date(s * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const epoch = await h(`?from=${now - 600}&to=${now}&max_points=70`);
  const isoRes = await h(`?from=${iso(now - 600)}&to=${encodeURIComponent(iso(now).replace('Z', '+00:00'))}&max_points=70`);
  same(epoch.json.bucket_seconds, 10, '10 minutes in 70 points: 10 s buckets');
  same(isoRes.json, epoch.json, 'ISO 8601 and epoch seconds name the same range');
  const one = await h(`?variant_id=${b}`);
  same(one.json.variants.map((v) => v.variant_id), [b], 'variant_id keeps one variant');
  same((await get(p, `/api/history/${pa}`)).status, 401, 'no token: 401');
  same((await get(p, `/api/history/${pa}`, bearer({ personas: ['other'] }))).status, 403, 'another persona\'s token: 403');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('panels-update', async () => {
  const p = await startPushd('panels', ['--panels-interval-ms', String(INTERVAL_MS)]);
  const [pa, a, b] = await twoLeaders(p, 'pu');
  const c = new Client(p, pa);
  const initial = await nextOfType(c, 'initial_data');
  same(leaderIds(initial.data.performance_leaders), [a, b], 'a leads at first');
  const id = await report(p, pa, b, 600, 120); // b goes from 5% to 20%
  const reordered = await c.next('a panels_update with b leading', (m) => m.type === 'panels_update' &&
    m.data.performance_leaders && leaderIds(m.data.performance_leaders)[0] === b);
  check(reordered.last_event_id >= id, `the panels reflect the update (${reordered.last_event_id} >= ${id})`);
  same(c.ofType('initial_data').length, 1, 'no reload: one initial_data');
  // a burst of events over 5 intervals: one panels query per interval at the most
  const t0 = Date.now();
  const q0 = await counter(p, 'dashboard_panels_queries_total');
  let last;
  for (let i = 1; i <= 30; i++) {
    last = await report(p, pa, a, 300 + 10 * i, 30 + i);
    await sleep(INTERVAL_MS / 6);
  }
  await c.next('panels with the last event', (m) => m.type === 'panels_update' && m.last_event_id >= last);
  const q1 = await counter(p, 'dashboard_panels_queries_total');
  const elapsed = Date.now() - t0;
  const bound = Math.floor(elapsed / INTERVAL_MS) + 1;
  console.log(`# panels-update: ${q1 - q0} panels queries for 30 events in ${elapsed} ms (bound ${bound})`);
  check(q1 - q0 >= 1 && q1 - q0 <= bound, `at most one panels query per interval: ${q1 - q0} in ${elapsed} ms`);
  check(await counter(p, 'dashboard_panels_updates_total') >= c.ofType('panels_update').length, 'updates counted');
  checkDeltas(c);
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('panels-resume', async () => {
  const p = await startPushd('panels-resume', ['--panels-interval-ms', String(INTERVAL_MS)]);
  const [pa, a, b] = await twoLeaders(p, 'pr');
  const newest = await report(p, pa, b, 600, 120);
  // the persona has no client: the resume alone gets the panels computed
  const r = new Client(p, pa, `?last_event_id=${newest}`);
  const first = await nextOfType(r, 'panels_update');
  same(Object.keys(first.data).sort(), [...SECTIONS].sort(), 'a resumed client gets every section');
  same(first.last_event_id, newest, 'as of the newest event');
  same(leaderIds(first.data.performance_leaders), [b, a], 'the current leaders');
  check(r.ofType('resumed').length === 1 && r.ofType('initial_data').length === 0, 'a resume, not a snapshot');
  // a second client resumes with a resume message while the panels are current: it gets them too
  const s = new Client(p, pa);
  await nextOfType(s, 'initial_data');
  const n = s.msgs.length;
  s.send({ type: 'resume', last_event_id: newest });
  const again = await nextOfType(s, 'panels_update', n);
  same(again.data.performance_leaders, first.data.performance_leaders, 'the same current panels');
  r.close(); s.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('panels-resync', async () => {
  const p = await startPushd('panels-resync', ['--panels-interval-ms', String(INTERVAL_MS), '--resync-threshold', '3']);
  const [pa, a, b] = await twoLeaders(p, 'ps');
  const start = await report(p, pa, a, 310, 31);
  for (let i = 1; i <= 5; i++) await report(p, pa, a, 310 + i, 31);
  const newest = await report(p, pa, b, 600, 120);
  // too far behind (older than the persona's ring, more missed events than the threshold): a resync initial_data with the current panels, then panels_update deltas from there
  const old = new Client(p, pa, `?last_event_id=${start}`);
  const resync = await nextOfType(old, 'initial_data');
  same(resync.resync, true, 'a resync');
  same(leaderIds(resync.data.performance_leaders), [b, a], 'the resync carries the current leaders');
  // too new (an id beyond the newest event): the client still ends up with the current panels
  const ahead = new Client(p, pa, `?last_event_id=${newest + 1000}`);
  const current = await ahead.next('current panels', (m) => (m.type === 'initial_data' && m.resync &&
    m.data.last_event_id >= newest) || (m.type === 'panels_update' && m.last_event_id >= newest));
  same(leaderIds(current.data.performance_leaders), [b, a], `${current.type} with the current leaders`);
  const later = await report(p, pa, a, 900, 200); // a leads again
  const delta = await old.next('panels after the resync', (m) => m.type === 'panels_update' && m.last_event_id >= later);
  same(leaderIds(delta.data.performance_leaders), [a, b], 'the reorder reaches the resynced client');
  checkDeltas(old);
  [old, ahead].forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('panels-off', async () => {
  const p = await startPushd('panels-off', ['--panels-interval-ms', '0']);
  const [pa, , b] = await twoLeaders(p, 'po');
  const c = new Client(p, pa);
  await nextOfType(c, 'initial_data');
  const id = await report(p, pa, b, 600, 120);
  await c.next('the event', (m) => m.type === 'variant_update' && m.data.event_id === id);
  const r = new Client(p, pa, `?last_event_id=${id}`);
  await nextOfType(r, 'resumed');
  await sleep(3 * INTERVAL_MS);
  same([c.ofType('panels_update').length, r.ofType('panels_update').length], [0, 0], 'no panels_update when off');
  same(await counter(p, 'dashboard_panels_queries_total'), 0, 'no panels query when off');
  c.close(); r.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

run(tests);
