import {
  CONFIDENCE_GRADES,
  type ConfidenceGrade,
  CRITICALITIES,
  confidenceRangeForGrade,
  gradeConfidence,
  PROFILE_SORTS,
  type Profile,
  type ProfileSort,
  type RedactedBriefing,
  type TierCatalogue,
  type Viewer,
} from "@briefings/core";
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import {
  profileAlsoRead,
  profileSections,
  profileSources,
  profiles,
  profileTopics,
  topics,
} from "../schema.ts";
import { loadRedactedBriefings } from "./briefings.ts";
import { decodeDateCursor, decodeNumberCursor, decodeTextCursor, encodeCursor } from "./cursor.ts";

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);

/** The directory's query string, validated. Unknown values are rejected by name. */
export const profileFiltersSchema = z.object({
  type: optionalText,
  base: optionalText,
  focus: optionalText,
  topic: optionalText,
  criticality: z.enum(CRITICALITIES).optional(),
  grade: z.enum(CONFIDENCE_GRADES).optional(),
  sort: z.enum(PROFILE_SORTS).default("newest"),
  after: z.string().max(500).optional(),
});
export type ProfileFilters = Partial<z.input<typeof profileFiltersSchema>> & { sort?: ProfileSort };

export type ProfileCard = {
  id: string;
  slug: string;
  name: string;
  type: string;
  base: string;
  focus: string;
  summary: string;
  criticality: Profile["criticality"];
  confidence: number;
  grade: ConfidenceGrade;
  topics: string[];
  publishedAt: Date;
  isDemo: boolean;
};

const cardColumns = {
  id: profiles.id,
  slug: profiles.slug,
  name: profiles.name,
  type: profiles.type,
  base: profiles.base,
  focus: profiles.focus,
  summary: profiles.summary,
  criticality: profiles.criticality,
  confidence: profiles.confidence,
  publishedAt: profiles.publishedAt,
  isDemo: profiles.isDemo,
  // Written out in full: drizzle leaves column names unqualified inside a selected
  // fragment, and an unqualified "id" here would bind to the inner table.
  topics: sql<string[]>`coalesce((
    SELECT array_agg(t.name ORDER BY t.name)
    FROM profile_topics pt JOIN topics t ON t.id = pt.topic_id
    WHERE pt.profile_id = "profiles"."id"
  ), '{}'::text[])`,
};

type CardRow = Omit<ProfileCard, "grade">;
const toCard = (row: CardRow): ProfileCard => ({
  ...row,
  grade: gradeConfidence(row.confidence).grade,
});

function filterConditions(filters: ProfileFilters): SQL[] {
  const conditions: SQL[] = [eq(profiles.status, "published")];
  if (filters.type) conditions.push(eq(profiles.type, filters.type));
  if (filters.base) conditions.push(eq(profiles.base, filters.base));
  if (filters.focus) conditions.push(eq(profiles.focus, filters.focus));
  if (filters.criticality) conditions.push(eq(profiles.criticality, filters.criticality));
  if (filters.grade) {
    const { min, max } = confidenceRangeForGrade(filters.grade);
    conditions.push(sql`${profiles.confidence} >= ${min}`);
    conditions.push(
      max >= 1 ? sql`${profiles.confidence} <= 1` : sql`${profiles.confidence} < ${max}`,
    );
  }
  if (filters.topic) {
    const topic = filters.topic;
    conditions.push(
      sql`EXISTS (SELECT 1 FROM profile_topics pt JOIN topics t ON t.id = pt.topic_id
          WHERE pt.profile_id = "profiles"."id" AND t.slug = ${topic})`,
    );
  }
  return conditions;
}

/** One page of the directory, keyset-paginated in the chosen order. */
export async function listProfiles(
  db: Db,
  filters: ProfileFilters,
  limit = 24,
): Promise<{ items: ProfileCard[]; nextCursor: string | null }> {
  const conditions = filterConditions(filters);
  // Row comparisons, so the keyset is an index bound and not a filter.
  let order: SQL[];
  switch (filters.sort) {
    case "name":
      order = [asc(profiles.name), asc(profiles.id)];
      if (filters.after) {
        const [name, id] = decodeTextCursor(filters.after);
        conditions.push(sql`(${profiles.name}, ${profiles.id}) > (${name}, ${id}::uuid)`);
      }
      break;
    case "confidence":
      order = [desc(profiles.confidence), desc(profiles.id)];
      if (filters.after) {
        const [score, id] = decodeNumberCursor(filters.after);
        conditions.push(
          sql`(${profiles.confidence}, ${profiles.id}) < (${score}::double precision, ${id}::uuid)`,
        );
      }
      break;
    default:
      order = [desc(profiles.publishedAt), desc(profiles.id)];
      if (filters.after) {
        const [at, id] = decodeDateCursor(filters.after);
        conditions.push(
          sql`(${profiles.publishedAt}, ${profiles.id}) < (${at.toISOString()}::timestamptz, ${id}::uuid)`,
        );
      }
  }
  const rows = await db
    .select(cardColumns)
    .from(profiles)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toCard);
  const last = items.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > limit && last) {
    const key =
      filters.sort === "name"
        ? last.name
        : filters.sort === "confidence"
          ? last.confidence
          : last.publishedAt.toISOString();
    nextCursor = encodeCursor([key, last.id]);
  }
  return { items, nextCursor };
}

export async function countProfiles(db: Db, filters: ProfileFilters): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(profiles)
    .where(and(...filterConditions(filters)));
  return row?.count ?? 0;
}

export type DirectoryFacets = {
  types: string[];
  bases: string[];
  focuses: string[];
  topics: { slug: string; name: string }[];
};

/** The values the directory's filters offer, from published profiles. */
export async function loadDirectoryFacets(db: Db): Promise<DirectoryFacets> {
  const published = eq(profiles.status, "published");
  const distinct = async (
    column: typeof profiles.type | typeof profiles.base | typeof profiles.focus,
  ) =>
    (
      await db
        .selectDistinct({ value: column })
        .from(profiles)
        .where(published)
        .orderBy(asc(column))
    ).map((row) => row.value);
  const [types, bases, focuses, topicRows] = await Promise.all([
    distinct(profiles.type),
    distinct(profiles.base),
    distinct(profiles.focus),
    db
      .selectDistinct({ slug: topics.slug, name: topics.name })
      .from(topics)
      .innerJoin(profileTopics, eq(profileTopics.topicId, topics.id))
      .innerJoin(profiles, eq(profiles.id, profileTopics.profileId))
      .where(published)
      .orderBy(asc(topics.name)),
  ]);
  return { types, bases, focuses, topics: topicRows };
}

export async function latestProfiles(db: Db, limit = 6): Promise<ProfileCard[]> {
  return (await listProfiles(db, { sort: "newest" }, limit)).items;
}

export type ProfilePage = {
  profile: Profile & { id: string; isDemo: boolean; topicSlugs: { slug: string; name: string }[] };
  briefings: RedactedBriefing[];
};

/**
 * A published profile with everything its page shows, briefings redacted for the viewer.
 * `includeUnpublished` is for the editors' preview of a draft or scheduled profile.
 */
export async function loadProfilePage(
  db: Db,
  slug: string,
  viewer: Viewer,
  tiers: TierCatalogue,
  options: { includeUnpublished?: boolean } = {},
): Promise<ProfilePage | null> {
  const [row] = await db
    .select()
    .from(profiles)
    .where(
      options.includeUnpublished
        ? eq(profiles.slug, slug)
        : and(eq(profiles.slug, slug), eq(profiles.status, "published")),
    )
    .limit(1);
  if (!row) return null;
  const [sections, sources, alsoRead, topicRows, briefings] = await Promise.all([
    db
      .select({ heading: profileSections.heading, paragraphs: profileSections.paragraphs })
      .from(profileSections)
      .where(eq(profileSections.profileId, row.id))
      .orderBy(asc(profileSections.position)),
    db
      .select({
        title: profileSources.title,
        publisher: profileSources.publisher,
        url: profileSources.url,
        publishedAt: profileSources.publishedAt,
        reliability: profileSources.reliability,
      })
      .from(profileSources)
      .where(eq(profileSources.profileId, row.id))
      .orderBy(asc(profileSources.position)),
    db
      .select({ title: profileAlsoRead.title, href: profileAlsoRead.href })
      .from(profileAlsoRead)
      .where(eq(profileAlsoRead.profileId, row.id))
      .orderBy(asc(profileAlsoRead.position)),
    db
      .select({ slug: topics.slug, name: topics.name })
      .from(profileTopics)
      .innerJoin(topics, eq(topics.id, profileTopics.topicId))
      .where(eq(profileTopics.profileId, row.id))
      .orderBy(asc(topics.name)),
    loadRedactedBriefings(db, { profileId: row.id }, viewer, tiers),
  ]);
  return {
    profile: {
      id: row.id,
      isDemo: row.isDemo,
      slug: row.slug,
      name: row.name,
      type: row.type,
      ecosystem: row.ecosystem,
      base: row.base,
      focus: row.focus as Profile["focus"],
      summary: row.summary,
      whatItDoes: row.whatItDoes,
      whyItMatters: row.whyItMatters,
      criticality: row.criticality,
      timeHorizon: row.timeHorizon,
      whatToWatch: row.whatToWatch,
      keyPoints: row.keyPoints,
      sections,
      sources,
      sourcesNote: row.sourcesNote,
      alsoRead,
      topics: topicRows.map((t) => t.name),
      topicSlugs: topicRows,
      confidence: row.confidence,
      publishedAt: row.publishedAt,
      lastReviewedAt: row.lastReviewedAt,
      updatedAt: row.updatedAt,
    },
    briefings,
  };
}
