import type { ProfileDocument } from "@briefings/core";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import { profileChanges, profiles } from "../schema.ts";
import { decodeDateCursor, encodeCursor } from "./cursor.ts";
import type { Tx } from "./save-content.ts";

// The public change summary of a profile: which of its public sections an editorial save
// changed, by name. It is shown to every reader (profile page), to followers (watchlist)
// and in e-mail digests, so it is built from the public fields only: a change to the
// briefings is recorded as "Briefings updated", never with a title, gate or word of them.

/** What a change to the briefings is called: nothing about which briefing or how. */
export const BRIEFINGS_UPDATED = "Briefings updated";

type PublicFields = ProfileDocument["profile"];

/**
 * The name readers know each public field by. A `Record` over every key, so a field added
 * to the document cannot be forgotten here (it would not compile). Body sections are
 * compared one by one and named by their heading instead (null here).
 */
const SECTION_NAMES: Record<keyof PublicFields, string | null> = {
  slug: "Address",
  name: "Name",
  type: "Profile details",
  ecosystem: "Profile details",
  base: "Profile details",
  focus: "Profile details",
  summary: "Summary",
  whatItDoes: "What It Does",
  whyItMatters: "Why It Matters",
  criticality: "Criticality",
  timeHorizon: "Time horizon",
  whatToWatch: "What To Watch",
  keyPoints: "Key points",
  sections: null,
  sources: "Sources",
  sourcesNote: "Sources",
  alsoRead: "Also read",
  topics: "Topics",
  confidence: "Confidence",
  lastReviewedAt: "Last reviewed",
};

/** A field as compared: topics are a set (stored ones come back in name order). */
function comparable(profile: PublicFields, key: keyof PublicFields): string {
  const value = key === "topics" ? [...profile.topics].sort() : profile[key];
  return JSON.stringify(value ?? null);
}

/** Headings of body sections added, changed or removed; a heading may repeat. */
function changedBodySections(before: PublicFields, after: PublicFields): string[] {
  const byHeading = (profile: PublicFields) => {
    const map = new Map<string, string[][]>();
    for (const section of profile.sections) {
      map.set(section.heading, [...(map.get(section.heading) ?? []), section.paragraphs]);
    }
    return map;
  };
  const old = byHeading(before);
  const now = byHeading(after);
  const headings = [...new Set([...now.keys(), ...old.keys()])];
  return headings.filter(
    (heading) =>
      JSON.stringify(old.get(heading) ?? null) !== JSON.stringify(now.get(heading) ?? null),
  );
}

/**
 * The names of the public sections that differ between two versions of a profile, in the
 * order of the page, each once; "Briefings updated" last when only its briefings moved.
 */
export function publicChangedSections(before: ProfileDocument, after: ProfileDocument): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const key of Object.keys(SECTION_NAMES) as (keyof PublicFields)[]) {
    if (key === "sections") {
      for (const heading of changedBodySections(before.profile, after.profile)) add(heading);
      continue;
    }
    const name = SECTION_NAMES[key];
    if (name && comparable(before.profile, key) !== comparable(after.profile, key)) add(name);
  }
  // Compared as a whole, named by a fixed label only.
  if (JSON.stringify(before.briefings) !== JSON.stringify(after.briefings)) add(BRIEFINGS_UPDATED);
  return names;
}

/**
 * Records the sections a save changed, in the save's own transaction (so a change is
 * never shown that did not happen). Nothing is written when nothing public changed.
 */
export async function recordProfileChange(
  tx: Tx | Db,
  change: { profileId: string; version: number; sections: string[]; at: Date },
): Promise<void> {
  if (change.sections.length === 0) return;
  await tx.insert(profileChanges).values({
    profileId: change.profileId,
    version: change.version,
    sections: change.sections,
    changedAt: change.at,
  });
}

export type ProfileChange = { id: string; changedAt: Date; sections: string[] };

/** A published profile's latest changes, newest first (the profile page's "Recent changes"). */
export async function recentProfileChanges(
  db: Db,
  profileId: string,
  limit = 5,
): Promise<ProfileChange[]> {
  return db
    .select({
      id: profileChanges.id,
      changedAt: profileChanges.changedAt,
      sections: profileChanges.sections,
    })
    .from(profileChanges)
    .innerJoin(profiles, eq(profiles.id, profileChanges.profileId))
    .where(and(eq(profileChanges.profileId, profileId), eq(profiles.status, "published")))
    .orderBy(desc(profileChanges.changedAt), desc(profileChanges.id))
    .limit(limit);
}

export type FollowedProfileChange = ProfileChange & {
  profileId: string;
  slug: string;
  name: string;
};

/**
 * Changes to the published profiles a member follows, newest first, by keyset on
 * (changed_at, id): the watchlist's "What changed".
 */
export async function followedProfileChanges(
  db: Db,
  userId: string,
  options: { after?: string | undefined; limit?: number } = {},
): Promise<{ items: FollowedProfileChange[]; nextCursor: string | null }> {
  const limit = options.limit ?? 20;
  const keyset = options.after
    ? (() => {
        const [at, id] = decodeDateCursor(options.after);
        return sql`AND (pc.changed_at, pc.id) < (${at.toISOString()}::timestamptz, ${id}::uuid)`;
      })()
    : sql``;
  const list = await queryRows<
    Omit<FollowedProfileChange, "changedAt"> & { changedAt: Date | string }
  >(
    db,
    sql`
    SELECT pc.id, pc.changed_at AS "changedAt", pc.sections, p.id AS "profileId", p.slug, p.name
    FROM profile_follows pf
    JOIN profiles p ON p.id = pf.profile_id AND p.status = 'published'
    JOIN profile_changes pc ON pc.profile_id = pf.profile_id
    WHERE pf.user_id = ${userId} ${keyset}
    ORDER BY pc.changed_at DESC, pc.id DESC
    LIMIT ${limit + 1}`,
  );
  const items = list
    .slice(0, limit)
    // Raw rows: postgres-js (as drizzle sets it up) returns timestamps as text.
    .map((row) => ({ ...row, changedAt: new Date(row.changedAt) }));
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      list.length > limit && last ? encodeCursor([last.changedAt.toISOString(), last.id]) : null,
  };
}
