// Security tests of pushd: JWT access control, abuse limits, origins, TLS and hostile inputs, against the real
// binary and PostgreSQL. Tokens are made here by hand (HMAC, RSA, EC with Node's crypto); pushd verifies them
// with libjwt.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { psql, register, logLines, startPushd, stopPushd, get, Client, run, check, same, waitFor, sleep, OUT } =
  require('./lib.js');

const RUN = Date.now().toString(36);
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `sv-${RUN}-${++seq}`;
const SECRET = 'test-secret-' + RUN;
const now = () => Math.floor(Date.now() / 1000);
const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

// A signed JWT: alg HS256 (secret), RS256/ES256 (PEM private key) or none.
function jwt(claims, { alg = 'HS256', key = SECRET } = {}) {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64({ exp: now() + 300, ...claims })}`;
  let sig = '';
  if (alg === 'HS256') sig = crypto.createHmac('sha256', key).update(head).digest('base64url');
  if (alg === 'RS256') sig = crypto.sign('sha256', Buffer.from(head), key).toString('base64url');
  if (alg === 'ES256') sig = crypto.sign('sha256', Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${head}.${sig}`;
}
const bearer = (token) => ({ authorization: `Bearer ${token}` });

// Writes the HS256 secret to a file pushd reads (with a trailing newline, which pushd ignores).
function secretFile() {
  const file = path.join(OUT, `jwt-secret-${RUN}`);
  fs.writeFileSync(file, SECRET + '\n');
  return file;
}

// POST a JSON body with extra headers.
function postJson(p, urlPath, body, headers = {}) {
  return get(p, urlPath, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
}

// Opens a client and resolves with null when it got initial_data, or the HTTP status of a refused upgrade.
async function refusal(p, pa, query = '', opts = {}) {
  const c = new Client(p, pa, query, opts);
  const err = await c.opened.then(() => null, (e) => e);
  if (err) return err.status || String(err);
  await c.next('initial_data', (m) => m.type === 'initial_data');
  c.close();
  return null;
}

// Sends a raw HTTP/1.1 request line (no client-side path normalisation); resolves with the whole answer.
function rawGet(p, target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(p.port, '127.0.0.1', () =>
      sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
}

// Counts rows that refused requests must never change.
function dbFingerprint() {
  return psql('SELECT (SELECT count(*) FROM variant_dashboard.variants) || \'/\' || ' +
    '(SELECT count(*) FROM variant_dashboard.dashboard_events)');
}

// The value of a counter in /metrics.
async function metric(p, name, headers = {}) {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec((await get(p, '/metrics', { headers })).body);
  return m ? Number(m[1]) : NaN;
}

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('auth-rest', async () => {
  const p = await startPushd('auth-rest', ['--jwt-secret-file', secretFile()]);
  const [pa, pb] = [persona('ara'), persona('arb')];
  const v = variant();
  register(pa, v);
  const tA = jwt({ personas: [pa] });
  same((await get(p, '/healthz')).status, 200, 'health needs no token');
  const none = await get(p, `/api/metrics/${pa}`);
  check(none.status === 401 && none.json.error === 'missing token' && none.headers.get('www-authenticate') === 'Bearer',
    `no token: 401 with WWW-Authenticate (${none.status} ${none.body})`);
  same((await get(p, `/api/metrics/${pa}`, { headers: bearer(tA) })).status, 200, 'token for the persona');
  same((await get(p, `/api/metrics/${pa}?access_token=${tA}`)).status, 200, 'token as access_token argument');
  same((await get(p, `/api/fatigue/${pb}`, { headers: bearer(tA) })).status, 403, 'token for another persona');
  same((await get(p, `/api/fatigue/${pb}`, { headers: bearer(jwt({ personas: '*' })) })).status, 200, 'wildcard token');
  const bad = {
    expired: jwt({ personas: [pa], exp: now() - 120 }),
    'bad signature': jwt({ personas: [pa] }, { key: 'another secret' }),
    'alg none': jwt({ personas: [pa] }, { alg: 'none' }),
    'no exp': `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ personas: [pa] })}`,
    'nbf ahead': jwt({ personas: [pa], nbf: now() + 600 }),
    garbage: 'not.a.token',
  };
  bad['no exp'] += '.' + crypto.createHmac('sha256', SECRET).update(bad['no exp']).digest('base64url');
  for (const [what, token] of Object.entries(bad))
    same((await get(p, `/api/metrics/${pa}`, { headers: bearer(token) })).status, 401, what);
  const before = dbFingerprint();
  const body = { variant_id: v, persona_id: pa, interaction_count: 5, view_count: 50 };
  same((await postJson(p, '/api/events/performance-update', body)).status, 401, 'POST without token');
  same((await postJson(p, '/api/events/performance-update', body, bearer(tA))).status, 403, 'POST with a read token');
  same((await postJson(p, '/api/events/performance-update', { ...body, persona_id: pb },
    bearer(jwt({ personas: [pa], scope: 'write' })))).status, 403, 'POST for another persona');
  same(dbFingerprint(), before, 'refused POSTs wrote nothing');
  const ok = await postJson(p, '/api/events/performance-update', body, bearer(jwt({ personas: [pa], scope: 'read write' })));
  check(ok.status === 200 && Number.isInteger(ok.json.event_id), `POST with a write token: ${ok.body}`);
  same((await postJson(p, '/api/events/performance-update', { ...body, view_count: 60 },
    bearer(jwt({ personas: [pa], scope: ['write'] })))).status, 200, 'scope as a list');
  check(await metric(p, 'dashboard_auth_refused_total') >= 10, 'refusals counted');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('auth-ws', async () => {
  const p = await startPushd('auth-ws', ['--jwt-secret-file', secretFile()]);
  const [pa, pb] = [persona('awa'), persona('awb')];
  const tA = jwt({ personas: [pa] });
  same(await refusal(p, pa, '', { headers: bearer(tA) }), null, 'Authorization header');
  same(await refusal(p, pa, `?access_token=${tA}`), null, 'access_token argument');
  same(await refusal(p, pb, '', { headers: bearer(tA) }), 403, 'another persona refused');
  same(await refusal(p, pa), 401, 'missing token');
  same(await refusal(p, pa, '', { headers: bearer(jwt({ personas: [pa], exp: now() - 120 })) }), 401, 'expired');
  same(await refusal(p, pa, '', { headers: bearer(jwt({ personas: [pa] }, { key: 'x' })) }), 401, 'bad signature');
  same(await refusal(p, pa, '', { headers: bearer(jwt({ personas: [pa] }, { alg: 'none' })) }), 401, 'alg none');
  const a = new Client(p, pa, '', { headers: bearer(tA) });
  const b = new Client(p, pb, '', { headers: bearer(jwt({ personas: [pb] })) });
  await a.next('a initial', (m) => m.type === 'initial_data');
  await b.next('b initial', (m) => m.type === 'initial_data');
  const idb = register(pb, variant()), ida = register(pa, variant());
  await waitFor('events', () => a.updateIds().length && b.updateIds().length);
  await sleep(100);
  same([a.updateIds(), b.updateIds()], [[ida], [idb]], 'each persona only sees its own events');
  a.close(); b.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('auth-expiry', async () => {
  const p = await startPushd('auth-exp', ['--jwt-secret-file', secretFile(), '--jwt-leeway', '0']);
  const pa = persona('axa');
  const short = () => jwt({ personas: [pa], exp: now() + 2 });
  const doomed = new Client(p, pa, '', { headers: bearer(short()) });
  const kept = new Client(p, pa, '', { headers: bearer(short()) });
  await doomed.next('initial', (m) => m.type === 'initial_data');
  await kept.next('initial', (m) => m.type === 'initial_data');
  kept.send({ type: 'auth', token: jwt({ personas: ['someone-else'], exp: now() + 60 }) });
  await kept.next('refresh for another persona refused', (m) => m.type === 'error' && /persona/.test(m.message));
  kept.send({ type: 'auth', token: jwt({ personas: [pa], exp: now() + 60 }) });
  await kept.next('auth_ok', (m) => m.type === 'auth_ok' && m.exp > now() + 30);
  await waitFor('expired socket closed', () => doomed.closed, 10000);
  same(doomed.closed, { code: 4001, reason: 'token expired' }, 'close code and reason at expiry');
  await sleep(1500);
  check(kept.closed === null, 'refreshed socket stays open');
  const id = register(pa, variant());
  await waitFor('refreshed socket still live', () => kept.updateIds().includes(id));
  same(await metric(p, 'dashboard_auth_expired_total'), 1, 'expiry counted');
  kept.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('auth-keys', async () => {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pa = persona('aka');
  for (const [name, pair, alg] of [['rsa', rsa, 'RS256'], ['ec', ec, 'ES256']]) {
    const pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
    const file = path.join(OUT, `jwt-${name}-${RUN}.pem`);
    fs.writeFileSync(file, pub);
    const p = await startPushd(`auth-${name}`, ['--jwt-public-key', file]);
    const url = `/api/metrics/${pa}`, headers = bearer(jwt({ personas: [pa] }, { alg, key: pair.privateKey }));
    const first = await waitFor('the query pool', async () => { const r = await get(p, url, { headers }); return r.status !== 503 && r; });
    same(first.status, 200, alg);
    // algorithm confusion: an HS256 token "signed" with the public key as the HMAC secret
    same((await get(p, url, { headers: bearer(jwt({ personas: [pa] }, { key: pub })) })).status, 401, `${name}: HS256 refused`);
    same((await get(p, url, { headers: bearer(jwt({ personas: [pa] }, { alg: 'none' })) })).status, 401, `${name}: none refused`);
    same((await stopPushd(p)).code, 0, 'exit status');
  }
});

test('rate-limits', async () => {
  const p = await startPushd('limits', ['--http-rate', '5', '--ws-msg-rate', '2', '--max-conns-per-ip', '2', '--conn-rate', '0']);
  const pa = persona('rl');
  await sleep(2000); // refill the buckets the start-up polling used
  const answers = await Promise.all(Array.from({ length: 30 }, () => get(p, '/healthz')));
  const limited = answers.filter((r) => r.status === 429);
  check(limited.length >= 15 && answers.some((r) => r.status === 200), `some of 30 requests limited (${limited.length})`);
  check(limited[0].json.error === 'too many requests' && limited[0].headers.get('retry-after') === '1', '429 JSON answer');
  await sleep(1500);
  const [c1, c2] = [new Client(p, pa), new Client(p, pa)];
  await Promise.all([c1.opened, c2.opened]);
  same(await refusal(p, pa), 429, 'third WebSocket of the IP refused');
  for (let i = 0; i < 10; i++) c1.send({ type: 'ping' });
  await waitFor('flooding client closed', () => c1.closed);
  same(c1.closed, { code: 4029, reason: 'rate limit exceeded' }, 'message flood close');
  await sleep(1500);
  check(c2.closed === null, 'the quiet client stays');
  check(await metric(p, 'dashboard_rate_limited_requests_total') >= 15, 'HTTP 429s counted');
  same(await metric(p, 'dashboard_rate_limited_messages_total'), 1, 'message limit counted');
  same(await metric(p, 'dashboard_rate_limited_connections_total'), 1, 'connection limit counted');
  const logged = fs.readFileSync(path.join(OUT, 'pushd-limits.log'), 'utf8').split('\n').filter((l) => /"rate_limited"/.test(l));
  check(logged.filter((l) => /http_rate/.test(l)).length === 1, 'the HTTP limit is logged once per interval');
  c2.close();
  const q = await startPushd('conn-rate', ['--conn-rate', '1']);
  await sleep(2100);
  const opened = await Promise.all([1, 2, 3, 4].map(() => refusal(q, pa)));
  check(opened.filter((s) => s === 429).length >= 1 && opened.includes(null), `new-connection rate: ${opened}`);
  same((await stopPushd(q)).code, 0, 'exit status');
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('max-clients', async () => {
  const p = await startPushd('maxcl', ['--max-clients', '2']);
  const pa = persona('mc');
  const [a, b] = [new Client(p, pa), new Client(p, pa)];
  await a.next('a', (m) => m.type === 'initial_data');
  await b.next('b', (m) => m.type === 'initial_data');
  same(await refusal(p, pa), 503, 'third client refused');
  const id = register(pa, variant());
  await waitFor('existing clients unaffected', () => a.updateIds().includes(id) && b.updateIds().includes(id));
  same(await metric(p, 'dashboard_max_clients_refused_total'), 1, 'refusal counted');
  a.close();
  await waitFor('a closed', () => a.closed);
  await sleep(100);
  same(await refusal(p, pa), null, 'room again after a client left');
  b.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('origins', async () => {
  const good = 'https://dash.example.org', evil = 'https://evil.example.com';
  const p = await startPushd('origins', ['--allowed-origins', `${good}, http://localhost:5173`]);
  const pa = persona('or');
  same(await refusal(p, pa, '', { origin: evil }), 403, 'upgrade from another origin');
  same(await refusal(p, pa, '', { origin: good }), null, 'upgrade from an allowed origin');
  same(await refusal(p, pa), null, 'upgrade without Origin (not a browser)');
  const ok = await get(p, `/api/metrics/${pa}`, { headers: { origin: good } });
  same([ok.headers.get('access-control-allow-origin'), ok.headers.get('vary')], [good, 'Origin'], 'CORS for an allowed origin');
  same((await get(p, `/api/metrics/${pa}`, { headers: { origin: evil } })).headers.get('access-control-allow-origin'), null,
    'no CORS header for another origin');
  const pre = await get(p, `/api/metrics/${pa}`, { method: 'OPTIONS', headers: { origin: good,
    'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  check(pre.status === 204 && /authorization/.test(pre.headers.get('access-control-allow-headers')) &&
    pre.headers.get('access-control-allow-origin') === good, `preflight ${pre.status}`);
  same((await get(p, `/api/metrics/${pa}`, { method: 'OPTIONS', headers: { origin: evil } })).status, 403, 'preflight refused');
  same(await metric(p, 'dashboard_origin_refused_total'), 2, 'origin refusals counted');
  same((await stopPushd(p)).code, 0, 'exit status');
  const open = await startPushd('origins-open');
  same((await get(open, '/')).headers.get('access-control-allow-origin'), '*', 'no list: any origin');
  same(await refusal(open, pa, '', { origin: evil }), null, 'no list: any origin upgrades');
  same((await stopPushd(open)).code, 0, 'exit status');
});

test('tls', async () => {
  const dir = fs.mkdtempSync(path.join(OUT, 'tls-'));
  const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const p = await startPushd('tls', ['--tls-cert', cert, '--tls-key', key], { ca: fs.readFileSync(cert) });
  const pa = persona('tls');
  same((await get(p, '/')).json, { status: 'healthy', service: 'variant-dashboard-api' }, 'https GET /');
  const c = new Client(p, pa);
  await c.next('initial_data over wss', (m) => m.type === 'initial_data');
  const id = register(pa, variant());
  await waitFor('event over wss', () => c.updateIds().includes(id));
  c.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('hostile', async () => {
  const webRoot = fs.mkdtempSync(path.join(OUT, 'web-'));
  fs.writeFileSync(path.join(webRoot, 'index.html'), '<html>hostile-test</html>');
  const p = await startPushd('hostile', ['--web-root', webRoot, '--max-frame-size', '65536']);
  const pa = persona('ho');
  register(pa, variant());
  const before = dbFingerprint();
  for (const target of ['/dashboard/../../etc/passwd', '/dashboard/%2e%2e/%2e%2e/etc/passwd',
    '/dashboard/..%2f..%2f..%2fetc%2fpasswd', '/dashboard/%2e%2e%2f%2e%2e%2fetc/passwd', '/dashboard/....//....//etc/passwd']) {
    const answer = await rawGet(p, target);
    check(!/root:.*:0:0:/.test(answer), `${target} must not serve /etc/passwd`);
    check(/^HTTP\/1\.1 404 /.test(answer) && /"error"/.test(answer), `${target}: 404 JSON (${answer.split('\r\n')[0]})`);
  }
  same((await get(p, "/api/metrics/x'%20OR%201=1;--")).status, 400, 'SQL metacharacters in a persona id');
  check([400, 404].includes((await postJson(p, '/api/events/early-kill', { variant_id: "'; DELETE FROM variant_dashboard.variants; --",
    persona_id: pa, reason: "'); DROP TABLE x; --" })).status), 'SQL metacharacters in a body: refused (invalid or unknown)');
  const deep = new Client(p, pa);
  await deep.next('initial', (m) => m.type === 'initial_data');
  deep.send('['.repeat(30000) + ']'.repeat(30000));
  await deep.next('error for deep JSON', (m) => m.type === 'error' && /JSON/.test(m.message));
  deep.send({ type: 'ping' });
  await deep.next('still answering', (m) => m.type === 'pong');
  const huge = new Client(p, pa);
  await huge.next('initial', (m) => m.type === 'initial_data');
  huge.send('x'.repeat(1 << 20));
  await waitFor('1 MB frame closes', () => huge.closed);
  same(huge.closed.code, 1009, '1 MB frame close code');
  const utf = new Client(p, pa);
  await utf.next('initial', (m) => m.type === 'initial_data');
  utf.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
  await waitFor('invalid UTF-8 closes', () => utf.closed);
  same(utf.closed.code, 1007, 'invalid UTF-8 close code');
  same(dbFingerprint(), before, 'nothing written');
  same((await get(p, '/healthz')).status, 200, 'pushd still up');
  check(deep.closed === null, 'the other client is unaffected');
  deep.close();
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('writer-url', async () => {
  const p = await startPushd('writer', ['--writer-database-url', `dbname=${process.env.PGDATABASE} application_name=w`]);
  const pa = persona('wr');
  const v = variant();
  register(pa, v);
  const ok = await postJson(p, '/api/events/performance-update', { variant_id: v, persona_id: pa, interaction_count: 1, view_count: 10 });
  check(ok.status === 200 && Number.isInteger(ok.json.event_id), `ingestion through the writer: ${ok.body}`);
  same((await stopPushd(p)).code, 0, 'exit status');
  const log = fs.readFileSync(path.join(OUT, 'pushd-writer.log'), 'utf8');
  check(/"event":"db_connected".*"writer":true/.test(log), 'a writer connection was made');
  const superuser = psql('SELECT rolsuper FROM pg_roles WHERE rolname = current_user') === 't';
  same(/"event":"db_superuser"/.test(log), superuser, 'superuser warning iff connected as a superuser');
});

// Opens WebSockets in parallel, each with its own request headers; resolves with null (open) or the refusal
// status of each, leaving the open ones open.
async function openAll(p, pa, headerList) {
  const clients = headerList.map((headers) => new Client(p, pa, '', { headers }));
  const outcomes = await Promise.all(clients.map((c) => c.opened.then(() => null, (e) => e.status || String(e))));
  return { clients, outcomes };
}

test('trusted-proxies-limits', async () => {
  // Behind a proxy every client has the proxy's address (127.0.0.1 here): with --trusted-proxies the limits
  // count the X-Forwarded-For client instead, at the documented values (64 open, bursts of 20 new).
  const p = await startPushd('proxy-limits', ['--trusted-proxies', '127.0.0.0/8']);
  const pa = persona('px');
  const distinct = await openAll(p, pa, Array.from({ length: 70 }, (_, i) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` })));
  same(distinct.outcomes.filter((o) => o !== null), [], '70 quick WebSockets of 70 forwarded clients all open');
  const quick = await openAll(p, pa, Array.from({ length: 30 }, () => ({ 'x-forwarded-for': '203.0.113.1' })));
  const refused = quick.outcomes.filter((o) => o !== null);
  check(quick.outcomes.filter((o) => o === null).length >= 20, `the burst of 20 passes (${quick.outcomes})`);
  check(refused.length > 0 && refused.every((o) => o === 429), `quick upgrades past the burst get 429 (${quick.outcomes})`);
  [...distinct.clients, ...quick.clients].forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');

  const q = await startPushd('proxy-conns', ['--trusted-proxies', '127.0.0.0/8', '--conn-rate', '0']);
  const one = { 'x-forwarded-for': '203.0.113.2' };
  const first64 = await openAll(q, pa, Array.from({ length: 64 }, () => one));
  same(first64.outcomes.filter((o) => o !== null), [], '64 WebSockets of one forwarded client open');
  same((await openAll(q, pa, [one])).outcomes, [429], 'its 65th gets 429');
  const other = await openAll(q, pa, [{ 'x-forwarded-for': '203.0.113.3' }]);
  same(other.outcomes, [null], 'another forwarded client still gets in');
  same(await metric(q, 'dashboard_rate_limited_connections_total'), 1, 'one refusal counted');
  const limited = logLines('proxy-conns', 'rate_limited');
  same(limited.map((l) => [l.client_ip, l.limit]), [['203.0.113.2', 'conns_per_ip']], 'logged under the forwarded client');
  [...first64.clients, ...other.clients].forEach((c) => c.close());
  same((await stopPushd(q)).code, 0, 'exit status');
});

test('trusted-proxies-spoof', async () => {
  // Without --trusted-proxies a client's own X-Forwarded-For is ignored: it cannot buy itself fresh limits.
  const p = await startPushd('proxy-spoof', ['--max-conns-per-ip', '3', '--conn-rate', '0']);
  const pa = persona('ps');
  const spoofed = await openAll(p, pa, [1, 2, 3, 4].map((i) => ({ 'x-forwarded-for': `192.0.2.${i}`, forwarded: `for=192.0.2.${i}` })));
  same(spoofed.outcomes.map(String).sort(), ['429', 'null', 'null', 'null'], 'one of 4 WebSockets of the peer is refused');
  await get(p, '/healthz', { headers: { 'x-forwarded-for': '192.0.2.9' } });
  await waitFor('log lines', () => logLines('proxy-spoof', 'http_request').some((l) => l.client_ip === '127.0.0.1'));
  const ips = [...logLines('proxy-spoof', 'ws_connected'), ...logLines('proxy-spoof', 'http_request'),
    ...logLines('proxy-spoof', 'rate_limited')].map((l) => l.client_ip);
  check(ips.length >= 5 && ips.every((ip) => ip === '127.0.0.1'), `every line names the peer: ${ips}`);
  spoofed.clients.forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
  const bad = spawnSync(process.env.PUSHD_BIN, ['--trusted-proxies', '10.0.0.0/8, 10.0.0.0/33'], { encoding: 'utf8' });
  check(bad.status === 2 && /'10\.0\.0\.0\/33' is not an address or CIDR/.test(bad.stderr), `a bad CIDR stops pushd: ${bad.status} ${bad.stderr}`);
});

test('forwarded-headers', async () => {
  // Right-most untrusted hop of X-Forwarded-For, the Forwarded form (quoted IPv6 with a port), one canonical
  // spelling per client, and the peer when the chain names no address.
  const p = await startPushd('proxy-fwd', ['--trusted-proxies', '127.0.0.0/8, 10.0.0.0/8', '--max-conns-per-ip', '1', '--conn-rate', '0']);
  const pa = persona('pf');
  const cases = [
    [{ 'x-forwarded-for': '198.51.100.9, 203.0.113.5, 10.1.2.3' }, null],
    [{ 'x-forwarded-for': '192.0.2.1, 203.0.113.5' }, 429], // the same client, 203.0.113.5
    [{ forwarded: 'for="[2001:db8::1]:4711"' }, null],
    [{ forwarded: 'for=192.0.2.43;proto=https, For="[2001:DB8:0::1]";by=10.0.0.1' }, 429], // 2001:db8::1 again
    [{ forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43, for=10.0.0.7' }, null],
    [{ 'x-forwarded-for': '10.0.0.1, 10.0.0.2' }, null], // all trusted: the left-most
    [{ 'x-forwarded-for': '::ffff:198.51.100.77' }, null],
    [{ 'x-forwarded-for': '198.51.100.1, unknown' }, null], // no address: the peer
  ];
  const clients = [];
  for (const [headers, want] of cases) {
    const { clients: [c], outcomes: [got] } = await openAll(p, pa, [headers]);
    same(got, want, `upgrade with ${JSON.stringify(headers)}`);
    clients.push(c);
  }
  const ok = await get(p, '/healthz', { headers: { 'x-forwarded-for': '203.0.113.77, 10.9.9.9' } });
  same(ok.status, 200, 'a forwarded HTTP request');
  await waitFor('log lines', () => logLines('proxy-fwd', 'http_request').some((l) => l.client_ip === '203.0.113.77'));
  same(logLines('proxy-fwd', 'ws_connected').map((l) => l.client_ip),
    ['203.0.113.5', '2001:db8::1', '192.0.2.60', '10.0.0.1', '198.51.100.77', '127.0.0.1'], 'ws_connected lines name the clients');
  same(logLines('proxy-fwd', 'rate_limited').map((l) => l.client_ip), ['203.0.113.5', '2001:db8::1'], 'refusals logged per client');
  same(await metric(p, 'dashboard_rate_limited_connections_total'), 2, 'refusals counted');
  clients.forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
});

test('forwarded-http-rate', async () => {
  // --http-rate counts each forwarded client on its own.
  const q = await startPushd('proxy-http', ['--trusted-proxies', '127.0.0.0/8', '--http-rate', '5']);
  const flood = await Promise.all(Array.from({ length: 30 }, () => get(q, '/healthz', { headers: { 'x-forwarded-for': '198.51.100.200' } })));
  check(flood.filter((r) => r.status === 429).length >= 15, 'one forwarded client flooding gets 429');
  const calm = await Promise.all(Array.from({ length: 5 }, () => get(q, '/healthz', { headers: { 'x-forwarded-for': '198.51.100.201' } })));
  same(calm.map((r) => r.status), [200, 200, 200, 200, 200], 'another forwarded client is not limited');
  same(logLines('proxy-http', 'rate_limited').map((l) => [l.client_ip, l.limit]), [['198.51.100.200', 'http_rate']], 'logged under the flooding client');
  check(await metric(q, 'dashboard_rate_limited_requests_total') >= 15, 'HTTP 429s counted');
  same((await stopPushd(q)).code, 0, 'exit status');
});

test('ws-msg-budget', async () => {
  // 50 well-behaved clients behind one address, each pinging once a second: none is closed with 4029.
  const p = await startPushd('msg-budget', ['--conn-rate', '0']);
  const pa = persona('mb');
  const clients = Array.from({ length: 50 }, () => new Client(p, pa));
  await Promise.all(clients.map((c) => c.opened));
  for (let round = 1; round <= 3; round++) {
    clients.forEach((c) => c.send({ type: 'ping' }));
    await waitFor(`pongs of round ${round}`, () => clients.every((c) => c.closed || c.ofType('pong').length >= round));
    await sleep(1000);
  }
  same(clients.filter((c) => c.closed).map((c) => c.closed.code), [], 'no client closed');
  same(await metric(p, 'dashboard_rate_limited_messages_total'), 0, 'no message refused');
  clients.forEach((c) => c.close());
  same((await stopPushd(p)).code, 0, 'exit status');
});

run(tests);
