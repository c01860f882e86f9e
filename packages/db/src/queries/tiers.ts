import { type Tier, type TierCatalogue, tierCatalogue } from "@briefings/core";
import { asc } from "drizzle-orm";
import type { Db } from "../client.ts";
import { tiers } from "../schema.ts";

/** Every tier, retired ones included (a gate may still name one), lowest rank first. */
export async function listTiers(db: Db): Promise<Tier[]> {
  const rows = await db.select().from(tiers).orderBy(asc(tiers.rank), asc(tiers.name));
  return rows.map((row) => ({
    slug: row.slug,
    name: row.name,
    rank: row.rank,
    description: row.description,
    audience: row.audience,
    joinMethod: row.joinMethod,
    benefits: row.benefits,
    paid: row.paid,
    retiredAt: row.retiredAt,
  }));
}

export async function loadTierCatalogue(db: Db): Promise<TierCatalogue> {
  return tierCatalogue(await listTiers(db));
}
