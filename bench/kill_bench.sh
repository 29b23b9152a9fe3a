#!/usr/bin/env bash
# Early-kill decision quality (issue 5), through the real SQL path (bench/kill/simulation.sql), and the
# cost of evaluating auto-kill on every update. Reported, never asserted.
# KILL_SIM_FINE (default 2000) variants at 0.8x their prediction, KILL_SIM_LOSERS (default 1000) at 0.25x.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fine=${KILL_SIM_FINE:-2000}
losers=${KILL_SIM_LOSERS:-1000}
psql -qX -f "$here/kill/simulation.sql" >/dev/null
for rule in bayesian sequential reference; do
  echo "simulating the $rule rule ..." >&2
  psql -qX -c "CALL kill_sim.run('$rule', true, 0.8, $fine, 0.42)" -c "CALL kill_sim.run('$rule', true, 0.25, $losers, 0.43)"
done
psql -qX -c "CALL kill_sim.run('bayesian', false, 0.8, $fine, 0.42)"

echo "| early-kill rule (predicted 6%, 50 views per update, up to 5,000 views) | false kills at 0.8x | median views to kill at 0.25x | killed at 0.25x |"
echo "|---|---|---|---|"
psql -AtX -F ' | ' -c "
SELECT '| ' || rule, round(100.0 * avg(killed::int) FILTER (WHERE factor = 0.8), 2) || '%',
       percentile_disc(0.5) WITHIN GROUP (ORDER BY views) FILTER (WHERE factor = 0.25),
       round(100.0 * avg(killed::int) FILTER (WHERE factor = 0.25), 1) || '% |'
  FROM kill_sim.outcome WHERE rule NOT LIKE '%auto-kill off%' GROUP BY rule ORDER BY rule"
echo
echo "| auto-kill cost (0.8x variants, $fine x up to 100 updates) | microseconds per update |"
echo "|---|---|"
psql -AtX -F ' | ' -c "
SELECT '| ' || rule, round((1e6 * seconds / updates)::numeric, 1) || ' |' FROM kill_sim.timing WHERE factor = 0.8
 ORDER BY rule"
psql -AtX -c "
SELECT 'auto-kill evaluation adds ' || round((100 * (on_.seconds / on_.updates / (off.seconds / off.updates) - 1))::numeric, 1)
       || '% to an update (bayesian rule; target under 10%)'
  FROM kill_sim.timing on_, kill_sim.timing off
 WHERE on_.rule = 'bayesian' AND on_.factor = 0.8 AND off.rule = 'bayesian (auto-kill off)'"
