// HTTP framing and connection tests of pushd (issue 10 points 6, 7, 10, 11): exact bytes over node `net`
// sockets against the real binary and PostgreSQL.
'use strict';
const crypto = require('crypto');
const net = require('net');
const { psql, register, startPushd, stopPushd, get, Client, run, check, same, waitFor, sleep } = require('./lib.js');

const RUN = Date.now().toString(36);
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `hv-${RUN}-${++seq}`;
const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');

// Sends bytes (a string, or an array of strings written one per `gapMs`) and collects the answer until the
// server closes or `waitMs` pass; resolves {data, closed}.
function raw(p, bytes, { waitMs = 5000, gapMs = 0 } = {}) {
  return new Promise((resolve) => {
    const parts = Array.isArray(bytes) ? [...bytes] : [bytes];
    let data = '', timer = null, feeder = null;
    const sock = net.connect(p.port, '127.0.0.1', () => {
      const feed = () => { if (parts.length && !sock.destroyed) sock.write(parts.shift()); if (parts.length) feeder = setTimeout(feed, gapMs); };
      feed();
    });
    const done = (closed) => { clearTimeout(timer); clearTimeout(feeder); sock.destroy(); resolve({ data, closed }); };
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => done(true));
    sock.on('error', () => {});
    timer = setTimeout(() => done(false), waitMs);
  });
}
const status = (answer) => Number((/^HTTP\/1\.[01] (\d{3})/.exec(answer.data) || [])[1]);
const answers = (answer) => (answer.data.match(/^HTTP\/1\.[01] \d{3}/gm) || []).length;

// Counts rows that refused requests must never change.
const dbFingerprint = () => psql('SELECT (SELECT count(*) FROM variant_dashboard.variants) || \'/\' || ' +
  '(SELECT count(*) FROM variant_dashboard.dashboard_events)');

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('http-connect-and-timeouts', async () => {
  const p = await startPushd('http-timeouts', ['--http-timeout-ms', '1500', '--max-http-conns-per-ip', '6']);
  const connect = await raw(p, 'CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n', { waitMs: 1000 });
  check(connect.closed && status(connect) === 405, `CONNECT answered 405 and closed at once: ${JSON.stringify(connect)}`);
  const unknown = await raw(p, 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 1000 });
  check(unknown.closed && status(unknown) === 501, `unknown method answered 501 and closed: ${JSON.stringify(unknown)}`);
  const body = '{"variant_id":"x","persona_id":"y"}';
  const slow = await raw(p, [`POST /api/events/early-kill HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`,
    ...body.split('')], { gapMs: 1000, waitMs: 8000 });
  check(slow.closed && status(slow) === 408, `a body at 1 byte/s gets 408 and a close: ${JSON.stringify(slow)}`);
  const silent = await raw(p, 'CONNECT x:443 HTTP/1.1\r\nHost: x', { waitMs: 8000 });
  check(silent.closed && status(silent) === 408, `an unfinished head gets 408 and a close: ${JSON.stringify(silent)}`);
  // per-IP cap: 6 idle connections are held, the 7th is closed at accept; WebSockets do not count
  const held = [];
  for (let i = 0; i < 6; i++) held.push(await new Promise((resolve) => { const s = net.connect(p.port, '127.0.0.1', () => resolve(s)); s.on('error', () => {}); }));
  await sleep(200);
  const over = await raw(p, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 2000 });
  check(over.closed && over.data === '', `the 7th HTTP connection of the IP is closed: ${JSON.stringify(over)}`);
  held.forEach((s) => s.destroy());
  await sleep(300);
  same((await get(p, '/healthz')).status, 200, 'room again once they closed');
  check(/"limit":"http_conns_per_ip"/.test(require('fs').readFileSync(`${process.env.TEST_OUT}/pushd-http-timeouts.log`, 'utf8')), 'cap logged');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('http-smuggling', async () => {
  const p = await startPushd('http-smuggling');
  const before = dbFingerprint();
  const clte = await raw(p, 'POST /api/events/early-kill HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 3000 });
  check(clte.closed && status(clte) === 400 && answers(clte) === 1 && /Transfer-Encoding/.test(clte.data), `CL+TE: one 400 and a close: ${JSON.stringify(clte)}`);
  const twoCl = await raw(p, 'POST /api/events/early-kill HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}xyz',
    { waitMs: 3000 });
  check(twoCl.closed && status(twoCl) === 400 && answers(twoCl) === 1 && /Content-Length/.test(twoCl.data), `two Content-Length: one 400 and a close: ${JSON.stringify(twoCl)}`);
  const chunked = await raw(p, 'POST /api/events/early-kill HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    { waitMs: 3000 });
  check(chunked.closed && status(chunked) === 411 && /Content-Length/.test(chunked.data), `chunked body: 411 and a close: ${JSON.stringify(chunked)}`);
  same(dbFingerprint(), before, 'nothing written');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('http-head-and-sizes', async () => {
  const p = await startPushd('http-head');
  const head = await raw(p, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const [first, second] = head.data.split(/(?=HTTP\/1\.1 )/);
  check(/^HTTP\/1\.1 200 /.test(first) && /content-length: 15\r\n/.test(first) && first.endsWith('\r\n\r\n'),
    `HEAD: the GET headers without a body: ${JSON.stringify(first)}`);
  check(/^HTTP\/1\.1 200 /.test(second || '') && /"healthy"/.test(second), `the next request on the connection is in step: ${JSON.stringify(second)}`);
  const token = 'a'.repeat(8192);
  const big = await raw(p, `GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
  same(status(big), 200, 'an 8,192-byte token fits');
  const longUrl = await raw(p, `GET /healthz?x=${'b'.repeat(12000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  check(longUrl.closed && status(longUrl) === 414, `long URL: 414: ${JSON.stringify(longUrl.data.slice(0, 80))}`);
  const fat = await raw(p, `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(17000)}\r\n\r\n`);
  check(fat.closed && status(fat) === 431, `large headers: 431: ${JSON.stringify(fat.data.slice(0, 80))}`);
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('origin-writes-frames-crit', async () => {
  const good = 'https://dash.example.org';
  const p = await startPushd('origin-writes', ['--allowed-origins', good]);
  const pa = persona('ow'), v = variant();
  register(pa, v);
  const before = dbFingerprint();
  const body = JSON.stringify({ variant_id: v, persona_id: pa, interaction_count: 1, view_count: 10 });
  const evil = await get(p, '/api/events/performance-update', { method: 'POST', body,
    headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } });
  same([evil.status, evil.json], [403, { error: 'origin not allowed' }], 'cross-origin text/plain POST refused');
  same(dbFingerprint(), before, 'nothing written');
  const ok = await get(p, '/api/events/performance-update', { method: 'POST', body,
    headers: { 'content-type': 'application/json', origin: good } });
  same(ok.status, 200, 'a listed origin writes');
  const c = new Client(p, pa);
  await c.next('initial_data', (m) => m.type === 'initial_data');
  c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
  await waitFor('binary frame closes', () => c.closed);
  same(c.closed.code, 1003, 'binary frame close code');
  same((await stopPushd(p)).code, 0, 'exit status');
  const secret = 'crit-secret-' + RUN;
  const q = await startPushd('crit', ['--jwt-secret', secret]);
  const sign = (header) => {
    const head = `${b64(header)}.${b64({ exp: Math.floor(Date.now() / 1000) + 300, personas: '*' })}`;
    return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
  };
  same((await get(q, `/api/variants/${pa}/active`, { headers: { authorization: `Bearer ${sign({ alg: 'HS256', typ: 'JWT' })}` } })).status,
    200, 'a plain token passes');
  const crit = await get(q, `/api/variants/${pa}/active`, { headers: { authorization: `Bearer ${sign({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 })}` } });
  same(crit.status, 401, 'a token with an unknown crit is refused');
  same((await stopPushd(q)).code, 0, 'exit status');
  // the adversarial run's own case: no tokens, no --allowed-origins: still no write from another site
  const d = await startPushd('origin-default', []);
  const untouched = dbFingerprint();
  const cross = await get(d, '/api/events/performance-update', { method: 'POST', body,
    headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } });
  same([cross.status, cross.json], [403, { error: 'origin not allowed' }], 'default: cross-origin POST refused');
  same(dbFingerprint(), untouched, 'nothing written');
  const own = JSON.stringify({ variant_id: v, persona_id: pa, interaction_count: 2, view_count: 20 });
  const same_ = await get(d, '/api/events/performance-update', { method: 'POST', body: own,
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${d.port}` } });
  same(same_.status, 200, "default: the page's own origin writes");
  const read = await get(d, `/api/variants/${pa}/active`, { headers: { origin: 'https://evil.example' } });
  same(read.status, 200, 'default: reads stay open to every origin');
  same((await stopPushd(d)).code, 0, 'exit status');
});

run(tests);
