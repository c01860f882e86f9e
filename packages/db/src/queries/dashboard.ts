import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";

// The administration's overview: members per tier over time, sign-ups, the queue, the
// profiles by status and the most read ones. Days are UTC calendar days; each function
// takes `now` so that what it answers is fixed by its arguments (and testable).

/** `now` as a timestamptz parameter (an ISO string reads the same on both drivers). */
const instant = (now: Date): SQL => sql`${now.toISOString()}::timestamptz`;
/** Today's UTC date. */
const today = (now: Date): SQL => sql`(${instant(now)} AT TIME ZONE 'UTC')::date`;

function checkDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new Error(`dashboard: ${days} is not a number of days (1–3660)`);
  }
  return days;
}

export type TierSeries = {
  tierSlug: string;
  tierName: string;
  /** Members holding the tier at the end of each day (today: now), as in `days`. */
  members: number[];
};

export type MembersPerTier = { days: string[]; series: TierSeries[] };

/**
 * How many members held each tier at the end of each of the last `days` days (the last
 * moment before the next midnight, UTC; today: now), from every entitlement source, as
 * `entitlementSourcesJson`
 * reads them: joins of open tiers (until left), approved applications to tiers that are
 * not paid (from the decision), complimentary grants (until they end or are revoked) and
 * subscriptions (from their start to the end of what was paid, or to when they ended). A member with two
 * sources for one tier counts once. A tier counts its own members only: a higher tier's
 * members are not added to the tiers below it.
 */
export async function membersPerTier(
  db: Db,
  options: { now: Date; days?: number },
): Promise<MembersPerTier> {
  const days = checkDays(options.days ?? 90);
  const now = instant(options.now);
  const rows = await queryRows<{ slug: string; name: string; day: string; members: number }>(
    db,
    sql`WITH days AS (
          SELECT d::date AS day,
                 least((d + interval '1 day') AT TIME ZONE 'UTC', ${now}) AS at
          FROM generate_series(
            (${today(options.now)} - ${days - 1}::int)::timestamp,
            ${today(options.now)}::timestamp,
            interval '1 day'
          ) AS d
        ),
        sources AS (
          SELECT j.user_id, j.tier_slug, j.joined_at AS starts_at, j.left_at AS ends_at
          FROM tier_joins j
          UNION ALL
          SELECT a.user_id, a.tier_slug, a.decided_at, NULL
          FROM applications a JOIN tiers pt ON pt.slug = a.tier_slug AND NOT pt.paid
          WHERE a.status = 'approved' AND a.decided_at IS NOT NULL
          UNION ALL
          -- Subscriptions: from their start to the end of what was paid (past due: the
          -- grace), or to when they ended.
          SELECT s.user_id, s.tier_slug, s.created_at,
                 CASE WHEN s.status IN ('active', 'trialing') THEN s.current_period_end
                      WHEN s.status = 'past_due'
                        THEN coalesce(s.past_due_since, s.current_period_end)
                             + coalesce((SELECT b.past_due_grace_days FROM billing_settings b WHERE b.id = 1), 7)
                               * 86400 * interval '1 second'
                      ELSE coalesce(s.canceled_at, s.updated_at) END
          FROM subscriptions s WHERE s.status IN ('active', 'trialing', 'past_due', 'canceled', 'unpaid')
          UNION ALL
          SELECT g.user_id, g.tier_slug, g.starts_at,
                 CASE WHEN g.revoked_at IS NULL THEN g.ends_at
                      ELSE least(coalesce(g.ends_at, g.revoked_at), g.revoked_at) END
          FROM tier_grants g
        )
        SELECT t.slug, t.name, to_char(days.day, 'YYYY-MM-DD') AS day,
               count(DISTINCT s.user_id)::int AS members
        FROM tiers t
        CROSS JOIN days
        LEFT JOIN sources s
          ON s.tier_slug = t.slug
         AND s.starts_at < days.at
         AND (s.ends_at IS NULL OR s.ends_at >= days.at)
        GROUP BY t.slug, t.name, t.rank, days.day
        ORDER BY t.rank, t.slug, days.day`,
  );
  const dayList: string[] = [];
  const series = new Map<string, TierSeries>();
  for (const row of rows) {
    let tier = series.get(row.slug);
    if (!tier) {
      tier = { tierSlug: row.slug, tierName: row.name, members: [] };
      series.set(row.slug, tier);
    }
    tier.members.push(Number(row.members));
    if (series.size === 1) dayList.push(row.day);
  }
  // Without any tier there are no rows; the days are still the days.
  if (dayList.length === 0) {
    const end = Date.parse(`${options.now.toISOString().slice(0, 10)}T00:00:00Z`);
    for (let i = days - 1; i >= 0; i--) {
      dayList.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10));
    }
  }
  return { days: dayList, series: [...series.values()] };
}

export type SignupBucket = {
  /** The bucket's first day (a Monday for weeks). */
  start: string;
  signups: number;
};

/**
 * Accounts created per day over the last `days` days (today included, up to `now`), or
 * per ISO week (Monday to Sunday) over the weeks that cover them, the current one last.
 */
export async function signupsOverTime(
  db: Db,
  options: { now: Date; days?: number; bucket?: "day" | "week" },
): Promise<SignupBucket[]> {
  const days = checkDays(options.days ?? 90);
  const byWeek = options.bucket === "week";
  const last = byWeek
    ? sql`date_trunc('week', ${today(options.now)}::timestamp)`
    : sql`${today(options.now)}::timestamp`;
  const first = byWeek
    ? sql`date_trunc('week', (${today(options.now)} - ${days - 1}::int)::timestamp)`
    : sql`(${today(options.now)} - ${days - 1}::int)::timestamp`;
  const step = byWeek ? sql`interval '7 days'` : sql`interval '1 day'`;
  const unit = byWeek ? sql`'week'` : sql`'day'`;
  const rows = await queryRows<{ start: string; signups: number }>(
    db,
    sql`WITH counts AS (
          SELECT date_trunc(${unit}, u.created_at AT TIME ZONE 'UTC') AS start, count(*)::int AS n
          FROM users u
          WHERE u.created_at >= ${first} AT TIME ZONE 'UTC'
            AND u.created_at <= ${instant(options.now)}
          GROUP BY 1
        )
        SELECT to_char(b, 'YYYY-MM-DD') AS start, coalesce(c.n, 0)::int AS signups
        FROM generate_series(${first}, ${last}, ${step}) AS b
        LEFT JOIN counts c ON c.start = b
        ORDER BY b`,
  );
  return rows.map((row) => ({ start: row.start, signups: Number(row.signups) }));
}

/** Applications waiting for a decision. */
export async function countPendingApplications(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM applications WHERE status = 'pending'`,
  );
  return Number(row?.n ?? 0);
}

export type ProfilesByStatus = { draft: number; scheduled: number; published: number };

/** How many profiles are drafts, scheduled, and published. */
export async function countProfilesByStatus(db: Db): Promise<ProfilesByStatus> {
  const rows = await queryRows<{ status: keyof ProfilesByStatus; n: number }>(
    db,
    sql`SELECT status, count(*)::int AS n FROM profiles GROUP BY status`,
  );
  const counts: ProfilesByStatus = { draft: 0, scheduled: 0, published: 0 };
  for (const row of rows) {
    if (row.status in counts) counts[row.status] = Number(row.n);
  }
  return counts;
}

export type MostReadProfile = { id: string; slug: string; name: string; views: number };

/** The published profiles read most over the last `days` days (today included). */
export async function mostReadProfiles(
  db: Db,
  options: { now: Date; days?: number; limit?: number },
): Promise<MostReadProfile[]> {
  const days = checkDays(options.days ?? 30);
  const limit = Math.min(Math.max(options.limit ?? 10, 1), 100);
  const rows = await queryRows<{ id: string; slug: string; name: string; views: unknown }>(
    db,
    sql`SELECT p.id, p.slug, p.name, sum(v.views)::bigint AS views
        FROM profile_views v
        JOIN profiles p ON p.id = v.profile_id AND p.status = 'published'
        WHERE v.day > ${today(options.now)} - ${days}::int
          AND v.day <= ${today(options.now)}
        GROUP BY p.id, p.slug, p.name
        ORDER BY views DESC, p.name, p.id
        LIMIT ${limit}::int`,
  );
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    views: Number(row.views),
  }));
}
