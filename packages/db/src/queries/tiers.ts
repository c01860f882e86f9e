import { activeTierSlugs, type Tier, type TierCatalogue, tierCatalogue } from "@briefings/core";
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import { tiers } from "../schema.ts";
import { entitlementSourcesJson, parseEntitlementSources } from "./members.ts";

type TierRow = typeof tiers.$inferSelect;

function toTier(row: TierRow): Tier {
  return {
    slug: row.slug,
    name: row.name,
    rank: row.rank,
    description: row.description,
    audience: row.audience,
    joinMethod: row.joinMethod,
    benefits: row.benefits,
    paid: row.paid,
    priceMonthly: row.priceMonthly,
    priceYearly: row.priceYearly,
    currency: row.currency,
    retiredAt: row.retiredAt,
  };
}

/** Every tier, retired ones included (a gate may still name one), lowest rank first. */
export async function listTiers(db: Db): Promise<Tier[]> {
  const rows = await db.select().from(tiers).orderBy(asc(tiers.rank), asc(tiers.name));
  return rows.map(toTier);
}

export async function loadTierCatalogue(db: Db): Promise<TierCatalogue> {
  return tierCatalogue(await listTiers(db));
}

/** One tier by slug, retired or not. */
export async function findTierBySlug(db: Db, slug: string): Promise<Tier | null> {
  const [row] = await db.select().from(tiers).where(eq(tiers.slug, slug));
  return row ? toTier(row) : null;
}

/**
 * Every tier, locked against change (SELECT … FOR UPDATE) until the transaction `tx` ends:
 * for a write that decides on the whole catalogue (ranks, slugs). The lock also holds back
 * new joins, applications and grants (their foreign keys lock the tier they name), so who
 * holds what cannot change between the check and the write.
 */
export async function lockTiers(tx: Db): Promise<Tier[]> {
  // The table, not only its rows: a tier being inserted meanwhile must wait too, or two
  // writers could both take one free rank. Reads (pages, gates) are not blocked.
  await tx.execute(sql`LOCK TABLE ${tiers} IN SHARE ROW EXCLUSIVE MODE`);
  const rows = await tx
    .select()
    .from(tiers)
    .orderBy(asc(tiers.rank), asc(tiers.name))
    .for("update");
  return rows.map(toTier);
}

export type TierHolder = {
  userId: string;
  email: string;
  /** Every tier this member holds at `now`, not only the ones asked about; sorted. */
  tiers: string[];
};

/** Accounts with a row in any source table naming one of `slugs`: a superset of their holders. */
function candidateIds(slugs: readonly string[]) {
  const list = sql.join(
    slugs.map((slug) => sql`${slug}`),
    sql`, `,
  );
  return sql`(
    SELECT j.user_id FROM tier_joins j WHERE j.tier_slug IN (${list})
    UNION SELECT a.user_id FROM applications a WHERE a.tier_slug IN (${list}) AND a.status = 'approved'
    UNION SELECT g.user_id FROM tier_grants g WHERE g.tier_slug IN (${list})
  )`;
}

/**
 * The members who hold at least one of `slugs` at `now`, with every tier each holds, by
 * e-mail address. "Holds" is the one entitlement decision: the sources that
 * entitlementSourcesJson gathers, kept by core's activeTierSlugs — as a session sees them.
 */
export async function listTierHolders(
  db: Db,
  slugs: readonly string[],
  now: Date = new Date(),
): Promise<TierHolder[]> {
  if (slugs.length === 0) return [];
  const rows = await queryRows<{ id: string; email: string; sources: unknown }>(
    db,
    sql`SELECT u.id, u.email, ${entitlementSourcesJson(sql`u.id`)} AS sources
        FROM users u WHERE u.id IN ${candidateIds(slugs)}
        ORDER BY u.email, u.id`,
  );
  const wanted = new Set(slugs);
  return rows.flatMap((row) => {
    const held = activeTierSlugs(parseEntitlementSources(row.sources), now);
    return held.some((slug) => wanted.has(slug))
      ? [{ userId: row.id, email: row.email, tiers: held }]
      : [];
  });
}

/**
 * How many members hold each tier now, for the tiers list: counted in the database over
 * the same sources as listTierHolders (entitlementSourcesJson), keeping those current as
 * core's isSourceActive does (from the start, inclusive, to the end, exclusive). A test
 * holds the two to the same answer.
 */
export async function countTierHolders(db: Db): Promise<Map<string, number>> {
  const rows = await queryRows<{ slug: string; holders: number | string }>(
    db,
    sql`SELECT s."tierSlug" AS slug, count(DISTINCT u.id) AS holders
        FROM users u
        CROSS JOIN LATERAL json_to_recordset(${entitlementSourcesJson(sql`u.id`)})
          AS s("tierSlug" text, "startsAt" timestamptz, "endsAt" timestamptz)
        WHERE u.id IN (
          SELECT user_id FROM tier_joins
          UNION SELECT user_id FROM applications WHERE status = 'approved'
          UNION SELECT user_id FROM tier_grants
        )
          AND coalesce(s."startsAt" <= now(), true)
          AND (s."endsAt" IS NULL OR s."endsAt" > now())
        GROUP BY s."tierSlug"`,
  );
  return new Map(rows.map((row) => [row.slug, Number(row.holders)]));
}
