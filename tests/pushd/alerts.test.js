// Alert delivery (issue 13) against the real pushd, PostgreSQL and a real local HTTP receiver: signed
// webhooks, retries, crash recovery, replicas, a blackholed destination, the address policy, fatigue and
// winner alerts once, and the Slack body's shape. pushd runs with --webhook-allow-private
// --webhook-allow-http (the receiver is on 127.0.0.1), except where the refusal itself is tested.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { psql, startPushd, stopPushd, get, Client, run, check, same, waitFor, sleep, OUT, SLOW } = require('./lib.js');

const RUN = Date.now().toString(36);
const ALLOW = ['--webhook-allow-private', '--webhook-allow-http'];
const SECRET = `test secret ${RUN} 0123456789`;
let seq = 0;
const persona = (tag) => `${tag}-${RUN}`;
const variant = () => `av-${RUN}-${++seq}`;

// A local HTTP receiver. Each request is recorded; answer(req) returns a status, or null to hold it open.
function receiver(answer) {
  const got = [];
  const held = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const r = { path: req.url, headers: req.headers, body, json: JSON.parse(body), res };
      got.push(r);
      const status = answer(r, got);
      if (status === null) held.push(res);
      else res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    got, held, url: `http://127.0.0.1:${server.address().port}`,
    close: () => { held.forEach((res) => res.destroy()); server.closeAllConnections(); server.close(); },
  })));
}

// Disables the earlier tests' webhooks and ends their undelivered rows (their receivers are gone).
function reset() {
  psql(`UPDATE variant_dashboard.webhooks SET enabled = false;
        UPDATE variant_dashboard.alert_outbox SET status = 'dead', lease_until = NULL WHERE status = 'pending'`);
}

// Subscribes url to kinds of one persona, after reset().
function webhook(url, personaId, { kinds = ['early_kill', 'fatigue_alert', 'winner_found'], format = 'json', secret = null } = {}) {
  reset();
  return Number(psql(`SELECT variant_dashboard.create_webhook('${url}', ARRAY[${kinds.map((k) => `'${k}'`).join(',')}],
    ARRAY['${personaId}'], '${format}', ${secret ? `'${secret}'` : 'NULL'})`));
}

// Registers a variant and kills it by hand in one transaction; returns the variant id.
function kill(personaId, v = variant()) {
  psql(`SELECT variant_dashboard.register_variant('${v}', '${personaId}', 'content of ${v} <&>', 0.05, 'hook');
        SELECT variant_dashboard.handle_early_kill_event('${v}', '{"persona_id": "${personaId}", "reason": "off brand", "final_engagement_rate": 0.01, "sample_size": 150}')`);
  return v;
}

// Checks X-Variant-Dashboard-Signature against the body, as the README tells receivers to.
function checkSignature(r, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.headers['x-variant-dashboard-signature'] || '');
  check(m, `signature header: ${r.headers['x-variant-dashboard-signature']}`);
  const want = crypto.createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex');
  check(crypto.timingSafeEqual(Buffer.from(want), Buffer.from(m[2])), 'the signature does not match the body');
  check(Math.abs(Date.now() / 1000 - Number(m[1])) < 300, 'the signature time is not now');
}

// The outbox rows of a webhook: status, attempts, last status.
function outbox(hook) {
  return psql(`SELECT string_agg(status || '/' || attempts || '/' || coalesce(last_status::text, '-'), ' ' ORDER BY id)
                 FROM variant_dashboard.alert_outbox WHERE webhook_id = ${hook}`);
}

// The complete log lines of a pushd instance with the given event.
function logged(name, event) {
  return fs.readFileSync(path.join(OUT, `pushd-${name}.log`), 'utf8').split('\n').slice(0, -1).map(JSON.parse)
    .filter((l) => l.event === event);
}

run([
  ['alert-kill-signed', async () => {
    const rx = await receiver(() => 200);
    const pa = persona('signed');
    const hook = webhook(`${rx.url}/signed`, pa, { secret: SECRET });
    const p = await startPushd('alert-kill-signed', ALLOW);
    try {
      // a rolled-back kill first: it must never arrive
      const ghost = variant();
      psql(`BEGIN; SELECT variant_dashboard.register_variant('${ghost}', '${pa}', 'ghost', 0.05);
            SELECT variant_dashboard.handle_early_kill_event('${ghost}', '{"persona_id": "${pa}", "reason": "rolled back"}'); ROLLBACK`);
      const v = kill(pa);
      const r = await waitFor('the kill at the receiver', () => rx.got.find((g) => g.json.variant_id === v), 2000);
      checkSignature(r, SECRET);
      same([r.json.alert_type, r.json.persona_id, r.json.data.reason, r.json.data.views], ['early_kill', pa, 'off brand', 150], 'the alert');
      same(r.headers['x-variant-dashboard-delivery'], String(r.json.delivery_id), 'the delivery id header');
      check(r.json.event_id === Number(psql(`SELECT id FROM variant_dashboard.dashboard_events WHERE variant_id = '${v}' AND event_type = 'early_kill'`)), 'event id');
      await waitFor('delivered', () => outbox(hook) === 'delivered/1/200');
      same(rx.got.filter((g) => g.json.variant_id === ghost).length, 0, 'rolled-back kill deliveries');
      same(rx.got.length, 1, 'deliveries');
      const log = fs.readFileSync(path.join(OUT, 'pushd-alert-kill-signed.log'), 'utf8');
      check(!log.includes(SECRET) && !log.includes('content of'), 'the log holds the secret or the body');
      const metrics = (await get(p, '/metrics')).body;
      check(!metrics.includes(SECRET), 'the metrics hold the secret');
      check(/dashboard_webhook_deliveries_total\{result="delivered"\} 1\b/.test(metrics), 'delivered metric');
      check(/dashboard_webhook_queue_depth \d+/.test(metrics) && /dashboard_webhook_oldest_pending_seconds /.test(metrics), 'queue metrics');
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-retries', async () => {
    const rx = await receiver((r, got) => (got.length <= 2 ? 500 : 200));
    const pa = persona('retry');
    const hook = webhook(`${rx.url}/flaky`, pa);
    const p = await startPushd('alert-retries', [...ALLOW, '--webhook-retry-min-ms', '100']);
    try {
      kill(pa);
      await waitFor('delivered after retries', () => outbox(hook) === 'delivered/3/200');
      same(rx.got.length, 3, 'attempts at the receiver');
      same(new Set(rx.got.map((g) => g.headers['x-variant-dashboard-delivery'])).size, 1, 'distinct delivery ids');
      same(logged('alert-retries', 'webhook_attempt').filter((l) => l.webhook_id === hook).map((l) => [l.result, l.http_status, l.attempt]),
        [['retry', 500, 1], ['retry', 500, 2], ['delivered', 200, 3]], 'attempt log lines');
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-sigkill', async () => {
    const rx = await receiver((r, got) => (got.length === 1 ? null : 200));
    const pa = persona('crash');
    const hook = webhook(`${rx.url}/hold`, pa);
    const args = [...ALLOW, '--webhook-timeout-ms', '1000', '--webhook-poll-ms', '200'];
    const p1 = await startPushd('alert-sigkill-1', args);
    try {
      kill(pa);
      await waitFor('the held request', () => rx.held.length === 1);
      p1.proc.kill('SIGKILL');
      await p1.exited;
      const p2 = await startPushd('alert-sigkill-2', args);
      await waitFor('delivered after the restart', () => outbox(hook) === 'delivered/2/200');
      same(rx.got.length, 2, 'requests (the held one, then the one answered)');
      same(rx.got[0].headers['x-variant-dashboard-delivery'], rx.got[1].headers['x-variant-dashboard-delivery'], 'delivery id');
      same((await stopPushd(p2)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-replicas', async () => {
    const rx = await receiver(() => 200);
    const pa = persona('replicas');
    const hook = webhook(`${rx.url}/replicas`, pa);
    const args = [...ALLOW, '--webhook-per-destination', '8'];
    const ps = [await startPushd('alert-replicas-1', args), await startPushd('alert-replicas-2', args),
      await startPushd('alert-replicas-3', args)];
    psql(`SELECT count(variant_dashboard.register_variant('${pa}-' || i, '${pa}', 'c', 0.05)) FROM generate_series(1, 200) i`);
    psql(`SELECT count(variant_dashboard.handle_early_kill_event('${pa}-' || i, '{"persona_id": "${pa}", "reason": "batch"}'))
            FROM generate_series(1, 200) i`);
    try {
      await waitFor('200 deliveries', () => psql(`SELECT count(*) FROM variant_dashboard.alert_outbox
        WHERE webhook_id = ${hook} AND status = 'delivered'`) === '200', 60000);
      const perVariant = {};
      rx.got.forEach((g) => { perVariant[g.json.variant_id] = (perVariant[g.json.variant_id] || 0) + 1; });
      same(Object.keys(perVariant).length, 200, 'variants alerted');
      same(Object.values(perVariant).filter((n) => n !== 1), [], 'variants alerted more than once');
      const byReplica = [1, 2, 3].map((i) => logged(`alert-replicas-${i}`, 'webhook_attempt').filter((l) => l.webhook_id === hook).length);
      same(byReplica.reduce((a, b) => a + b), 200, `attempts over the replicas (${byReplica})`);
      for (const p of ps) same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-blackhole', async () => {
    const rx = await receiver((r) => (r.path === '/blackhole' ? null : 200));
    const slow = persona('slow'), fast = persona('fast');
    reset();
    const hole = Number(psql(`SELECT variant_dashboard.create_webhook('${rx.url}/blackhole', ARRAY['early_kill'], ARRAY['${slow}'])`));
    const ok = Number(psql(`SELECT variant_dashboard.create_webhook('${rx.url}/ok', ARRAY['early_kill'], ARRAY['${fast}'])`));
    const p = await startPushd('alert-blackhole', [...ALLOW, '--webhook-timeout-ms', '60000', '--webhook-concurrency', '4']);
    const c = new Client(p, fast);
    try {
      await c.opened;
      for (let i = 0; i < 6; i++) kill(slow);
      await waitFor('the blackhole to hold its share', () => rx.held.length === 2);
      const v = kill(fast);
      // liveness bounds far below the blackhole's 60 s timeout
      await waitFor('the other webhook\'s alert', () => rx.got.find((g) => g.json.variant_id === v), 5000);
      await c.next('the WebSocket update', (m) => m.type === 'variant_update' && m.data.variant_id === v && m.data.event_type === 'early_kill');
      same(psql(`SELECT count(*) FROM variant_dashboard.alert_outbox WHERE webhook_id = ${hole} AND lease_until > now()`), '2', 'blackhole leases (per destination)');
      same(outbox(ok), 'delivered/1/200', 'the other webhook');
      c.close();
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-private-refused', async () => {
    const rx = await receiver(() => 200);
    const pa = persona('private');
    const hook = webhook(`${rx.url}/private`, pa);
    const p = await startPushd('alert-private-refused', ['--webhook-allow-http']);
    try {
      kill(pa);
      await waitFor('the refusal', () => outbox(hook) === 'failed/1/-');
      check(/not allowed/.test(psql(`SELECT last_error FROM variant_dashboard.webhook_status WHERE webhook_id = ${hook}`)), 'last error');
      same(rx.got.length, 0, 'requests reaching 127.0.0.1');
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-fatigue-winner-once', async () => {
    const rx = await receiver(() => 200);
    const pa = persona('once');
    const hook = webhook(`${rx.url}/once`, pa);
    const p = await startPushd('alert-fatigue-winner-once', ALLOW);
    try {
      const uses = [1, 2, 3, 4, 5, 6].map((i) => `${pa}-use${i}`);
      uses.forEach((v) => psql(`SELECT variant_dashboard.register_variant('${v}', '${pa}', 'c', 0.05, 'listicle')`));
      for (const n of [120, 150, 200]) {
        psql(`SELECT variant_dashboard.handle_performance_update('${uses[0]}', '{"persona_id": "${pa}", "interaction_count": ${n / 5}, "view_count": ${n}}')`);
      }
      const last = kill(pa); // a barrier: alerts are delivered in order of their rows here
      await waitFor('the barrier kill', () => rx.got.find((g) => g.json.variant_id === last && g.json.alert_type === 'early_kill'));
      await waitFor('all delivered', () => !/pending/.test(outbox(hook)));
      const fatigue = rx.got.filter((g) => g.json.alert_type === 'fatigue_alert');
      same(fatigue.map((g) => [g.json.variant_id, g.json.data.condition, g.json.data.pattern]), [[uses[4], 'high', 'listicle']], 'fatigue alerts');
      const winners = rx.got.filter((g) => g.json.alert_type === 'winner_found');
      same(winners.map((g) => [g.json.variant_id, g.json.data.views]), [[uses[0], 120]], 'winner alerts');
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],

  ['alert-slack-shape', async () => {
    const rx = await receiver(() => 200);
    const pa = persona('slack');
    webhook(`${rx.url}/slack`, pa, { format: 'slack' });
    const p = await startPushd('alert-slack-shape', [...ALLOW, '--public-url', 'https://dash.example.com']);
    try {
      const v = kill(pa);
      const r = await waitFor('the Slack message', () => rx.got.find((g) => (g.json.text || '').includes(v)));
      const b = r.json;
      check(typeof b.text === 'string' && b.text.includes(v) && b.text.includes('off brand'), `text fallback: ${b.text}`);
      check(Array.isArray(b.blocks) && b.blocks.length >= 1 && b.blocks.length <= 50, 'blocks array');
      const kinds = new Set(['header', 'section', 'actions', 'context', 'divider']);
      for (const block of b.blocks) check(kinds.has(block.type), `block type ${block.type}`);
      same(b.blocks[0].text.type, 'plain_text', 'header text type');
      check(b.blocks[0].text.text.length <= 150, 'header length');
      for (const s of b.blocks.filter((x) => x.type === 'section')) {
        check((s.text && s.text.type === 'mrkdwn' && s.text.text.length <= 3000) || (Array.isArray(s.fields) && s.fields.length <= 10), 'section shape');
      }
      const all = JSON.stringify(b.blocks);
      check(all.includes('content of') && all.includes('&lt;&amp;&gt;'), 'content, escaped for mrkdwn');
      check(all.includes('1.00% vs 5.00% predicted') && all.includes('150') && all.includes('off brand'), 'rate, views, reason');
      const button = b.blocks.find((x) => x.type === 'actions').elements[0];
      same([button.type, button.url], ['button', `https://dash.example.com/dashboard/?persona=${pa}&variant=${v}`], 'dashboard link');
      same((await stopPushd(p)).code, 0, 'exit status');
    } finally { rx.close(); }
  }],
]);
