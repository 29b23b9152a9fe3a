// Read scaling: pushd with --database-url on the primary and --read-database-url on a streaming standby
// (built by standby.sh). REST reads and snapshots must come from the standby while events flow from the
// primary; with replay paused (the standby lagging), a refresh or a new client never ends up behind the
// events it had, because the events after the snapshot follow it; with the standby down, reads fall back
// to the primary. Run through standby.sh (it builds the standby and checks the environment).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { waitFor, freePort } from './lib.mjs';

const OUT = process.env.TEST_OUT || '/tmp/deploy-test-out';
const BACKLOG = 16; // --max-backlog-messages: a lag longer than this leaves the ring behind the snapshot
const run = `${process.pid}-${Date.now() % 100000}`;
const running = new Set();
process.on('exit', () => running.forEach((p) => p.kill('SIGKILL')));

const primary = `host=${process.env.PGHOST} port=${process.env.PGPORT} user=${process.env.PGUSER} dbname=${process.env.PGDATABASE}`;
const standby = `host=${process.env.STANDBY_HOST} port=${process.env.STANDBY_PORT} user=${process.env.PGUSER} dbname=${process.env.PGDATABASE}`;

// Runs SQL on a server (a conninfo) and returns the text output.
function sql(conninfo, query) {
  return execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', query], { encoding: 'utf8' }).trim();
}

// Runs a command as the standby's owner (postgres when we are root).
function asOwner(cmd, args) {
  return process.getuid() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args])
    : execFileSync(cmd, args);
}

// Writes on the primary: a registration, or a performance update of a registered variant. Returns the event id.
const register = (persona, variant) =>
  Number(sql(primary, `SELECT variant_dashboard.register_variant('${variant}', '${persona}', 'c', 0.05)`));
const update = (persona, variant, n) => Number(sql(primary, `SELECT variant_dashboard.handle_performance_update('${variant}',
  '{"persona_id":"${persona}","interaction_count":${n},"view_count":${n * 100}}')`));
// Every event id of a persona on the primary.
const loggedIds = (persona) => sql(primary, `SELECT event_id FROM variant_dashboard.events_after('${persona}', 0, 100000)`)
  .split('\n').filter(Boolean).map(Number);

const primaryLsn = () => sql(primary, 'SELECT pg_current_wal_lsn()');
const replayedUpTo = (lsn) => sql(standby, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`) === 't';

let pushd;
after(async () => {
  try { execFileSync('psql', ['-qAtX', '-d', standby, '-c', 'SELECT pg_wal_replay_resume()'], { stdio: 'ignore' }); } catch { /* stopped */ }
  if (pushd) { pushd.proc.kill('SIGTERM'); await pushd.exited; }
});

async function getJson(urlPath) {
  const res = await fetch(`http://127.0.0.1:${pushd.port}${urlPath}`);
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function metric(name) {
  const text = await (await fetch(`http://127.0.0.1:${pushd.port}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

// A WebSocket client recording every message.
class Client {
  constructor(persona) {
    this.msgs = [];
    this.ws = new WebSocket(`ws://127.0.0.1:${pushd.port}/dashboard/ws/${persona}`);
    this.ws.on('message', (m) => this.msgs.push(JSON.parse(m.toString())));
  }
  next(what, pred, from = 0) { return waitFor(what, () => this.msgs.slice(from).find(pred)); }
  // The ids the client has after message index `from`: those its last initial_data covers, and the updates after it.
  coveredIds(from = 0) {
    const tail = this.msgs.slice(from);
    const i = tail.findLastIndex((m) => m.type === 'initial_data');
    const upTo = tail[i].data.last_event_id;
    return { upTo, updates: tail.slice(i + 1).filter((m) => m.type === 'variant_update').map((m) => m.data.event_id) };
  }
}

// Waits until a client holds every logged event of its persona after its last initial_data: no gap, no duplicate.
async function assertCurrent(client, persona, from, what) {
  const logged = loggedIds(persona);
  await waitFor(`${what}: every event`, () => {
    const { upTo, updates } = client.coveredIds(from);
    return logged.every((id) => id <= upTo || updates.includes(id));
  }, 15000).catch((e) => { throw new Error(`${e.message}; logged ${logged}, got ${JSON.stringify(client.coveredIds(from))}`); });
  const { upTo, updates } = client.coveredIds(from);
  assert.deepEqual(updates, logged.filter((id) => id > upTo), `${what}: the events after the snapshot, once each, in order`);
}

test('the standby is a streaming replica', async () => {
  assert.equal(sql(standby, 'SELECT pg_is_in_recovery()'), 't');
  const lsn = primaryLsn();
  await waitFor('the standby to catch up', () => replayedUpTo(lsn));
});

test('pushd reads from the standby and listens on the primary', async () => {
  const port = await freePort();
  const log = fs.openSync(path.join(OUT, 'pushd-standby.log'), 'w');
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const proc = spawn(process.env.PUSHD_BIN, ['--bind', '127.0.0.1', '--port', String(port), '--database-url', primary,
    '--read-database-url', standby, '--max-backlog-messages', String(BACKLOG), '--http-rate', '0', '--reconnect-max-ms', '500'],
  { stdio: ['ignore', log, log], env });
  running.add(proc);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); }));
  pushd = { port, proc, exited };
  await waitFor('/readyz', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => ({}))).status === 200);
  await waitFor('the read pool', async () => (await metric('dashboard_db_read_up')) === 1);
  const apps = (conninfo) => sql(conninfo, `SELECT coalesce(string_agg(application_name, ',' ORDER BY application_name), '')
    FROM pg_stat_activity WHERE application_name LIKE 'pushd%'`);
  assert.match(apps(standby), /^pushd-read(,pushd-read)*$/, 'only read connections on the standby');
  assert.match(apps(primary), /pushd-listen/, 'LISTEN on the primary');
  assert.doesNotMatch(apps(primary), /pushd-read/, 'no read connection on the primary');
});

test('with replay paused: REST is stale, events flow, snapshots never go backwards', async () => {
  const persona = `standby-a-${run}`, fresh = `standby-b-${run}`;
  register(persona, `${persona}-v0`);
  register(fresh, `${fresh}-v0`);
  const lsn = primaryLsn();
  await waitFor('the standby to replay the registrations', () => replayedUpTo(lsn));

  const a = new Client(persona);
  const first = await a.next('initial_data', (m) => m.type === 'initial_data');
  const before = first.data.last_event_id;
  assert.equal(before, Math.max(...loggedIds(persona)), 'a caught-up standby gives a current snapshot');

  sql(standby, 'SELECT pg_wal_replay_pause()');
  await waitFor('replay paused', () => sql(standby, 'SELECT pg_get_wal_replay_pause_state()') === 'paused');
  const stale = await getJson(`/api/metrics/${persona}`);
  register(persona, `${persona}-v1`);
  for (let n = 1; n <= BACKLOG * 2; n++) update(persona, `${persona}-v1`, n);
  register(fresh, `${fresh}-v1`);
  const newest = Math.max(...loggedIds(persona));

  await a.next('the live events from the primary', (m) => m.type === 'variant_update' && m.data.event_id === newest);
  await assertCurrent(a, persona, 0, 'live client');

  const rest = await getJson(`/api/variants/${persona}/active`);
  assert.equal(rest.status, 200);
  assert.deepEqual(rest.json.variants.map((v) => v.id), [`${persona}-v0`], 'REST answers from the paused standby');
  assert.equal((await getJson(`/api/metrics/${persona}`)).json.last_event_id, stale.json.last_event_id);

  // A refresh gets the standby's older snapshot, then every event after it from the primary.
  const mark = a.msgs.length;
  a.ws.send(JSON.stringify({ type: 'refresh' }));
  const again = await a.next('the refreshed initial_data', (m) => m.type === 'initial_data', mark);
  assert.equal(again.data.last_event_id, before, 'the snapshot came from the lagging standby');
  await assertCurrent(a, persona, mark, 'after refresh');
  assert.ok((await metric('dashboard_snapshot_gaps_total')) >= 1, 'the gap was filled from the event log');

  // A first client of a persona the standby is behind on: the catch-up from the primary completes it.
  const b = new Client(fresh);
  await b.next('initial_data', (m) => m.type === 'initial_data');
  await assertCurrent(b, fresh, 0, 'new persona');
  const late = update(fresh, `${fresh}-v1`, 1);
  await b.next('a live event', (m) => m.type === 'variant_update' && m.data.event_id === late);
  await assertCurrent(b, fresh, 0, 'new persona, live');
  assert.equal(await metric('dashboard_db_read_fallbacks_total'), 0, 'no read went to the primary');

  sql(standby, 'SELECT pg_wal_replay_resume()');
  await waitFor('REST to see the new variant', async () =>
    (await getJson(`/api/variants/${persona}/active`)).json.variants.length === 2);
  a.ws.close();
  b.ws.close();
});

test('with the standby down, reads fall back to the primary', async () => {
  const persona = `standby-c-${run}`;
  const id = register(persona, `${persona}-v0`);
  asOwner(`${process.env.PG_BIN}/pg_ctl`, ['-D', process.env.STANDBY_DATA, '-m', 'fast', '-w', 'stop']);
  await waitFor('the read pool to go', async () => (await metric('dashboard_db_read_up')) === 0);
  const rest = await getJson(`/api/metrics/${persona}`);
  assert.equal(rest.status, 200, 'REST still answers');
  assert.equal(rest.json.last_event_id, id, 'from the primary');
  const c = new Client(persona);
  const snap = await c.next('initial_data', (m) => m.type === 'initial_data');
  assert.equal(snap.data.last_event_id, id, 'snapshots from the primary');
  assert.equal((await fetch(`http://127.0.0.1:${pushd.port}/readyz`)).status, 200, '/readyz follows LISTEN only');
  assert.ok((await metric('dashboard_db_read_fallbacks_total')) >= 2, 'fallbacks are counted');
  c.ws.close();
  pushd.proc.kill('SIGTERM');
  assert.deepEqual(await pushd.exited, { code: 0, signal: null });
  pushd = null;
  const log = fs.readFileSync(path.join(OUT, 'pushd-standby.log'), 'utf8');
  assert.match(log, /"event":"db_read_fallback"/, 'the fallback is logged');
});
