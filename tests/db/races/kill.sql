-- A manual kill of a random pool variant; a variant someone else killed first is fine (55000).
\set n random(1, 3000)
SELECT race_kill('pool-' || :n);
