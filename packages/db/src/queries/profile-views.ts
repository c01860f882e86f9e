import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";

/** A calendar day as the database's `date` writes it. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The largest value of the `views` column (a Postgres integer). */
const MAX_VIEWS = 2_147_483_647;

/**
 * Adds page views of published profiles, counted by slug, to the day's totals in one
 * statement. Slugs that name no published profile (deleted, renamed, never there) are
 * skipped. Nothing about who read is stored: a profile, a day and a number.
 * Returns how many profiles' totals changed.
 */
export async function recordProfileViews(
  db: Db,
  counts: ReadonlyMap<string, number>,
  day: string,
): Promise<number> {
  const parsed = DAY.test(day) ? new Date(`${day}T00:00:00Z`) : null;
  // A day that does not exist (2025-02-30) would come back as another one.
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
    throw new Error(`recordProfileViews: "${day}" is not a day (YYYY-MM-DD)`);
  }
  const views: Record<string, number> = {};
  for (const [slug, count] of counts) {
    if (Number.isSafeInteger(count) && count > 0) views[slug] = Math.min(count, MAX_VIEWS);
  }
  if (Object.keys(views).length === 0) return 0;
  // The counts travel as one JSON object: one parameter, the same on both drivers.
  const rows = await queryRows<{ profile_id: string }>(
    db,
    sql`INSERT INTO profile_views (profile_id, day, views)
        SELECT p.id, ${day}::date, c.value::int
        FROM jsonb_each_text(${JSON.stringify(views)}::jsonb) AS c(key, value)
        JOIN profiles p ON p.slug = c.key AND p.status = 'published'
        ON CONFLICT (profile_id, day) DO UPDATE
          SET views = least(profile_views.views::bigint + excluded.views, ${MAX_VIEWS}::bigint)::int
        RETURNING profile_id`,
  );
  return rows.length;
}
