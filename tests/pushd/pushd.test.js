// Integration tests of pushd: the real binary, the real PostgreSQL with variant_dashboard, real clients.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { psql, register, loggedIds, startPushd, stopPushd, get, post, Client, run, check, same, waitFor, sleep, OUT } =
  require('./lib.js');

const RUN = Date.now().toString(36);
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `v-${RUN}-${++seq}`;

// Runs pg_ctl as the cluster owner (pg_ctl refuses root).
function pgCtl(...args) {
  const bin = path.join(process.env.PG_BIN, 'pg_ctl');
  const owner = execFileSync('stat', ['-c', '%U', process.env.PGDATA], { encoding: 'utf8' }).trim();
  const argv = [bin, '-D', process.env.PGDATA, '-w', ...args];
  const cmd = process.getuid() === 0 && owner !== 'root' ? ['runuser', '-u', owner, '--', ...argv] : argv;
  execFileSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Waits for a client's initial_data and returns it.
async function initial(c) {
  await c.opened;
  return c.next('initial_data', (m) => m.type === 'initial_data');
}

// Waits until the client has received exactly `ids` as variant_updates (fails on extras or wrong order).
async function receivesExactly(c, ids, what) {
  await waitFor(`${what}: ${ids.length} events`, () => c.updateIds().length >= ids.length);
  await sleep(100);
  same(c.updateIds(), ids, what);
}

// Counts rows that bad inputs must never change.
function dbFingerprint() {
  return psql('SELECT (SELECT count(*) FROM variant_dashboard.variants) || \'/\' || ' +
    '(SELECT count(*) FROM variant_dashboard.dashboard_events)');
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('http', async () => {
  const webRoot = fs.mkdtempSync(path.join(OUT, 'web-'));
  fs.writeFileSync(path.join(webRoot, 'index.html'), '<html>dashboard-test</html>');
  const p = await startPushd('http', ['--web-root', webRoot]);
  const pa = persona('http');
  const v = variant();
  register(pa, v);
  same((await get(p, '/')).json, { status: 'healthy', service: 'variant-dashboard-api' }, 'GET /');
  same((await get(p, '/healthz')).status, 200, '/healthz');
  same((await get(p, '/readyz')).status, 200, '/readyz');
  const m = await get(p, `/api/metrics/${pa}`);
  check(m.status === 200 && m.json.persona_id === pa && m.json.last_event_id > 0 && m.json.summary, 'metrics json');
  const act = await get(p, `/api/variants/${pa}/active`);
  check(act.status === 200 && act.json.variants.some((x) => x.id === v), 'active variants lists the variant');
  check((await get(p, `/api/optimization/${pa}`)).json.suggestions !== undefined, 'optimization');
  check((await get(p, `/api/fatigue/${pa}`)).json.warnings !== undefined, 'fatigue');
  // own connection: with lws 4.1.6 the 2nd dynamic request after a static file on one keep-alive connection is dropped
  const dash = await get(p, '/dashboard/', { headers: { connection: 'close' } });
  check(dash.status === 200 && dash.body.includes('dashboard-test'), 'static dashboard served');
  const nf = await get(p, '/no/such/path');
  check(nf.status === 404 && nf.json.error, '404 json');
  const metrics = (await get(p, '/metrics')).body;
  for (const name of ['dashboard_requests_total', 'websocket_connections_active', 'variant_processing_duration_seconds_bucket',
    'dashboard_events_relayed_total', 'dashboard_events_replayed_total', 'dashboard_slow_client_resyncs_total',
    'dashboard_db_reconnects_total', 'dashboard_commit_to_send_seconds_bucket']) check(metrics.includes(name), `metric ${name}`);
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('ingest', async () => {
  const p = await startPushd('ingest');
  const pa = persona('ingest');
  const v = variant();
  register(pa, v);
  const c = new Client(p, pa);
  await initial(c);
  const ok = await post(p, '/api/events/performance-update',
    { variant_id: v, persona_id: pa, interaction_count: 7, view_count: 100, engagement_rate: 0.07 });
  check(ok.status === 200 && Number.isInteger(ok.json.event_id), `performance-update 200: ${ok.body}`);
  const upd = await c.next('performance_update', (m) => m.type === 'variant_update' && m.data.event_type === 'performance_update');
  same(upd.data.event_id, ok.json.event_id, 'pushed event id equals returned id');
  check(typeof upd.timestamp === 'string' && upd.data.view_count === 100, 'variant_update shape');
  const kill = await post(p, '/api/events/early-kill', { variant_id: v, persona_id: pa, reason: 'low engagement',
    final_engagement_rate: 0.01, sample_size: 100 });
  check(kill.status === 200 && Number.isInteger(kill.json.event_id), `early-kill 200: ${kill.body}`);
  await c.next('early_kill', (m) => m.type === 'variant_update' && m.data.event_type === 'early_kill');
  const before = dbFingerprint();
  const bad = await post(p, '/api/events/performance-update',
    { variant_id: v, persona_id: pa, interaction_count: -1, view_count: 100 });
  check(bad.status === 400 && typeof bad.json.error === 'string' && bad.json.error.length, `400 with message: ${bad.body}`);
  same((await post(p, '/api/events/early-kill', '{not json')).status, 400, 'invalid JSON body');
  same((await post(p, '/api/events/early-kill', { reason: 'x' })).status, 400, 'missing variant_id');
  check([400, 404].includes((await post(p, '/api/events/early-kill', { variant_id: "x'; DROP TABLE variant_dashboard.variants; --",
    persona_id: pa, reason: 'r' })).status), 'injection-style variant id: refused (invalid or unknown)');
  same((await post(p, '/api/events/early-kill', { variant_id: v, pad: 'x'.repeat(200000) })).status, 413, 'huge body');
  same(dbFingerprint(), before, 'nothing written by bad requests');
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('websocket', async () => {
  const p = await startPushd('ws', ['--max-frame-size', '4096']);
  const [pa, pb] = [persona('wsa'), persona('wsb')];
  const a = new Client(p, pa), b = new Client(p, pb);
  const ia = await initial(a);
  await initial(b);
  check(ia.data.persona_id === pa && Number.isInteger(ia.data.last_event_id), 'initial_data carries the snapshot');
  const ida = register(pa, variant()), idb = register(pb, variant());
  await receivesExactly(a, [ida], 'persona a');
  await receivesExactly(b, [idb], 'persona b');
  a.send({ type: 'ping' });
  await a.next('pong', (m) => m.type === 'pong');
  const n = a.msgs.length;
  a.send({ type: 'refresh' });
  const fresh = await a.next('refreshed initial_data', (m) => m.type === 'initial_data', n);
  same(fresh.data.last_event_id, ida, 'refreshed snapshot is current');
  a.send('this is not json');
  await a.next('error for invalid JSON', (m) => m.type === 'error' && /JSON/.test(m.message));
  a.send({ type: 'launch_missiles' });
  await a.next('error for unknown type', (m) => m.type === 'error' && /unknown/.test(m.message));
  a.send({ type: 'resume', last_event_id: 'x' });
  check(a.closed === null, 'connection stays open after bad messages');
  const before = dbFingerprint();
  for (const bad of ['x%27%3B%20DROP%20TABLE%20variants%3B--', 'a'.repeat(65), 'bad%20id', 'bad%2Fid']) {
    const c = new Client(p, bad);
    const err = await c.opened.then(() => null, (e) => e);
    check(err && err.status === 400, `bad persona ${bad} refused with 400 (${err && err.status})`);
  }
  same((await get(p, "/api/metrics/x';DROP TABLE variants;--")).status, 400, 'REST bad persona');
  const idc = register(pa, variant());
  await receivesExactly(a, [ida, idc], 'a still live after bad input');
  same(b.updateIds(), [idb], 'b never sees a');
  const big = new Client(p, pa);
  await initial(big);
  big.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10000) }));
  await waitFor('huge frame closes', () => big.closed);
  same(big.closed.code, 1009, 'close code for a huge frame');
  same(dbFingerprint(), before.split('/').map((n) => Number(n) + 1).join('/'), 'only the one real variant and event written');
  a.close(); b.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('resume', async () => {
  const p = await startPushd('resume');
  const pa = persona('resume');
  const early = [register(pa, variant()), register(pa, variant())]; // before any client: only in the log
  const a = new Client(p, pa);
  const snap = await initial(a);
  same(snap.data.last_event_id, early[1], 'snapshot includes early events');
  const keep = new Client(p, pa); // keeps the persona's ring alive
  await initial(keep);
  const first = register(pa, variant());
  await receivesExactly(a, [first], 'live event');
  a.close();
  await waitFor('close', () => a.closed);
  const missed = [register(pa, variant()), register(pa, variant()), register(pa, variant())];
  const r = new Client(p, pa, `?last_event_id=${first}`);
  await r.opened;
  await receivesExactly(r, missed, 'missed events via ?last_event_id (ring)');
  check(r.ofType('initial_data').length === 0 && r.ofType('resumed').length === 1, 'resume sends no initial_data');
  const live = register(pa, variant());
  await receivesExactly(r, [...missed, live], 'then the live stream');
  const fromLog = new Client(p, pa, `?last_event_id=${early[0] - 1}`);
  await fromLog.opened;
  const all = [...early, first, ...missed, live];
  await receivesExactly(fromLog, all, 'events older than the ring replayed from the log');
  const n = r.msgs.length;
  r.send({ type: 'resume', last_event_id: first });
  await waitFor('resume message replay', () => r.msgs.slice(n).filter((m) => m.type === 'variant_update').length >= 4);
  same(r.msgs.slice(n).filter((m) => m.type === 'variant_update').map((m) => m.data.event_id), [...missed, live],
    'resume message replays exactly the missed events');
  [keep, r, fromLog].forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('resync', async () => {
  const p = await startPushd('resync', ['--resync-threshold', '5']);
  const pa = persona('resync');
  const start = register(pa, variant());
  const missed = [];
  for (let i = 0; i < 8; i++) missed.push(register(pa, variant()));
  const c = new Client(p, pa, `?last_event_id=${start}`);
  const snap = await initial(c);
  same(snap.resync, true, 'initial_data marked as resync');
  same(snap.data.last_event_id, missed[7], 'resync snapshot is current');
  same(c.updateIds(), [], 'no partial replay');
  const after = register(pa, variant());
  await receivesExactly(c, [after], 'live after resync');
  const metrics = (await get(p, '/metrics')).body;
  check(/dashboard_slow_client_resyncs_total [1-9]/.test(metrics), 'resync counted');
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('big-payload', async () => {
  const p = await startPushd('big');
  const pa = persona('big');
  const c = new Client(p, pa);
  await initial(c);
  const small1 = register(pa, variant());
  const big = register(pa, variant(), 'x'.repeat(20000));
  const small2 = register(pa, variant());
  await receivesExactly(c, [small1, big, small2], 'big event in order');
  same(c.ofType('variant_update')[1].data.content.length, 20000, 'full content delivered');
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('pg-restart', async () => {
  const p = await startPushd('restart', ['--reconnect-max-ms', '1000']);
  const [pa, pb] = [persona('rsa'), persona('rsb')];
  const clients = [new Client(p, pa), new Client(p, pa), new Client(p, pb)];
  const snaps = await Promise.all(clients.map(initial));
  let writing = true, attempts = 0, failures = 0;
  const writer = (async () => {
    while (writing) {
      attempts++;
      try { register(attempts % 3 ? pa : pb, variant()); } catch (e) { failures++; await sleep(50); }
      await sleep(5);
    }
  })();
  await sleep(500);
  // restart with exactly the options the cluster runs with (port, sockets, TCP listening, settings):
  // postmaster.opts holds the server's command line; pg_ctl -o takes its arguments
  const serverArgs = fs.readFileSync(path.join(process.env.PGDATA, 'postmaster.opts'), 'utf8').trim().replace(/^\S+\s*/, '');
  pgCtl('stop', '-m', 'fast');
  await waitFor('/readyz 503 while the database is down', async () => (await get(p, '/readyz')).status === 503);
  same((await get(p, `/api/metrics/${pa}`)).status, 503, 'REST answers 503 while down');
  same((await get(p, '/healthz')).status, 200, 'still alive');
  await sleep(500);
  pgCtl('start', '-l', '/dev/null', '-o', serverArgs);
  await sleep(300); // writes land while pushd may still be reconnecting
  await waitFor('/readyz 200 again', async () => (await get(p, '/readyz')).status === 200);
  await sleep(500);
  writing = false;
  await writer;
  check(failures > 0, 'some writes failed during the outage (the test really stopped the cluster)');
  for (const [i, c] of clients.entries()) {
    const who = i < 2 ? pa : pb;
    await receivesExactly(c, loggedIds(who, snaps[i].data.last_event_id), `client ${i} got every committed event once`);
  }
  check(/dashboard_db_reconnects_total [1-9]/.test((await get(p, '/metrics')).body), 'reconnect counted');
  clients.forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
});

// RSS of a process in kB.
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

test('stalled-client', async () => {
  // a paused client sends no pongs: the ping timeout must outlast the writing, however slow the build
  const p = await startPushd('stall', ['--max-backlog-messages', '256', '--max-backlog-bytes', '1048576',
    '--ping-timeout', '600']);
  const pa = persona('stall');
  const fast = new Client(p, pa), stalled = new Client(p, pa);
  const snap = await initial(fast);
  await initial(stalled);
  stalled.ws._socket.pause(); // stops reading: the kernel buffers fill, then pushd's backlog
  const rss0 = rssKb(p.proc.pid);
  const content = 'y'.repeat(7000);
  let expected = [];
  for (let batch = 0; batch < 100; batch++) { // 35 MB in bursts the ring can hold; the fast client keeps up
    psql(`SELECT variant_dashboard.register_variant('${RUN}-s${batch}-' || i, '${pa}', '${content}', 0.05)
          FROM generate_series(1, 50) i`);
    expected = loggedIds(pa, snap.data.last_event_id);
    await waitFor(`fast client batch ${batch}`, () => fast.updateIds().length >= expected.length);
  }
  same(expected.length, 5000, 'events written');
  await receivesExactly(fast, expected, 'fast client gets everything while the other is stalled');
  same(fast.ofType('initial_data').length, 1, 'fast client never resynced');
  const grown = rssKb(p.proc.pid) - rss0;
  console.log(`# stalled-client test: pushd RSS grew by ${grown} kB for 35 MB pushed`);
  if (process.env.PUSHD_SKIP_RSS_BOUND) console.log('# RSS bound skipped: PUSHD_SKIP_RSS_BOUND (sanitizer build)');
  else check(grown < 64 * 1024, `pushd memory bounded (grew ${grown} kB)`);
  stalled.ws._socket.resume();
  // a slow build may resync the client more than once as it drains: once the newest event is covered,
  // exactly the events newer than the last resync follow it
  const newest = expected[expected.length - 1];
  const lastResync = () => stalled.ofType('initial_data').filter((m) => m.resync).pop();
  const after = (r) => stalled.msgs.slice(stalled.msgs.indexOf(r) + 1).filter((m) => m.type === 'variant_update')
    .map((m) => m.data.event_id);
  await waitFor('a resync, then the newest event', () => {
    const r = lastResync();
    return r && (r.data.last_event_id >= newest || after(r).includes(newest));
  });
  await sleep(100);
  const resync = lastResync();
  same(after(resync), expected.filter((id) => id > resync.data.last_event_id), 'after the last resync: exactly the newer events');
  fast.close(); stalled.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('ping-pong', async () => {
  const p = await startPushd('ping', ['--ping-interval', '1', '--ping-timeout', '3']);
  const pa = persona('ping');
  const alive = new Client(p, pa);
  const dead = new Client(p, pa, '', { autoPong: false });
  await initial(alive);
  await initial(dead);
  await waitFor('dead client dropped', () => dead.closed, 30000);
  await sleep(4000);
  check(alive.closed === null, 'a client answering pings stays connected');
  same((await get(p, '/metrics')).body.match(/websocket_connections_active (\d+)/)[1], '1', 'one connection left');
  alive.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('sigterm', async () => {
  const p = await startPushd('sigterm');
  const clients = [new Client(p, persona('st1')), new Client(p, persona('st1')), new Client(p, persona('st2'))];
  await Promise.all(clients.map(initial));
  const res = await stopPushd(p);
  console.log(`# SIGTERM to exit: ${res.ms} ms`);
  same(res.code, 0, 'exit status');
  await waitFor('clients closed', () => clients.every((c) => c.closed));
  same(clients.map((c) => c.closed.code), [1001, 1001, 1001], 'close codes');
});

// The value of a counter in /metrics.
async function metric(p, name) {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec((await get(p, '/metrics')).body);
  return m ? Number(m[1]) : NaN;
}

test('resume-expired', async () => {
  // A resume id whose following events the retention removed (run_maintenance) gets a resync initial_data,
  // never "resumed" with a gap. The expired event is written 20 days back, as a plain INSERT after the
  // persona lock; run_maintenance removes it from the event log.
  const p = await startPushd('resume-expired');
  const pa = persona('expired');
  const before = register(pa, variant());
  psql(`BEGIN; SELECT variant_dashboard.lock_persona('${pa}');
        INSERT INTO variant_dashboard.dashboard_events (event_type, persona_id, variant_id, event_data, created_at)
        VALUES ('status_change', '${pa}', 'gone', '{}', now() - interval '20 days'); COMMIT;`);
  const after = register(pa, variant());
  psql('SELECT variant_dashboard.run_maintenance()');
  check(Number(psql('SELECT variant_dashboard.oldest_event_id()')) > before + 1, 'the old event expired');
  const c = new Client(p, pa, `?last_event_id=${before}`);
  const snap = await initial(c);
  check(snap.resync === true && snap.data.last_event_id === after, `resync initial_data: ${JSON.stringify(snap).slice(0, 200)}`);
  same(c.ofType('resumed'), [], 'no resumed');
  const live = register(pa, variant());
  await receivesExactly(c, [live], 'then the live stream');
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('resume-beyond-newest', async () => {
  // A resume id the persona never reached (a restored database, a failover, another persona's id) gets a
  // resync initial_data at once, not "resumed" and silence until ids pass it.
  const p = await startPushd('resume-ahead');
  const [pa, pb] = [persona('ahead-a'), persona('ahead-b')];
  const newestB = register(pb, variant());
  register(pa, variant());
  const newestA = register(pa, variant()); // another persona's id, beyond pb's newest
  check(newestA < 1000000 && newestB < newestA, `test ids below 1000000 (${newestA})`);
  const c = new Client(p, pa, '?last_event_id=1000000');
  const snap = await initial(c);
  check(snap.resync === true && snap.data.last_event_id === newestA, `resync initial_data at pa's newest event: ${JSON.stringify(snap).slice(0, 200)}`);
  const live = register(pa, variant());
  await receivesExactly(c, [live], 'then the live stream');
  same(c.ofType('resumed'), [], 'no resumed');
  const d = new Client(p, pb, `?last_event_id=${newestA}`);
  const snapB = await initial(d);
  check(snapB.resync === true && snapB.data.last_event_id === newestB, 'another persona\'s id: resync at pb\'s newest event');
  same(d.ofType('resumed'), [], 'no resumed for another persona\'s id');
  const liveB = register(pb, variant());
  await receivesExactly(d, [liveB], 'pb live after the resync');
  const n = d.msgs.length;
  d.send({ type: 'resume', last_event_id: 1000000 });
  const again = await d.next('resync for the resume message', (m) => m.type === 'initial_data', n);
  same([again.resync, again.data.last_event_id], [true, liveB], 'resume message beyond the newest event: resync');
  same(d.msgs.slice(n).filter((m) => m.type === 'resumed'), [], 'no resumed for the resume message');
  d.send({ type: 'resume', last_event_id: newestB });
  await d.next('an ordinary resume still says resumed', (m) => m.type === 'resumed' && m.last_event_id === newestB, n);
  same(await metric(p, 'dashboard_resumes_beyond_newest_total'), 3, 'counted');
  c.close(); d.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('resume-malformed', async () => {
  // A malformed last_event_id gets HTTP 400 before the upgrade (a browser can stop retrying it); a malformed
  // resume message gets an error and the connection stays.
  const p = await startPushd('resume-bad');
  const pa = persona('rbad');
  for (const bad of ['-1', 'abc', '', '1e3', '99999999999999999999', '1&last_event_id=2', '%2B5']) {
    const c = new Client(p, pa, `?last_event_id=${bad}`);
    const err = await c.opened.then(() => null, (e) => e);
    same(err && err.status, 400, `?last_event_id=${bad} refused before the upgrade`);
  }
  const newest = register(pa, variant()); // an id of the persona (0 may be before expired events of others)
  const ok = new Client(p, pa, `?access_token=${'x'.repeat(300)}&last_event_id=${newest}`);
  await ok.opened;
  await ok.next('resumed after a long argument', (m) => m.type === 'resumed' && m.last_event_id === newest);
  for (const bad of ['-1', '"abc"', '""', '1e3']) {
    const n = ok.msgs.length;
    ok.send(`{"type":"resume","last_event_id":${bad}}`);
    await ok.next(`error for last_event_id ${bad}`, (m) => m.type === 'error' && /last_event_id/.test(m.message), n);
  }
  check(ok.closed === null, 'the connection stays open');
  ok.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

run(tests);
