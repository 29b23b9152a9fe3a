#!/usr/bin/env bash
# variant_probabilities against an independent Monte Carlo: 200,000 joint draws of the Beta posteriors
# (prior Beta(10 p, 10 (1 - p)) updated with the counts, as README documents), sampled in node with its
# own seeded generator and Marsaglia-Tsang gamma variates, never with the extension's code. Every
# probability_best must agree within 0.002 (the Monte Carlo's standard error is at most 0.0011), in
# four configurations: close competitors, one clear winner beside a variant with zero views, 40
# variants, and only unmeasured variants. Also: the output is deterministic and sums to 1.
# Needs PG* env pointing at a database with the extension, and node.
set -euo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT

psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
-- Registers a variant (posted 2026-03-10 09:00 + minute minutes) and its counts.
CREATE FUNCTION pg_temp.arm(persona text, id text, predicted float8, hits bigint, views bigint, minute int)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM variant_dashboard.register_variant(id, persona, 'text ' || id, predicted, NULL,
                                               '2026-03-10 09:00+00'::timestamptz + minute * interval '1 minute');
    IF views > 0 THEN
        PERFORM variant_dashboard.handle_performance_update(id,
            jsonb_build_object('persona_id', persona, 'interaction_count', hits, 'view_count', views));
    END IF;
END $$;
SELECT pg_temp.arm('mc_close', 'c1', 0.05, 50, 1000, 1), pg_temp.arm('mc_close', 'c2', 0.05, 52, 1000, 2),
       pg_temp.arm('mc_close', 'c3', 0.05, 48, 1000, 3);
SELECT pg_temp.arm('mc_clear', 'w1', 0.05, 90, 1000, 1), pg_temp.arm('mc_clear', 'w2', 0.05, 60, 1000, 2),
       pg_temp.arm('mc_clear', 'w3', 0.05, 40, 1000, 3), pg_temp.arm('mc_clear', 'w4', 0.05, 0, 0, 4);
SELECT pg_temp.arm('mc_many', 'm' || i, 0.03 + (i % 7) / 200.0, (i * 37) % 60 + 20, 500 + (i * 131) % 1500, i)
  FROM generate_series(1, 40) i;
SELECT pg_temp.arm('mc_new', 'n1', 0.05, 0, 0, 1), pg_temp.arm('mc_new', 'n2', 0.02, 0, 0, 2),
       pg_temp.arm('mc_new', 'n3', 0.10, 0, 0, 3);
SQL

# One JSON line per persona: the variants' predictions and counts, and the function's answer.
psql -AtX -v ON_ERROR_STOP=1 >"$out" <<'SQL'
SELECT jsonb_build_object('persona', p,
         'arms', (SELECT jsonb_agg(jsonb_build_object('id', v.id, 'p', v.predicted_er,
                                   'x', coalesce(m.interaction_count, 0), 'n', coalesce(m.view_count, 0)))
                    FROM variant_dashboard.variants v
                    LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id
                   WHERE v.persona_id = p),
         'exact', variant_dashboard.variant_probabilities(p, '2026-03-10 12:00+00'),
         'same', variant_dashboard.variant_probabilities(p, '2026-03-10 12:00+00')
                 = variant_dashboard.variant_probabilities(p, '2026-03-10 12:00+00'))
  FROM unnest(ARRAY['mc_close', 'mc_clear', 'mc_many', 'mc_new']) p;
SQL

node - "$out" <<'JS'
const fs = require('fs');
const DRAWS = 200000, TOLERANCE = 0.002;
// mulberry32: a small seeded uniform generator on (0, 1)
let state = 0x5eed1234;
const uniform = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
// log of a Gamma(shape) variate (Marsaglia-Tsang; shape < 1 boosted by U^(1/shape), in logs)
const logGamma = (shape) => {
  if (shape < 1) return logGamma(shape + 1) + Math.log(uniform()) / shape;
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(), v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return Math.log(d * v);
  }
};
// a Beta(a, b) draw compared on the log-odds scale: log Ga - log Gb, monotone in the rate
const drawLogOdds = (a, b) => logGamma(a) - logGamma(b);
let failures = 0;
const check = (cond, what) => { console.log(`${cond ? 'ok' : 'not ok'} - ${what}`); if (!cond) failures++; };
for (const line of fs.readFileSync(process.argv[2], 'utf8').trim().split('\n')) {
  const { persona, arms, exact, same } = JSON.parse(line);
  const post = arms.map(({ id, p, x, n }) => ({ id, a: 10 * p + x, b: 10 * (1 - p) + n - x }));
  const wins = new Map(post.map(({ id }) => [id, 0]));
  for (let d = 0; d < DRAWS; d++) {
    let best = null, bestValue = -Infinity;
    for (const arm of post) {
      const value = drawLogOdds(arm.a, arm.b);
      if (value > bestValue) { bestValue = value; best = arm.id; }
    }
    wins.set(best, wins.get(best) + 1);
  }
  let worst = 0, total = 0;
  for (const v of exact.variants) {
    worst = Math.max(worst, Math.abs(v.probability_best - wins.get(v.id) / DRAWS));
    total += v.probability_best;
  }
  check(exact.variants.length === post.length, `${persona}: every active variant has a probability`);
  check(worst <= TOLERANCE, `${persona}: max |exact - Monte Carlo| = ${worst.toFixed(5)} <= ${TOLERANCE}`);
  check(Math.abs(total - 1) < 1e-5, `${persona}: probabilities sum to 1 (${total.toFixed(6)})`);
  check(same === true, `${persona}: the same call gives the same answer`);
}
process.exit(failures ? 1 : 0);
JS
