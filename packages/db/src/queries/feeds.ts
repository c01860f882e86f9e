/**
 * What the feeds (RSS, Atom) and the sitemap list: published profiles and articles, and
 * the topics that published content carries, by their public fields only.
 *
 * Nothing here reads the `briefings` table, and every query names the columns it selects:
 * a feed or sitemap is served to anyone, so it may hold only what an anonymous reader sees
 * on the pages it links to (a profile's name, summary and topics; an article's title,
 * excerpt, provider and topics; dates). Drafts, scheduled profiles and unpublished
 * articles never appear, and neither does a topic that only they carry.
 */
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import { articleMentions, articles, articleTopics, profiles, topics } from "../schema.ts";

/** How many entries a feed holds. */
export const FEED_LIMIT = 50;

/**
 * URLs per sitemap file. The protocol allows 50,000 (and 50 MB); a fifth of that keeps each
 * file quick to build and small to fetch.
 */
export const SITEMAP_CHUNK_SIZE = 10_000;

/** The protocol's own limit on the URLs of one sitemap file. */
export const SITEMAP_MAX_URLS = 50_000;

export type FeedEntry = {
  kind: "profile" | "article";
  /** The page on this site, e.g. `/profiles/acme` or `/news/some-article-1a2b3c`. */
  path: string;
  title: string;
  /** Plain text: the profile's summary or the article's excerpt. */
  summary: string;
  /**
   * What orders a feed. An article: its publication time. A profile: the later of its last
   * update and its publication, because a scheduled profile goes live at `published_at`
   * without being saved again, so its `updated_at` can be older than its publication.
   */
  updated: Date;
  /** When it was first published. */
  published: Date;
  /** Topic names, alphabetical. */
  categories: string[];
  /** Where an article comes from; null for a profile. */
  provider: { name: string; domain: string } | null;
};

export type TopicFeed = { topic: { slug: string; name: string }; entries: FeedEntry[] };
export type ProfileFeed = { profile: { slug: string; name: string }; entries: FeedEntry[] };

const profilePath = (slug: string) => `/profiles/${encodeURIComponent(slug)}`;
const articlePath = (slug: string) => `/news/${encodeURIComponent(slug)}`;
const topicPath = (slug: string) => `/topics/${encodeURIComponent(slug)}`;
const providerPath = (domain: string) => `/providers/${encodeURIComponent(domain)}`;

// Column references are written out in full inside these fragments: drizzle leaves column
// names unqualified in a selected fragment, and an unqualified "id" would bind to the
// subquery's own table.
const profileTopicNames = sql<string[]>`coalesce((
  SELECT array_agg(t.name ORDER BY t.name)
  FROM profile_topics pt JOIN topics t ON t.id = pt.topic_id
  WHERE pt.profile_id = "profiles"."id"
), '{}'::text[])`;

const articleTopicNames = sql<string[]>`coalesce((
  SELECT array_agg(t.name ORDER BY t.name)
  FROM article_topics atp JOIN topics t ON t.id = atp.topic_id
  WHERE atp.article_id = "articles"."id"
), '{}'::text[])`;

/** A profile's date in feeds and sitemaps (see `FeedEntry.updated`). */
const profileUpdated =
  sql<Date>`greatest("profiles"."updated_at", "profiles"."published_at")`.mapWith(
    profiles.updatedAt,
  );

const profileEntryColumns = {
  slug: profiles.slug,
  name: profiles.name,
  summary: profiles.summary,
  updated: profileUpdated,
  published: profiles.publishedAt,
  topics: profileTopicNames,
};
type ProfileEntryRow = {
  slug: string;
  name: string;
  summary: string;
  updated: Date;
  published: Date;
  topics: string[];
};

const articleEntryColumns = {
  slug: articles.slug,
  title: articles.title,
  excerpt: articles.excerpt,
  published: articles.publishedDateTime,
  providerName: articles.providerName,
  providerDomain: articles.providerDomain,
  topics: articleTopicNames,
};
type ArticleEntryRow = {
  slug: string;
  title: string;
  excerpt: string;
  published: Date;
  providerName: string;
  providerDomain: string;
  topics: string[];
};

function profileEntry(row: ProfileEntryRow): FeedEntry {
  return {
    kind: "profile",
    path: profilePath(row.slug),
    title: row.name,
    summary: row.summary,
    updated: row.updated,
    published: row.published,
    categories: row.topics,
    provider: null,
  };
}

function articleEntry(row: ArticleEntryRow): FeedEntry {
  return {
    kind: "article",
    path: articlePath(row.slug),
    title: row.title,
    summary: row.excerpt,
    updated: row.published,
    published: row.published,
    categories: row.topics,
    provider: { name: row.providerName, domain: row.providerDomain },
  };
}

/** Newest first; equal dates by path, so a feed's order never depends on the plan. */
export function compareFeedEntries(a: FeedEntry, b: FeedEntry): number {
  return (
    b.updated.getTime() - a.updated.getTime() || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}

function mergeEntries(lists: FeedEntry[][], limit: number): FeedEntry[] {
  return lists.flat().sort(compareFeedEntries).slice(0, limit);
}

const limitSchema = z.number().int().min(1).max(500);

/** The newest published profiles, by `profileUpdated` (a sort over published profiles). */
function newestProfiles(db: Db, where: SQL | undefined, limit: number) {
  return db
    .select(profileEntryColumns)
    .from(profiles)
    .where(and(eq(profiles.status, "published"), where))
    .orderBy(desc(profileUpdated), desc(profiles.id))
    .limit(limit);
}

/**
 * The site's feed: the newest published profiles and articles, merged by date. Articles
 * come from a backward walk of articles_published_idx; profiles are ordered by the later
 * of two dates, which no index holds, so that part sorts the published profiles (a top-N
 * sort, cheap at the directory's size, and the response is cached).
 */
export async function loadSiteFeed(db: Db, limit = FEED_LIMIT): Promise<FeedEntry[]> {
  limitSchema.parse(limit);
  const [profileRows, articleRows] = await Promise.all([
    newestProfiles(db, undefined, limit),
    db
      .select(articleEntryColumns)
      .from(articles)
      .where(eq(articles.status, "published"))
      .orderBy(desc(articles.publishedDateTime), desc(articles.id))
      .limit(limit),
  ]);
  return mergeEntries([profileRows.map(profileEntry), articleRows.map(articleEntry)], limit);
}

/**
 * One topic's feed: its newest published profiles and articles. Null when no topic has
 * this slug or when only unpublished content carries it (its name is then not public).
 * Articles are read through article_topics_latest_idx (topic, date, article).
 */
export async function loadTopicFeed(
  db: Db,
  slug: string,
  limit = FEED_LIMIT,
): Promise<TopicFeed | null> {
  limitSchema.parse(limit);
  const [topic] = await db
    .select({ id: topics.id, slug: topics.slug, name: topics.name })
    .from(topics)
    .where(eq(topics.slug, slug))
    .limit(1);
  if (!topic) return null;
  const [profileRows, articleRows] = await Promise.all([
    newestProfiles(
      db,
      sql`EXISTS (SELECT 1 FROM profile_topics pt
          WHERE pt.profile_id = "profiles"."id" AND pt.topic_id = ${topic.id})`,
      limit,
    ),
    db
      .select(articleEntryColumns)
      .from(articleTopics)
      .innerJoin(articles, eq(articles.id, articleTopics.articleId))
      .where(and(eq(articleTopics.topicId, topic.id), eq(articles.status, "published")))
      .orderBy(desc(articleTopics.publishedDateTime), desc(articleTopics.articleId))
      .limit(limit),
  ]);
  const entries = mergeEntries(
    [profileRows.map(profileEntry), articleRows.map(articleEntry)],
    limit,
  );
  if (entries.length === 0) return null;
  return { topic: { slug: topic.slug, name: topic.name }, entries };
}

/**
 * One profile's feed: the profile itself, and the newest published articles that mention
 * it, `limit` entries in all. The profile is always among them, however old it is. Null
 * when no published profile has this slug.
 */
export async function loadProfileFeed(
  db: Db,
  slug: string,
  limit = FEED_LIMIT,
): Promise<ProfileFeed | null> {
  limitSchema.parse(limit);
  const [profile] = await db
    .select({ id: profiles.id, ...profileEntryColumns })
    .from(profiles)
    .where(and(eq(profiles.slug, slug), eq(profiles.status, "published")))
    .limit(1);
  if (!profile) return null;
  const articleRows =
    limit > 1
      ? await db
          .select(articleEntryColumns)
          .from(articleMentions)
          .innerJoin(articles, eq(articles.id, articleMentions.articleId))
          .where(and(eq(articleMentions.profileId, profile.id), eq(articles.status, "published")))
          .orderBy(desc(articles.publishedDateTime), desc(articles.id))
          .limit(limit - 1)
      : [];
  return {
    profile: { slug: profile.slug, name: profile.name },
    entries: mergeEntries([[profileEntry(profile)], articleRows.map(articleEntry)], limit),
  };
}

// ---------------------------------------------------------------------------------------
// The sitemap: an index of chunk files. `pages` holds the fixed pages and the topics;
// `profiles-<n>` and `articles-<n>` hold the published profiles and articles, oldest first
// by (published date, id), so new content lands in the last chunk and earlier chunks keep
// their URLs (and their lastmod) as the site grows.

export type SitemapChunk =
  | { kind: "pages" }
  | { kind: "profiles"; number: number }
  | { kind: "articles"; number: number };

export type SitemapUrl = { path: string; lastmod: Date | null };
export type SitemapIndexEntry = { name: string; lastmod: Date | null };

/** The chunk's file name without `.xml`: `pages`, `profiles-3`, `articles-1`. */
export function sitemapChunkName(chunk: SitemapChunk): string {
  return chunk.kind === "pages" ? "pages" : `${chunk.kind}-${chunk.number}`;
}

/** The largest chunk number a name may carry: far past any real site, and a safe offset. */
const MAX_CHUNK_NUMBER = 1_000_000;
const CHUNK_NAME = /^(?:(pages)|(profiles|articles)-([1-9]\d{0,6}))$/;

/**
 * A chunk name from a URL, or null. Written one way only (no leading zeros, no sign), so
 * each chunk has exactly one address.
 */
export function parseSitemapChunkName(name: string): SitemapChunk | null {
  const match = CHUNK_NAME.exec(name);
  if (!match) return null;
  if (match[1]) return { kind: "pages" };
  const number = Number(match[3]);
  if (number > MAX_CHUNK_NUMBER) return null;
  return { kind: match[2] as "profiles" | "articles", number };
}

const chunkSizeSchema = z.number().int().min(1).max(SITEMAP_MAX_URLS);
const chunkNumberSchema = z.number().int().min(1).max(MAX_CHUNK_NUMBER);

/** Timestamps leave SQL as ISO text: the two drivers would hand back different types. */
const isoText = (expression: SQL) =>
  sql`to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const isoInstant = z.iso.datetime().transform((value) => new Date(value));
const chunkRowSchema = z.object({ chunk: z.coerce.number().int().min(0), lastmod: isoInstant });
const urlRowSchema = z.object({ slug: z.string(), lastmod: isoInstant });
const topicRowSchema = z.object({ slug: z.string(), lastmod: isoInstant });
const newestRowSchema = z.object({ lastmod: isoInstant.nullable() });

/** The newest lastmod of each chunk of `profiles` or `articles`, in one ordered scan. */
async function chunkLastmods(db: Db, kind: "profiles" | "articles", size: number) {
  const query =
    kind === "profiles"
      ? sql`SELECT (row_number() OVER (ORDER BY p.published_at, p.id) - 1) / ${size}::int AS chunk,
              greatest(p.updated_at, p.published_at) AS lastmod
            FROM profiles p WHERE p.status = 'published'`
      : sql`SELECT (row_number() OVER (ORDER BY a.published_date_time, a.id) - 1) / ${size}::int AS chunk,
              a.published_date_time AS lastmod
            FROM articles a WHERE a.status = 'published'`;
  const rows = await queryRows<unknown>(
    db,
    sql`SELECT ranked.chunk::int AS chunk, ${isoText(sql`max(ranked.lastmod)`)} AS lastmod
        FROM (${query}) ranked
        GROUP BY ranked.chunk ORDER BY ranked.chunk`,
  );
  return rows.map((row) => chunkRowSchema.parse(row));
}

/** The newest of some dates, ignoring the missing. */
function newest(dates: (Date | null)[]): Date | null {
  let best: Date | null = null;
  for (const date of dates) if (date && (!best || date > best)) best = date;
  return best;
}

/**
 * The sitemap index: `pages`, then every chunk of profiles and of articles, each with the
 * newest lastmod among its URLs. One scan per kind of content in (published date, id)
 * order, the order of profiles_published_idx and articles_published_idx.
 */
export async function loadSitemapIndex(
  db: Db,
  chunkSize = SITEMAP_CHUNK_SIZE,
): Promise<SitemapIndexEntry[]> {
  const size = chunkSizeSchema.parse(chunkSize);
  const [profileChunks, articleChunks] = await Promise.all([
    chunkLastmods(db, "profiles", size),
    chunkLastmods(db, "articles", size),
  ]);
  const chunks = (kind: "profiles" | "articles", rows: typeof profileChunks) =>
    rows.map((row) => ({
      name: sitemapChunkName({ kind, number: row.chunk + 1 }),
      lastmod: row.lastmod,
    }));
  const content = [...chunks("profiles", profileChunks), ...chunks("articles", articleChunks)];
  // Every page in `pages` shows the newest content (the home page) or a part of it.
  return [{ name: "pages", lastmod: newest(content.map((c) => c.lastmod)) }, ...content];
}

/**
 * The topics that published content carries, each with the date of its newest published
 * content (its newest article through article_topics_latest_idx), by slug.
 */
async function publishedTopics(db: Db, limit: number) {
  const rows = await queryRows<unknown>(
    db,
    sql`SELECT topic.slug, ${isoText(sql`topic.lastmod`)} AS lastmod FROM (
          SELECT t.slug, greatest(
            (SELECT max(greatest(p.updated_at, p.published_at))
               FROM profile_topics pt JOIN profiles p ON p.id = pt.profile_id
              WHERE pt.topic_id = t.id AND p.status = 'published'),
            (SELECT atp.published_date_time
               FROM article_topics atp JOIN articles a ON a.id = atp.article_id
              WHERE atp.topic_id = t.id AND a.status = 'published'
              ORDER BY atp.published_date_time DESC, atp.article_id DESC LIMIT 1)
          ) AS lastmod
          FROM topics t
        ) topic
        WHERE topic.lastmod IS NOT NULL
        ORDER BY topic.slug
        LIMIT ${limit}::int`,
  );
  return rows.map((row) => topicRowSchema.parse(row));
}

/** Sources of published news (their pages at /providers/<domain>), by domain. */
async function publishedProviders(db: Db, limit: number) {
  if (limit <= 0) return [];
  const rows = await queryRows<unknown>(
    db,
    sql`SELECT a.provider_domain AS slug, ${isoText(sql`max(a.published_date_time)`)} AS lastmod
        FROM articles a WHERE a.status = 'published'
        GROUP BY a.provider_domain
        ORDER BY a.provider_domain
        LIMIT ${limit}::int`,
  );
  return rows.map((row) => topicRowSchema.parse(row));
}

async function newestOf(db: Db, query: SQL): Promise<Date | null> {
  const [row] = await queryRows<unknown>(db, sql`SELECT ${isoText(sql`(${query})`)} AS lastmod`);
  return newestRowSchema.parse(row).lastmod;
}

/**
 * The fixed pages and the topic pages. The chunk size pages content, not this list: it is
 * bounded by the protocol's limit only. A site with more topics than that would list the
 * first ones by slug; topics are an editorial vocabulary, far below it.
 */
async function pagesChunk(db: Db): Promise<SitemapUrl[]> {
  const fixed = 3;
  const [newestProfile, newestArticle, topicRows] = await Promise.all([
    newestOf(
      db,
      sql`SELECT max(greatest(p.updated_at, p.published_at)) FROM profiles p WHERE p.status = 'published'`,
    ),
    newestOf(
      db,
      sql`SELECT max(a.published_date_time) FROM articles a WHERE a.status = 'published'`,
    ),
    publishedTopics(db, SITEMAP_MAX_URLS - fixed),
  ]);
  const pages: SitemapUrl[] = [
    { path: "/", lastmod: newest([newestProfile, newestArticle]) },
    { path: "/profiles", lastmod: newestProfile },
    { path: "/news", lastmod: newestArticle },
  ];
  const providerRows = await publishedProviders(db, SITEMAP_MAX_URLS - fixed - topicRows.length);
  return [
    ...pages,
    ...topicRows.map((row) => ({ path: topicPath(row.slug), lastmod: row.lastmod })),
    ...providerRows.map((row) => ({ path: providerPath(row.slug), lastmod: row.lastmod })),
  ];
}

/**
 * One chunk of profiles or articles. Its first key is found by an index-only walk of the
 * (status, date, id) index past the earlier chunks; the chunk is then read from that key
 * on, a row comparison that bounds the index scan, so only its own rows reach the table.
 * (The key comes from a row subquery: compared with a joined row instead, Postgres would
 * filter the scan from the first row rather than start it at the key.) Past the last
 * chunk the subquery finds no row and the comparison, NULL, selects none.
 */
async function contentChunk(
  db: Db,
  kind: "profiles" | "articles",
  number: number,
  size: number,
): Promise<SitemapUrl[]> {
  const offset = (number - 1) * size;
  const query =
    kind === "profiles"
      ? sql`SELECT p.slug, ${isoText(sql`greatest(p.updated_at, p.published_at)`)} AS lastmod
            FROM profiles p
            WHERE p.status = 'published'
              AND (p.published_at, p.id) >= (
                SELECT k.published_at, k.id FROM profiles k
                WHERE k.status = 'published'
                ORDER BY k.published_at, k.id
                OFFSET ${offset}::bigint LIMIT 1
              )
            ORDER BY p.published_at, p.id
            LIMIT ${size}::int`
      : sql`SELECT a.slug, ${isoText(sql`a.published_date_time`)} AS lastmod
            FROM articles a
            WHERE a.status = 'published'
              AND (a.published_date_time, a.id) >= (
                SELECT k.published_date_time, k.id FROM articles k
                WHERE k.status = 'published'
                ORDER BY k.published_date_time, k.id
                OFFSET ${offset}::bigint LIMIT 1
              )
            ORDER BY a.published_date_time, a.id
            LIMIT ${size}::int`;
  const rows = (await queryRows<unknown>(db, query)).map((row) => urlRowSchema.parse(row));
  const pathOf = kind === "profiles" ? profilePath : articlePath;
  return rows.map((row) => ({ path: pathOf(row.slug), lastmod: row.lastmod }));
}

/**
 * The URLs of one sitemap chunk, or null when there is no such chunk (a number past the
 * last chunk of its kind). `pages` always exists: the home page is always there.
 */
export async function loadSitemapChunk(
  db: Db,
  chunk: SitemapChunk,
  chunkSize = SITEMAP_CHUNK_SIZE,
): Promise<SitemapUrl[] | null> {
  const size = chunkSizeSchema.parse(chunkSize);
  if (chunk.kind === "pages") return pagesChunk(db);
  const number = chunkNumberSchema.parse(chunk.number);
  const urls = await contentChunk(db, chunk.kind, number, size);
  return urls.length > 0 ? urls : null;
}
