// SQL that the e2e tests commit: variants, performance updates and early kills, through the extension's tables.
import { literal, sql } from './harness.mjs';

const SCHEMA = 'variant_dashboard';

// Registers a variant posted minutesAgo minutes ago, with its first live numbers.
export function seedVariant({ id, persona, content, predictedEr, pattern, minutesAgo, views, interactions }) {
  sql(`BEGIN;
    INSERT INTO ${SCHEMA}.variants (id, persona_id, content, predicted_er, pattern_used, posted_at)
      VALUES (${literal(id)}, ${literal(persona)}, ${literal(content)}, ${predictedEr}, ${literal(pattern)}, now() - interval '${minutesAgo} minutes');
    COMMIT;`);
  updatePerformance({ id, persona, views, interactions });
}

// Sets a variant's live numbers (insert or update of variant_monitoring); the trigger pushes the event.
export function updatePerformance({ id, persona, views, interactions }) {
  const rate = views > 0 ? interactions / views : 0;
  sql(`INSERT INTO ${SCHEMA}.variant_monitoring (variant_id, persona_id, current_er, interaction_count, view_count, last_updated)
         VALUES (${literal(id)}, ${literal(persona)}, ${rate}, ${interactions}, ${views}, now())
       ON CONFLICT (variant_id) DO UPDATE
         SET current_er = EXCLUDED.current_er, interaction_count = EXCLUDED.interaction_count,
             view_count = EXCLUDED.view_count, last_updated = EXCLUDED.last_updated;`);
}

// Adds one view to a variant `times` times in one transaction: one performance_update event each.
export function addViewsOneByOne({ id, times }) {
  sql(`DO $$ BEGIN
    FOR n IN 1..${times} LOOP
      UPDATE ${SCHEMA}.variant_monitoring SET view_count = view_count + 1, last_updated = now() WHERE variant_id = ${literal(id)};
    END LOOP;
  END $$;`);
}

// Kills a variant early: the kill row and the variant's status in one transaction.
export function killVariant({ id, reason, finalEr, sampleSize }) {
  sql(`BEGIN;
    INSERT INTO ${SCHEMA}.variant_kills (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at)
      SELECT id, persona_id, ${literal(reason)}, ${finalEr}, ${sampleSize}, posted_at FROM ${SCHEMA}.variants WHERE id = ${literal(id)};
    UPDATE ${SCHEMA}.variants SET status = 'killed' WHERE id = ${literal(id)};
    COMMIT;`);
}

// Seeds a persona with three variants (one far below prediction) and returns their ids.
export function seedPersona(persona) {
  const ids = ['a', 'b', 'c'].map((suffix) => `${persona}-${suffix}`);
  seedVariant({ id: ids[0], persona, content: 'Why does faith matter in a world of algorithms?', predictedEr: 0.06, pattern: 'question', minutesAgo: 95, views: 1200, interactions: 78 });
  seedVariant({ id: ids[1], persona, content: 'Five things I learned from a week of silence', predictedEr: 0.05, pattern: 'list', minutesAgo: 40, views: 800, interactions: 36 });
  seedVariant({ id: ids[2], persona, content: 'Hot take: Sunday is the new Monday', predictedEr: 0.08, pattern: 'hot_take', minutesAgo: 12, views: 600, interactions: 12 });
  return ids;
}
