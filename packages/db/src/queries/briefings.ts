import {
  type Briefing,
  type Gate,
  type RedactedBriefing,
  redactBriefings,
  type TierCatalogue,
  type Viewer,
} from "@briefings/core";
import { asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { briefings } from "../schema.ts";

type BriefingRow = typeof briefings.$inferSelect;

function gateOf(row: BriefingRow): Gate {
  if (row.gateKind === "tier" && row.gateTier) return { kind: "tier", tier: row.gateTier };
  if (row.gateKind === "members") return { kind: "members" };
  if (row.gateKind === "public") return { kind: "public" };
  // The table's check constraint makes this unreachable; fail closed all the same.
  return { kind: "tier", tier: "\u0000unknown" };
}

function toBriefing(row: BriefingRow): Briefing {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    title: row.title,
    gate: gateOf(row),
    position: row.position,
    body: row.body,
    sources: row.sources,
    sealed:
      row.sealedCiphertext && row.sealedIv
        ? { ciphertext: row.sealedCiphertext, iv: row.sealedIv, bytes: row.sealedBytes ?? 0 }
        : null,
  };
}

/**
 * Briefings leave the database layer only through here, already redacted for the
 * viewer: callers never hold gated text they may not show.
 */
export async function loadRedactedBriefings(
  db: Db,
  parent: { profileId: string } | { articleId: string },
  viewer: Viewer,
  tiers: TierCatalogue,
): Promise<RedactedBriefing[]> {
  const where =
    "profileId" in parent
      ? eq(briefings.profileId, parent.profileId)
      : eq(briefings.articleId, parent.articleId);
  const rows = await db.select().from(briefings).where(where).orderBy(asc(briefings.position));
  return redactBriefings(rows.map(toBriefing), viewer, tiers);
}
