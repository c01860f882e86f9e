import {
  type Article,
  type Briefing,
  type Profile,
  shortHash,
  slugify,
  type Tier,
} from "@briefings/core";
import { inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  articleMentions,
  articles,
  articleTopics,
  briefings,
  profileAlsoRead,
  profileSections,
  profileSources,
  profiles,
  profileTopics,
  tiers,
  topics,
} from "../schema.ts";

/** A briefing as written: the id is assigned by the database. */
export type BriefingInput = Omit<Briefing, "id">;

export type ProfileInput = { profile: Profile; briefings: BriefingInput[]; isDemo?: boolean };
export type ArticleInput = {
  article: Article;
  briefings: BriefingInput[];
  /** Slugs of profiles the article names. */
  mentions?: string[];
  isDemo?: boolean;
};

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * A failed save, described by the database's own message only. Drizzle's query errors
 * quote every bound parameter (briefing bodies included) and Postgres' `detail` quotes
 * the failing row, so neither may reach a log: this error keeps neither, nor a `cause`.
 */
export class ContentWriteError extends Error {
  constructor(what: string, error: unknown) {
    super(`Could not save ${what}: ${databaseMessage(error)}`);
    this.name = "ContentWriteError";
  }
}

function databaseMessage(error: unknown): string {
  if (error instanceof ContentWriteError) return error.message;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : "unknown error";
  // The driver's message names the constraint; anything after a line break is context.
  return message.startsWith("Failed query:")
    ? "the database refused the write"
    : (message.split("\n")[0] ?? "");
}

function assertUnique(values: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value))
      throw new ContentWriteError(what, new Error(`"${value}" appears twice in one batch`));
    seen.add(value);
  }
}

/** Drizzle's multi-row insert sends one bind parameter per value; stay below Postgres' 65,535. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A profile's own columns (not its lists, which live in tables of their own). */
export function profileColumns(p: Omit<Profile, "publishedAt" | "updatedAt">) {
  return {
    slug: p.slug,
    name: p.name,
    type: p.type,
    ecosystem: p.ecosystem,
    base: p.base,
    focus: p.focus,
    summary: p.summary,
    whatItDoes: p.whatItDoes,
    whyItMatters: p.whyItMatters,
    criticality: p.criticality,
    timeHorizon: p.timeHorizon,
    whatToWatch: p.whatToWatch,
    keyPoints: p.keyPoints,
    sourcesNote: p.sourcesNote,
    confidence: p.confidence,
    lastReviewedAt: p.lastReviewedAt,
  };
}

export function articleSlug(article: Pick<Article, "title" | "webUrl">): string {
  return `${slugify(article.title, 80)}-${shortHash(article.webUrl)}`;
}

export async function ensureTopics(tx: Tx, names: Iterable<string>): Promise<Map<string, string>> {
  const bySlug = new Map<string, string>();
  for (const name of names) bySlug.set(slugify(name), name);
  const ids = new Map<string, string>();
  for (const batch of chunks([...bySlug], 1000)) {
    const rows = await tx
      .insert(topics)
      .values(batch.map(([slug, name]) => ({ slug, name })))
      // The latest spelling of a topic's name wins (e.g. a change of capitalisation).
      .onConflictDoUpdate({ target: topics.slug, set: { name: sql`excluded.name` } })
      .returning({ id: topics.id, slug: topics.slug });
    for (const row of rows) ids.set(row.slug, row.id);
  }
  return ids;
}

function briefingRows(
  parent: { profileId: string } | { articleId: string },
  items: readonly BriefingInput[],
): (typeof briefings.$inferInsert)[] {
  return items.map((b) => ({
    ...parent,
    kind: b.kind,
    label: b.label,
    title: b.title,
    gateKind: b.gate.kind,
    gateTier: b.gate.kind === "tier" ? b.gate.tier : null,
    position: b.position,
    body: b.body,
    sources: b.sources,
    sealedCiphertext: b.sealed?.ciphertext ?? null,
    sealedIv: b.sealed?.iv ?? null,
    sealedBytes: b.sealed?.bytes ?? null,
  }));
}

export async function saveTiers(db: Db, items: readonly Tier[]): Promise<void> {
  if (items.length === 0) return;
  await db
    .insert(tiers)
    .values(items.map((t) => ({ ...t, retiredAt: t.retiredAt ?? null })))
    .onConflictDoNothing({ target: tiers.slug });
}

/**
 * Creates or replaces profiles by slug, with their sections, sources, reading,
 * topics and briefings, all in one transaction: a failure leaves nothing behind.
 */
export async function saveProfiles(db: Db, items: readonly ProfileInput[]): Promise<string[]> {
  if (items.length === 0) return [];
  assertUnique(
    items.map((item) => item.profile.slug),
    "profiles",
  );
  try {
    return await writeProfiles(db, items);
  } catch (error) {
    throw new ContentWriteError("profiles", error);
  }
}

function writeProfiles(db: Db, items: readonly ProfileInput[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const topicIds = await ensureTopics(
      tx,
      items.flatMap((item) => item.profile.topics),
    );
    const ids: string[] = [];
    for (const batch of chunks(items, 500)) {
      const rows = await tx
        .insert(profiles)
        .values(
          batch.map(({ profile: p, isDemo }) => ({
            ...profileColumns(p),
            isDemo: isDemo ?? false,
            publishedAt: p.publishedAt,
            updatedAt: p.updatedAt,
          })),
        )
        .onConflictDoUpdate({
          target: profiles.slug,
          set: Object.fromEntries(
            [
              "name",
              "type",
              "ecosystem",
              "base",
              "focus",
              "summary",
              "what_it_does",
              "why_it_matters",
              "criticality",
              "time_horizon",
              "what_to_watch",
              "key_points",
              "sources_note",
              "confidence",
              "is_demo",
              "published_at",
              "last_reviewed_at",
              "updated_at",
            ].map((column) => [snakeToCamel(column), sql.raw(`excluded.${column}`)]),
          ),
        })
        .returning({ id: profiles.id, slug: profiles.slug });
      const idBySlug = new Map(rows.map((r) => [r.slug, r.id]));
      const batchIds = batch.map(({ profile }) => idBySlug.get(profile.slug) as string);
      ids.push(...batchIds);
      // Children are replaced wholesale: simpler and exact for a full-document save.
      for (const table of [profileSections, profileSources, profileAlsoRead, profileTopics]) {
        await tx.delete(table).where(inArray(table.profileId, batchIds));
      }
      await tx.delete(briefings).where(inArray(briefings.profileId, batchIds));
      const sections = batch.flatMap(({ profile }, i) =>
        profile.sections.map((s, position) => ({
          profileId: batchIds[i] as string,
          position,
          ...s,
        })),
      );
      const sources = batch.flatMap(({ profile }, i) =>
        profile.sources.map((s, position) => ({
          profileId: batchIds[i] as string,
          position,
          ...s,
        })),
      );
      const reading = batch.flatMap(({ profile }, i) =>
        profile.alsoRead.map((r, position) => ({
          profileId: batchIds[i] as string,
          position,
          ...r,
        })),
      );
      const topicLinks = batch.flatMap(({ profile }, i) =>
        [...new Set(profile.topics.map((name) => slugify(name)))].map((slug) => ({
          profileId: batchIds[i] as string,
          topicId: topicIds.get(slug) as string,
        })),
      );
      const gated = batch.flatMap(({ briefings: items }, i) =>
        briefingRows({ profileId: batchIds[i] as string }, items),
      );
      for (const part of chunks(sections, 2000)) await tx.insert(profileSections).values(part);
      for (const part of chunks(sources, 2000)) await tx.insert(profileSources).values(part);
      for (const part of chunks(reading, 2000)) await tx.insert(profileAlsoRead).values(part);
      for (const part of chunks(topicLinks, 5000)) await tx.insert(profileTopics).values(part);
      for (const part of chunks(gated, 1000)) await tx.insert(briefings).values(part);
    }
    return ids;
  });
}

/** Creates or updates articles by `webUrl` (the upstream identity), in one transaction. */
export async function saveArticles(db: Db, items: readonly ArticleInput[]): Promise<string[]> {
  if (items.length === 0) return [];
  assertUnique(
    items.map((item) => item.article.webUrl),
    "articles",
  );
  assertUnique(
    items.map((item) => articleSlug(item.article)),
    "articles",
  );
  try {
    return await writeArticles(db, items);
  } catch (error) {
    throw new ContentWriteError("articles", error);
  }
}

function writeArticles(db: Db, items: readonly ArticleInput[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const topicIds = await ensureTopics(
      tx,
      items.flatMap((item) => item.article.topics),
    );
    const mentionSlugs = [...new Set(items.flatMap((item) => item.mentions ?? []))];
    const profileIds = new Map<string, string>();
    for (const part of chunks(mentionSlugs, 5000)) {
      const rows = await tx
        .select({ id: profiles.id, slug: profiles.slug })
        .from(profiles)
        .where(inArray(profiles.slug, part));
      for (const row of rows) profileIds.set(row.slug, row.id);
    }
    const ids: string[] = [];
    for (const batch of chunks(items, 500)) {
      const rows = await tx
        .insert(articles)
        .values(
          batch.map(({ article: a, isDemo }) => ({
            slug: articleSlug(a),
            webUrl: a.webUrl,
            category: a.category,
            title: a.title,
            excerpt: a.excerpt,
            publishedDateTime: a.publishedDateTime,
            type: a.type,
            quality: a.quality,
            heat: a.heat,
            sourcePublished: a.published,
            providerName: a.provider.name,
            providerDomain: a.provider.domain,
            images: a.images,
            related: a.related,
            body: a.body,
            isDemo: isDemo ?? false,
          })),
        )
        .onConflictDoUpdate({
          target: articles.webUrl,
          set: Object.fromEntries(
            [
              "category",
              "title",
              "excerpt",
              "published_date_time",
              "type",
              "quality",
              "heat",
              "source_published",
              "provider_name",
              "provider_domain",
              "images",
              "related",
              "body",
              "is_demo",
            ].map((column) => [snakeToCamel(column), sql.raw(`excluded.${column}`)]),
          ),
        })
        .returning({ id: articles.id, webUrl: articles.webUrl });
      const idByUrl = new Map(rows.map((r) => [r.webUrl, r.id]));
      const batchIds = batch.map(({ article }) => idByUrl.get(article.webUrl) as string);
      ids.push(...batchIds);
      await tx.delete(articleTopics).where(inArray(articleTopics.articleId, batchIds));
      await tx.delete(articleMentions).where(inArray(articleMentions.articleId, batchIds));
      await tx.delete(briefings).where(inArray(briefings.articleId, batchIds));
      const topicLinks = batch.flatMap(({ article }, i) =>
        [...new Set(article.topics.map((name) => slugify(name)))].map((slug) => ({
          articleId: batchIds[i] as string,
          topicId: topicIds.get(slug) as string,
          publishedDateTime: article.publishedDateTime,
        })),
      );
      const mentionLinks = batch.flatMap(({ mentions }, i) =>
        [...new Set(mentions ?? [])]
          .filter((slug) => profileIds.has(slug))
          .map((slug) => ({
            articleId: batchIds[i] as string,
            profileId: profileIds.get(slug) as string,
          })),
      );
      const gated = batch.flatMap(({ briefings: items }, i) =>
        briefingRows({ articleId: batchIds[i] as string }, items),
      );
      for (const part of chunks(topicLinks, 5000)) await tx.insert(articleTopics).values(part);
      for (const part of chunks(mentionLinks, 5000)) await tx.insert(articleMentions).values(part);
      for (const part of chunks(gated, 1000)) await tx.insert(briefings).values(part);
    }
    return ids;
  });
}

function snakeToCamel(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
