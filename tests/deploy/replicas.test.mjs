// Scale-out on one machine: 3 pushd replicas against one PostgreSQL. Clients are spread across the
// replicas for 2 personas while a few hundred events are written from several connections at once; every
// client must get every event of its persona exactly once, in commit order (the event log's order,
// variant_dashboard.events_after), and each replica must hold exactly one LISTEN connection.
// Run through replicas.sh (it checks the environment: PG*, PUSHD_BIN, TEST_OUT).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { sleep, waitFor, freePort } from './lib.mjs';
import pg from 'pg';

const OUT = process.env.TEST_OUT || '/tmp/deploy-test-out';
const REPLICAS = 3;
const CLIENTS_PER_REPLICA = 4;
const WRITERS = 4;               // concurrent writing connections
const VARIANTS_PER_PERSONA = 30; // each variant: 1 registration + UPDATES performance updates
const UPDATES = 4;               // => 2 x 30 x 5 = 300 events
const run = `${process.pid}-${Date.now() % 100000}`;
const PERSONAS = [`replica-a-${run}`, `replica-b-${run}`];
const running = new Set();
process.on('exit', () => running.forEach((p) => p.kill('SIGKILL')));

function psql(sql) {
  return execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
}

async function httpStatus(port, p) {
  try { return (await fetch(`http://127.0.0.1:${port}${p}`)).status; } catch { return 0; }
}

// pushd reaches the server over TCP (127.0.0.1 when PGHOST is a socket folder), so that each backend's
// client_port in pg_stat_activity can be traced to the replica process that owns the socket.
function pushdEnv() {
  const env = { ...process.env };
  delete env.DATABASE_URL; // the PG* variables select the test database
  if (!env.PGHOST || env.PGHOST.startsWith('/')) env.PGHOST = '127.0.0.1';
  return env;
}

async function startReplica(i) {
  const port = await freePort();
  const log = fs.openSync(path.join(OUT, `replica-${i}.log`), 'w');
  const proc = spawn(process.env.PUSHD_BIN, ['--bind', '127.0.0.1', '--port', String(port)],
    { stdio: ['ignore', log, log], env: pushdEnv() });
  running.add(proc);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); }));
  await waitFor(`replica ${i} /readyz`, async () => (await httpStatus(port, '/readyz')) === 200);
  return { i, port, proc, exited };
}

// TCP local ports of the sockets a process holds (from /proc: its fds' inodes, looked up in /proc/net/tcp*).
function localTcpPorts(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (m) inodes.add(m[1]);
    } catch { /* fd closed meanwhile */ }
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

class Client {
  constructor(replica, persona) {
    this.replica = replica;
    this.persona = persona;
    this.msgs = [];
    this.closed = null;
    this.ws = new WebSocket(`ws://127.0.0.1:${replica.port}/dashboard/ws/${persona}`);
    this.ws.on('message', (m) => this.msgs.push(JSON.parse(m.toString())));
    this.ws.on('close', (code) => { this.closed = code; });
    this.opened = new Promise((resolve, reject) => { this.ws.on('open', resolve); this.ws.on('error', reject); });
  }
  snapshot() { return this.msgs.find((m) => m.type === 'initial_data'); }
  ids() { return this.msgs.filter((m) => m.type === 'variant_update').map((m) => m.data.event_id); }
}

const replicas = [];
const clients = [];
after(async () => {
  for (const c of clients) c.ws.terminate();
  for (const r of replicas) if (running.has(r.proc)) r.proc.kill('SIGKILL');
});

test('3 replicas each hold exactly one LISTEN connection', async () => {
  fs.mkdirSync(OUT, { recursive: true });
  for (let i = 0; i < REPLICAS; i++) replicas.push(await startReplica(i));
  const rows = await waitFor('3 LISTEN backends', () => {
    const out = psql(`SELECT client_port, state, query FROM pg_stat_activity
                       WHERE datname = current_database() AND application_name = 'pushd-listen'`);
    const list = out ? out.split('\n').map((l) => { const [port, state, query] = l.split('|'); return { port: Number(port), state, query }; }) : [];
    return list.length >= REPLICAS && list.every((r) => /(^|; )LISTEN variant_dashboard\b/.test(r.query)) ? list : null;
  });
  assert.equal(rows.length, REPLICAS, `LISTEN backends in this database: ${JSON.stringify(rows)}`);
  for (const r of replicas) {
    const mine = rows.filter((row) => localTcpPorts(r.proc.pid).has(row.port));
    assert.equal(mine.length, 1, `replica ${r.i} (pid ${r.proc.pid}) holds ${mine.length} LISTEN connections`);
    assert.match(mine[0].query, /(^|; )LISTEN variant_dashboard\b/); // after the session bounds (SET ...)
  }
});

test('every client on every replica gets every event of its persona exactly once, in order', async () => {
  assert.equal(replicas.length, REPLICAS, 'replicas started');
  // 4 clients per replica, personas alternating: 6 clients per persona, 2 of each persona on each replica.
  for (const r of replicas) for (let k = 0; k < CLIENTS_PER_REPLICA; k++) clients.push(new Client(r, PERSONAS[k % 2]));
  await Promise.all(clients.map((c) => c.opened));
  await waitFor('every initial_data', () => clients.every((c) => c.snapshot()));
  for (const c of clients) assert.ok(Number.isInteger(c.snapshot().data.last_event_id), 'initial_data carries last_event_id');

  // Writers: each connection takes its share of variants, so commits of both personas interleave.
  const pool = new pg.Pool({ max: WRITERS });
  const jobs = [];
  for (const persona of PERSONAS) for (let v = 0; v < VARIANTS_PER_PERSONA; v++) jobs.push([persona, `${persona}-v${v}`]);
  let next = 0;
  const writer = async () => {
    while (next < jobs.length) {
      const [persona, variant] = jobs[next++];
      await pool.query('SELECT variant_dashboard.register_variant($1, $2, $3, 0.05)', [variant, persona, `content of ${variant}`]);
      for (let u = 1; u <= UPDATES; u++) {
        await pool.query('SELECT variant_dashboard.handle_performance_update($1, $2)',
          [variant, JSON.stringify({ persona_id: persona, interaction_count: u * 3, view_count: u * 100 })]);
      }
    }
  };
  try { await Promise.all(Array.from({ length: WRITERS }, writer)); } finally { await pool.end(); }

  const logged = (persona, afterId) => {
    const out = psql(`SELECT event_id FROM variant_dashboard.events_after('${persona}', ${afterId}, 100000)`);
    return out ? out.split('\n').map(Number) : [];
  };
  const total = PERSONAS.map((p) => logged(p, 0).length).reduce((a, b) => a + b, 0);
  assert.equal(total, PERSONAS.length * VARIANTS_PER_PERSONA * (1 + UPDATES), 'events written');
  const expected = clients.map((c) => logged(c.persona, c.snapshot().data.last_event_id));
  for (const [n, c] of clients.entries()) {
    const last = expected[n][expected[n].length - 1];
    await waitFor(`replica ${c.replica.i} client of ${c.persona} to reach event ${last}`,
      () => c.ids().includes(last) || c.closed !== null, 60000);
  }
  await sleep(300); // anything late (a duplicate) arrives before the comparison
  for (const [n, c] of clients.entries()) {
    assert.ok(expected[n].length >= VARIANTS_PER_PERSONA * (1 + UPDATES), 'the client was connected before the writes');
    assert.deepEqual(c.ids(), expected[n], `replica ${c.replica.i}, persona ${c.persona}: events exactly once, in order`);
    assert.equal(c.msgs.filter((m) => m.type === 'initial_data').length, 1, 'no resync');
  }
});

test('SIGTERM: every replica closes its clients with 1001 and exits 0', async () => {
  assert.equal(replicas.length, REPLICAS, 'replicas started');
  for (const r of replicas) {
    const t0 = Date.now();
    r.proc.kill('SIGTERM');
    const res = await Promise.race([r.exited, new Promise((resolve) => setTimeout(resolve, 10000, { code: 'timeout' }).unref())]);
    assert.equal(res.code, 0, `replica ${r.i} exit status`);
    // The Kubernetes grace period (docker/k8s/deployment.yaml) assumes pushd is gone within a few seconds.
    assert.ok(Date.now() - t0 < 5000, `replica ${r.i} took ${Date.now() - t0} ms to stop`);
    const mine = clients.filter((c) => c.replica === r);
    await waitFor(`replica ${r.i} clients to close`, () => mine.every((c) => c.closed !== null), 5000);
    for (const c of mine) assert.equal(c.closed, 1001, `replica ${r.i} client close code`);
  }
  await waitFor('the LISTEN backends to go', () => psql(`SELECT count(*) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'pushd-listen'`) === '0', 10000);
});
