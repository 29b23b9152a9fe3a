// Database fault tests of pushd: a write stuck on a lock, a hung backend, and the REST status of each SQLSTATE,
// against the real binary and PostgreSQL. Competing sessions are real psql processes.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { psql, register, logLines, startPushd, stopPushd, get, post, Client, run, check, same, waitFor, OUT } =
  require('./lib.js');

const RUN = Date.now().toString(36);
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `dv-${RUN}-${++seq}`;
const update = (v, pa, n = 1) => ({ variant_id: v, persona_id: pa, interaction_count: n, view_count: 10 * n });

// Runs SQL statements in one psql session in the background (application_name app); .done resolves at its exit.
function psqlSession(app, ...statements) {
  const args = ['-qAtX', '-v', 'ON_ERROR_STOP=1', ...statements.flatMap((s) => ['-c', s])];
  const child = spawn('psql', args, { env: { ...process.env, PGAPPNAME: app }, stdio: 'ignore' });
  child.done = new Promise((resolve) => child.on('exit', resolve));
  return child;
}

// Resolves once session app runs pg_sleep: everything before it in the session is done.
function sleeping(app) {
  return waitFor(`${app} to sleep`, () => psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '${app}'
    AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`) === '1');
}

// Ends a background session's backend at once (its client alone would leave pg_sleep running).
function terminate(app) {
  psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${app}'`);
}

// The backend pids of a pushd instance's query connections of one kind (writer or reader), from its log.
function backendPids(name, writer) {
  return logLines(name, 'db_connected').filter((l) => !l.listener && l.writer === writer).map((l) => l.backend_pid);
}

// Checks that an answer is a 503 or 504 with a JSON error (never an empty reply).
function timedOut(res, what) {
  check([503, 504].includes(res.status) && typeof res.json?.error === 'string', `${what}: 503/504 JSON, got ${res.status} ${res.body}`);
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

// Issue 10.5: a session holds persona A's lock for 20 s; POSTs for A must not stall reads of persona B.
test('db-stall', async () => {
  const p = await startPushd('db-stall', ['--query-timeout-ms', '3000']);
  const [pa, pb] = [persona('stall-a'), persona('stall-b')];
  const va = [variant(), variant(), variant(), variant()];
  va.forEach((v) => register(pa, v));
  register(pb, variant());
  const app = `vd-stall-${RUN}`;
  const holder = psqlSession(app, 'BEGIN',
    `SELECT variant_dashboard.handle_performance_update('${va[0]}', '{"persona_id":"${pa}","interaction_count":1,"view_count":10}')`,
    'SELECT pg_sleep(20)', 'COMMIT');
  try {
    await sleeping(app);
    const posts = va.slice(1).map((v) => post(p, '/api/events/performance-update', update(v, pa)));
    await waitFor('the POSTs to wait on the lock', () => Number(psql(`SELECT count(*) FROM pg_stat_activity
      WHERE application_name LIKE 'pushd%' AND wait_event_type = 'Lock'`)) >= 2);
    const read = await get(p, `/api/metrics/${pb}`, { signal: AbortSignal.timeout(15000) });
    check(read.status === 200 && read.json.persona_id === pb, `GET of another persona answers: ${read.status}`);
    const c = new Client(p, pb);
    await c.next('initial_data of another persona', (m) => m.type === 'initial_data');
    c.close();
    check(holder.exitCode === null, 'the read was answered while the lock was still held');
    const answers = await Promise.all(posts);
    answers.forEach((res, i) => timedOut(res, `blocked POST ${i + 1}`));
    check(holder.exitCode === null, 'the POSTs ended while the lock was still held');
    const pids = [...backendPids('db-stall', true), ...backendPids('db-stall', false)];
    await waitFor('no pushd backend still busy', () => psql(`SELECT count(*) FROM pg_stat_activity
      WHERE pid IN (${pids.join(',')}) AND state <> 'idle'`) === '0');
    check(logLines('db-stall', 'query_failed').some((l) => [503, 504].includes(l.status)), 'a query_failed log line');
  } finally {
    terminate(app);
    await holder.done;
  }
  const ok = await post(p, '/api/events/performance-update', update(va[1], pa, 2));
  check(ok.status === 200 && Number.isInteger(ok.json.event_id), `writes work again: ${ok.body}`);
  same((await stopPushd(p)).code, 0, 'exit status');
});

// A backend that stops answering (SIGSTOP): pushd's own timer answers 504, cancels on the server, and
// replaces the connection; reads are unaffected throughout.
test('db-hung-backend', async () => {
  const p = await startPushd('db-hung', ['--query-timeout-ms', '1000', '--writer-pool', '1']);
  const pa = persona('hung');
  const [v1, v2] = [variant(), variant()];
  register(pa, v1);
  register(pa, v2);
  const [writer] = backendPids('db-hung', true);
  check(Number.isInteger(writer), 'the writer backend pid is logged');
  process.kill(writer, 'SIGSTOP');
  try {
    const stuck = await post(p, '/api/events/performance-update', update(v1, pa));
    same(stuck.status, 504, `POST to a hung backend: ${stuck.body}`);
    same(stuck.json.error, 'query timed out', 'error message');
    same((await get(p, `/api/metrics/${pa}`)).status, 200, 'reads still answered');
    const [timeout] = logLines('db-hung', 'db_query_timeout');
    check(timeout && timeout.role === 'writer' && timeout.cancel_sent === true, 'the timeout is logged, the cancel sent');
    const ok = await waitFor('a new writer connection', async () => {
      const res = await post(p, '/api/events/performance-update', update(v2, pa));
      check([200, 503].includes(res.status), `while the writer is replaced: ${res.status} ${res.body}`);
      return res.status === 200 && res;
    });
    check(Number.isInteger(ok.json.event_id), 'written through the new connection');
    check(!backendPids('db-hung', true).slice(1).includes(writer), 'the hung backend was replaced');
  } finally {
    process.kill(writer, 'SIGCONT');
  }
  same((await stopPushd(p)).code, 0, 'exit status');
});

// Issue 10.12: the REST status of each SQLSTATE class, and numbers beyond JSON's range.
test('rest-errors', async () => {
  const p = await startPushd('rest-errors');
  const pa = persona('err');
  const [v, vk] = [variant(), variant()];
  register(pa, v);
  register(pa, vk);
  const kill = (id) => post(p, '/api/events/early-kill', { variant_id: id, persona_id: pa, reason: 'low engagement' });
  const expect = (res, status, sqlstate, what) => {
    check(res.status === status && typeof res.json?.error === 'string' && sqlstate.test(res.json.sqlstate),
      `${what}: want ${status} ${sqlstate}, got ${res.status} ${res.body}`);
  };
  expect(await post(p, '/api/events/performance-update', update(`no-such-${RUN}`, pa)), 404, /^23503$/, 'unknown variant');
  expect(await post(p, '/api/events/performance-update', { ...update(v, pa), interaction_count: -1 }), 400, /^22/, 'negative count');
  same((await kill(vk)).status, 200, 'first kill');
  expect(await kill(vk), 409, /^55000$/, 'second kill');
  // a kill racing one in another session: the loser gets 55000 (it got 23505 before the extension serialised kills)
  const vr = variant();
  register(pa, vr);
  const app = `vd-kill-${RUN}`;
  const rival = psqlSession(app, 'BEGIN',
    `SELECT variant_dashboard.handle_early_kill_event('${vr}', '{"persona_id":"${pa}","reason":"rival"}')`,
    'SELECT pg_sleep(1)', 'COMMIT');
  await sleeping(app);
  expect(await kill(vr), 409, /^55000$/, 'kill racing another kill');
  same(await rival.done, 0, 'the rival kill committed');
  for (const number of ['1e400', '9223372036854775808', '-9223372036854775809']) {
    const res = await post(p, '/api/events/performance-update',
      `{"variant_id":"${v}","persona_id":"${pa}","interaction_count":${number},"view_count":10}`);
    check(res.status === 400 && /out of range/.test(res.json?.error) && /9223372036854775807/.test(res.json.error),
      `${number}: 400 naming the range, got ${res.status} ${res.body}`);
  }
  same((await stopPushd(p)).code, 0, 'exit status');
});

// Issue 10.2 over REST: a kill and an update of the same variant sent at the same moment, 60 pairs, on the two
// writer connections: every answer is 200 or 409 (already killed), never a 500 or a deadlock.
test('rest-kill-update-pairs', async () => {
  const p = await startPushd('rest-pairs', ['--writer-pool', '2']);
  const pa = persona('pair');
  const statuses = {};
  for (let i = 0; i < 60; i++) {
    const v = variant();
    register(pa, v);
    const answers = await Promise.all([
      post(p, '/api/events/early-kill', { variant_id: v, persona_id: pa, reason: 'pair race' }),
      post(p, '/api/events/performance-update', update(v, pa, 5 + i)),
    ]);
    for (const res of answers) statuses[res.status] = (statuses[res.status] || 0) + 1;
  }
  check(Object.keys(statuses).every((s) => s === '200' || s === '409'), `only 200/409: ${JSON.stringify(statuses)}`);
  check(!/40P01|deadlock/.test(fs.readFileSync(path.join(OUT, 'pushd-rest-pairs.log'), 'utf8')), 'no deadlock in the log');
  same((await stopPushd(p)).code, 0, 'exit status');
});

// Issue 10.12: a serialization failure (40001), provoked for real: the writer runs SERIALIZABLE (conninfo options)
// and updates a row another session changed after its snapshot. 40P01 shares the mapping (pushd/http.c).
test('rest-retryable', async () => {
  const writer = `dbname=${process.env.PGDATABASE} options='-c default_transaction_isolation=serializable'`;
  const p = await startPushd('rest-retryable', ['--writer-database-url', writer]);
  const pa = persona('ser');
  const v = variant();
  register(pa, v);
  same((await post(p, '/api/events/performance-update', update(v, pa, 1))).status, 200, 'first update');
  const app = `vd-ser-${RUN}`;
  const rival = psqlSession(app, 'BEGIN',
    `SELECT variant_dashboard.handle_performance_update('${v}', '{"persona_id":"${pa}","interaction_count":2,"view_count":20}')`,
    'SELECT pg_sleep(1)', 'COMMIT');
  await sleeping(app);
  const res = await post(p, '/api/events/performance-update', update(v, pa, 3));
  same(await rival.done, 0, 'the rival update committed');
  check(res.status === 503 && res.json?.sqlstate === '40001', `serialization failure: 503 40001, got ${res.status} ${res.body}`);
  same(res.headers.get('retry-after'), '1', 'Retry-After');
  same((await post(p, '/api/events/performance-update', update(v, pa, 3))).status, 200, 'the retry succeeds');
  same((await stopPushd(p)).code, 0, 'exit status');
});

run(tests);
