// Helpers for the pushd integration tests: spawning the real binary, psql, WebSocket and HTTP clients.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const https = require('https');
const net = require('net');
const path = require('path');
const WebSocket = require('ws');

const OUT = process.env.TEST_OUT || '/tmp/pushd-test-out';
const WRAPPER = (process.env.PUSHD_WRAPPER || '').split(' ').filter(Boolean);
const SLOW = WRAPPER.length ? 10 : 1; // valgrind runs everything ~10x slower
const running = new Set(); // pushd processes a failed test left behind are killed at exit
process.on('exit', () => running.forEach((proc) => proc.kill('SIGKILL')));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs SQL through psql (PG* from the environment) and returns the trimmed output.
function psql(sql) {
  return execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// Registers a variant; returns its event id.
function register(persona, variant, content = 'c') {
  return Number(psql(`SELECT variant_dashboard.register_variant('${variant}', '${persona}', '${content}', 0.05)`));
}

// The event ids of a persona after `after`, from the event log: the ground truth.
function loggedIds(persona, after) {
  const out = psql(`SELECT event_id FROM variant_dashboard.events_after('${persona}', ${after}, 1000000)`);
  return out ? out.split('\n').map(Number) : [];
}

// A free TCP port on 127.0.0.1.
function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Polls fn until it returns a truthy value; throws after timeoutMs (a liveness bound, not a timing check).
async function waitFor(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs * SLOW;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// Starts the real pushd on a free port; resolves once /healthz answers. With tls = {ca}, over https/wss.
async function startPushd(name, args = [], tls = null) {
  const port = await freePort();
  const log = fs.openSync(path.join(OUT, `pushd-${name}.log`), 'w');
  const argv = [...WRAPPER, process.env.PUSHD_BIN, '--bind', '127.0.0.1', '--port', String(port), ...args];
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log] });
  running.add(proc);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); }));
  const s = tls ? 's' : '';
  const p = { proc, port, exited, ca: tls && tls.ca, http: `http${s}://127.0.0.1:${port}`, ws: `ws${s}://127.0.0.1:${port}` };
  await waitFor('pushd to listen', async () => (await get(p, '/healthz').catch(() => null))?.status === 200);
  await waitFor('pushd to be ready', async () => (await get(p, '/readyz')).status === 200);
  return p;
}

// Sends SIGTERM and resolves with the exit status and how long it took.
async function stopPushd(p) {
  const t0 = Date.now();
  p.proc.kill('SIGTERM');
  const res = await p.exited;
  return { ...res, ms: Date.now() - t0 };
}

// An https request trusting the test's CA (fetch cannot take one); resolves like fetch's Response.
function httpsFetch(p, url, init = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method || 'GET', headers: init.headers, ca: p.ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, text: async () => body,
        headers: { get: (h) => res.headers[h.toLowerCase()] ?? null } }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

// GET (or another method) returning {status, body, json, type, headers}.
async function get(p, urlPath, init) {
  const res = await (p.ca ? httpsFetch(p, p.http + urlPath, init) : fetch(p.http + urlPath, init));
  const body = await res.text();
  let json = null;
  try { json = JSON.parse(body); } catch (e) { /* not JSON */ }
  return { status: res.status, body, json, type: res.headers.get('content-type'), headers: res.headers };
}

// POST a body (object or raw string).
function post(p, urlPath, body) {
  return get(p, urlPath, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' } });
}

// A WebSocket client that records every message and its close.
class Client {
  constructor(p, persona, query = '', opts = {}) {
    this.msgs = [];
    this.closed = null;
    const { protocols, ...wsOpts } = opts;
    this.ws = new WebSocket(`${p.ws}/dashboard/ws/${persona}${query}`, protocols || [], { ca: p.ca, ...wsOpts });
    this.opened = new Promise((resolve, reject) => {
      this.ws.on('open', resolve);
      this.ws.on('error', reject);
      this.ws.on('unexpected-response', (req, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode })));
    });
    this.ws.on('message', (m) => this.msgs.push(JSON.parse(m.toString())));
    this.ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
  }
  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }
  ofType(type) { return this.msgs.filter((m) => m.type === type); }
  updateIds() { return this.ofType('variant_update').map((m) => m.data.event_id); }
  // Waits until a message matching pred arrives after index `from`; returns it.
  next(what, pred, from = 0) {
    return waitFor(what, () => this.msgs.slice(from).find(pred));
  }
  close() { this.ws.close(); }
}

// Minimal TAP runner: runs the selected tests in order; exits non-zero on any failure.
async function run(tests) {
  const only = (process.env.PUSHD_TESTS || '').split(',').filter(Boolean);
  const selected = tests.filter(([name]) => !only.length || only.includes(name));
  let failed = 0;
  console.log(`1..${selected.length}`);
  for (const [i, [name, fn]] of selected.entries()) {
    try {
      await fn();
      console.log(`ok ${i + 1} - ${name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i + 1} - ${name}\n  # ${String(e.stack || e).split('\n').join('\n  # ')}`);
    }
  }
  console.log(`# ${selected.length - failed}/${selected.length} passed`);
  process.exit(failed ? 1 : 0);
}

// Throws unless cond holds.
function check(cond, msg) { if (!cond) throw new Error(msg); }
// Throws unless a and b are deeply equal (as JSON).
function same(a, b, msg) {
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(`${msg}: got ${ja.slice(0, 400)} expected ${jb.slice(0, 400)}`);
}

// The complete JSON log lines of a pushd instance (startPushd's name) with the given event; a line still
// being written (no newline yet) is left for the next look.
function logLines(name, event) {
  return fs.readFileSync(path.join(OUT, `pushd-${name}.log`), 'utf8').split('\n').slice(0, -1)
    .filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.event === event);
}

module.exports = { psql, register, loggedIds, logLines, startPushd, stopPushd, get, post, Client, run, check, same, waitFor, sleep, OUT, SLOW };
