-- Demo data: the personas, how they use each content pattern, and the posts their variants say.
-- Loaded into the demo's own schema `demo` by scripts/demo.sh after scripts/demo/simulator.sql.

-- predicted_min/max bound the predictions the (imaginary) predictor makes for the persona.
INSERT INTO demo.personas (persona_id, predicted_min, predicted_max) VALUES
    ('ai-jesus',      0.050, 0.080),
    ('tech-guru',     0.040, 0.065),
    ('fitness-coach', 0.045, 0.075);

-- weight: how often the persona picks the pattern; dud_chance: how often a variant of it falls flat
-- (true rate 20-40% of the prediction), which the early-kill rule and the suggestions then show.
INSERT INTO demo.persona_patterns (persona_id, pattern, weight, dud_chance) VALUES
    ('ai-jesus',      'question_hook', 3, 0.10),
    ('ai-jesus',      'story',         3, 0.05),
    ('ai-jesus',      'hot_take',      2, 0.60),
    ('ai-jesus',      'listicle',      2, 0.15),
    ('ai-jesus',      'contrarian',    1, 0.20),
    ('tech-guru',     'hot_take',      3, 0.15),
    ('tech-guru',     'listicle',      3, 0.10),
    ('tech-guru',     'contrarian',    3, 0.45),
    ('tech-guru',     'question_hook', 1, 0.10),
    ('tech-guru',     'story',         1, 0.10),
    ('fitness-coach', 'listicle',      3, 0.10),
    ('fitness-coach', 'story',         3, 0.05),
    ('fitness-coach', 'question_hook', 2, 0.15),
    ('fitness-coach', 'contrarian',    2, 0.35),
    ('fitness-coach', 'hot_take',      1, 0.20);

INSERT INTO demo.posts (persona_id, pattern, content) VALUES
    ('ai-jesus', 'question_hook', 'What would you do differently if you knew no one was keeping score?'),
    ('ai-jesus', 'question_hook', 'When did you last forgive someone who never said sorry?'),
    ('ai-jesus', 'question_hook', 'If an algorithm knows your habits, who knows your heart?'),
    ('ai-jesus', 'question_hook', 'Is being busy the modern way of being lost?'),
    ('ai-jesus', 'story', 'A fisherman once told me the sea gives back exactly what you bring to it. I brought patience that day, and for once it was enough.'),
    ('ai-jesus', 'story', 'I sat with a stranger at a bus stop for ten minutes. We never exchanged names. It was the best sermon I heard all week.'),
    ('ai-jesus', 'story', 'Two brothers stopped speaking over a fence line. Forty years later the fence fell down on its own. Do not wait for the fence.'),
    ('ai-jesus', 'hot_take', 'Hot take: your notifications are the loudest false prophets you will ever follow.'),
    ('ai-jesus', 'hot_take', 'Unpopular truth: rest is not a reward for work, it is where the work starts.'),
    ('ai-jesus', 'hot_take', 'Kindness that needs an audience is marketing.'),
    ('ai-jesus', 'listicle', '5 small mercies you can give today: a second chance, a long pause, a real question, a shared meal, silence.'),
    ('ai-jesus', 'listicle', '3 things that feel like losing but are growing: letting go, saying no, starting over.'),
    ('ai-jesus', 'listicle', '7 words that heal more than advice: I am here and I am not leaving.'),
    ('ai-jesus', 'contrarian', 'Stop trying to find your purpose. Be useful to one person today and purpose will find you.'),
    ('ai-jesus', 'contrarian', 'Everyone says follow your heart. Hearts wander. Train yours first.'),
    ('ai-jesus', 'contrarian', 'You do not need more faith. You need less noise.'),
    ('tech-guru', 'hot_take', 'Hot take: most microservices are a monolith with network latency added.'),
    ('tech-guru', 'hot_take', 'Your AI strategy is a spreadsheet with a chatbot attached. Fix the data first.'),
    ('tech-guru', 'hot_take', 'Kubernetes is the new Java EE, and we are all writing XML again, just in YAML.'),
    ('tech-guru', 'hot_take', 'The best code review comment is a deleted feature.'),
    ('tech-guru', 'listicle', '5 Postgres features you are not using: LISTEN/NOTIFY, advisory locks, partial indexes, generated columns, COPY.'),
    ('tech-guru', 'listicle', '4 signs your startup needs fewer tools: three dashboards, two chat apps, one tired team, zero docs.'),
    ('tech-guru', 'listicle', '6 habits of engineers who ship: small PRs, boring tech, fast tests, clear logs, written decisions, naps.'),
    ('tech-guru', 'contrarian', 'Unit tests are overrated. Test what users do, through the front door, against a real database.'),
    ('tech-guru', 'contrarian', 'Do not learn a new framework this year. Learn SQL properly. It will outlive every framework you know.'),
    ('tech-guru', 'contrarian', 'Remote work did not kill culture. Meetings did.'),
    ('tech-guru', 'question_hook', 'What is the one tool you would delete from your stack tomorrow if you could?'),
    ('tech-guru', 'question_hook', 'Would your system survive if the cloud region vanished for an hour?'),
    ('tech-guru', 'story', 'We cut our cloud bill by 60% by deleting one cron job nobody remembered writing. Here is how we found it.'),
    ('tech-guru', 'story', 'Our outage postmortem had one line: the backup worked, the restore had never been tried.'),
    ('fitness-coach', 'listicle', '5 moves for a 10-minute morning: squats, push-ups, lunges, plank, jumping jacks. No gym needed.'),
    ('fitness-coach', 'listicle', '4 protein breakfasts under 5 minutes: Greek yogurt bowl, egg wrap, cottage cheese toast, overnight oats.'),
    ('fitness-coach', 'listicle', '3 stretches for desk workers: hip flexor lunge, doorway chest stretch, seated twist.'),
    ('fitness-coach', 'listicle', '6 signs you need a rest day: bad sleep, heavy legs, high resting pulse, low mood, nagging aches, no appetite.'),
    ('fitness-coach', 'story', 'A client lost 20 kg without a single crash diet. She walked after dinner every night for a year. That is the whole secret.'),
    ('fitness-coach', 'story', 'I skipped leg day for a month. My knees sent the invoice. Learn from my mistake.'),
    ('fitness-coach', 'story', 'At 62 my dad did his first pull-up. It took him nine months. He says it was the best birthday present.'),
    ('fitness-coach', 'question_hook', 'What is the one exercise you always skip, and why?'),
    ('fitness-coach', 'question_hook', 'Could you walk 10,000 steps today without planning for it?'),
    ('fitness-coach', 'contrarian', 'Stop counting calories. Count vegetables and hours of sleep instead.'),
    ('fitness-coach', 'contrarian', 'Cardio is not the enemy of muscle. Skipping it is the enemy of your heart.'),
    ('fitness-coach', 'contrarian', 'You do not need more motivation. You need a smaller first step.'),
    ('fitness-coach', 'hot_take', 'Hot take: the best workout program is the one you still do in March.'),
    ('fitness-coach', 'hot_take', 'Fitness trackers made us better at counting and worse at listening to our bodies.');

-- The demo personas decide kills in the database: every performance update evaluates the early-kill
-- rule (variant_dashboard.evaluate_early_kill) and records the kill in the same transaction.
INSERT INTO variant_dashboard.persona_settings (persona_id, auto_kill)
SELECT persona_id, true FROM demo.personas
ON CONFLICT (persona_id) DO UPDATE SET auto_kill = true;
