import type {
  ArticleImage,
  RedactedBriefing,
  RelatedArticle,
  TierCatalogue,
  Viewer,
} from "@briefings/core";
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import { articleMentions, articles, articleTopics, profiles, topics } from "../schema.ts";
import { loadRedactedBriefings } from "./briefings.ts";
import { decodeDateCursor, encodeCursor } from "./cursor.ts";

export const articleFiltersSchema = z.object({
  topic: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => value || undefined),
  /** A provider's domain, e.g. "theintercept.com". */
  provider: z
    .string()
    .trim()
    .max(253)
    .optional()
    .transform((value) => value || undefined),
  after: z.string().max(500).optional(),
});
export type ArticleFilters = Partial<z.input<typeof articleFiltersSchema>>;

export type ArticleCard = {
  id: string;
  slug: string;
  title: string;
  excerpt: string;
  category: string;
  publishedDateTime: Date;
  providerName: string;
  providerDomain: string;
  image: ArticleImage | null;
  topics: string[];
  isDemo: boolean;
};

// Written out in full: drizzle leaves column names unqualified inside a selected
// fragment, and an unqualified "id" here would bind to the inner table.
const topicNames = sql<string[]>`coalesce((
  SELECT array_agg(t.name ORDER BY t.name)
  FROM article_topics atp JOIN topics t ON t.id = atp.topic_id
  WHERE atp.article_id = "articles"."id"
), '{}'::text[])`;

const publicImage = (image: ArticleImage): ArticleImage => ({
  url: image.url,
  width: image.width,
  height: image.height,
  isCached: image.isCached,
});

const cardColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  excerpt: articles.excerpt,
  category: articles.category,
  publishedDateTime: articles.publishedDateTime,
  providerName: articles.providerName,
  providerDomain: articles.providerDomain,
  image: sql<ArticleImage | null>`CASE WHEN jsonb_array_length(${articles.images}) > 0 THEN jsonb_build_object(
    'url', ${articles.images} -> 0 -> 'url', 'width', ${articles.images} -> 0 -> 'width',
    'height', ${articles.images} -> 0 -> 'height', 'isCached', ${articles.images} -> 0 -> 'isCached') END`,
  topics: topicNames,
  isDemo: articles.isDemo,
};

export async function listArticles(
  db: Db,
  filters: ArticleFilters,
  limit = 20,
): Promise<{ items: ArticleCard[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(articles.status, "published")];
  if (filters.topic) {
    const topic = filters.topic;
    conditions.push(
      sql`EXISTS (SELECT 1 FROM article_topics atp JOIN topics t ON t.id = atp.topic_id
          WHERE atp.article_id = "articles"."id" AND t.slug = ${topic})`,
    );
  }
  if (filters.provider) {
    conditions.push(eq(articles.providerDomain, filters.provider));
  }
  if (filters.after) {
    // A row comparison, so the keyset is an index bound and not a filter.
    const [at, id] = decodeDateCursor(filters.after);
    conditions.push(
      sql`("articles"."published_date_time", "articles"."id") < (${at.toISOString()}::timestamptz, ${id}::uuid)`,
    );
  }
  const rows = await db
    .select(cardColumns)
    .from(articles)
    .where(and(...conditions))
    .orderBy(desc(articles.publishedDateTime), desc(articles.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor([last.publishedDateTime.toISOString(), last.id])
      : null;
  return { items, nextCursor };
}

export async function latestArticles(db: Db, limit = 6): Promise<ArticleCard[]> {
  return (await listArticles(db, {}, limit)).items;
}

export type ArticlePage = {
  article: {
    id: string;
    slug: string;
    webUrl: string;
    category: string;
    title: string;
    excerpt: string;
    publishedDateTime: Date;
    type: string;
    quality: number;
    heat: number;
    providerName: string;
    providerDomain: string;
    images: ArticleImage[];
    related: RelatedArticle[];
    body: string;
    isDemo: boolean;
    updatedAt: Date;
  };
  topics: { slug: string; name: string }[];
  mentions: { slug: string; name: string }[];
  briefings: RedactedBriefing[];
};

export async function loadArticlePage(
  db: Db,
  slug: string,
  viewer: Viewer,
  tiers: TierCatalogue,
): Promise<ArticlePage | null> {
  const [row] = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      webUrl: articles.webUrl,
      category: articles.category,
      title: articles.title,
      excerpt: articles.excerpt,
      publishedDateTime: articles.publishedDateTime,
      type: articles.type,
      quality: articles.quality,
      heat: articles.heat,
      providerName: articles.providerName,
      providerDomain: articles.providerDomain,
      images: articles.images,
      related: articles.related,
      body: articles.body,
      isDemo: articles.isDemo,
      updatedAt: articles.updatedAt,
    })
    .from(articles)
    .where(and(eq(articles.slug, slug), eq(articles.status, "published")))
    .limit(1);
  if (!row) return null;
  // Rebuilt field by field: the JSON columns hold whatever was imported, and only these
  // public fields may leave (a related item in the source format can carry `secured`).
  const article = {
    ...row,
    images: row.images.map(publicImage),
    related: row.related.map(
      (item): RelatedArticle => ({
        title: item.title,
        excerpt: item.excerpt,
        publishedDateTime: item.publishedDateTime,
        webUrl: item.webUrl,
        type: item.type,
        provider: { name: item.provider.name, domain: item.provider.domain },
        quality: item.quality,
        heat: item.heat,
        images: item.images.map(publicImage),
      }),
    ),
  };
  const [topicRows, mentions, briefings] = await Promise.all([
    db
      .select({ slug: topics.slug, name: topics.name })
      .from(articleTopics)
      .innerJoin(topics, eq(topics.id, articleTopics.topicId))
      .where(eq(articleTopics.articleId, row.id))
      .orderBy(asc(topics.name)),
    db
      .select({ slug: profiles.slug, name: profiles.name })
      .from(articleMentions)
      .innerJoin(profiles, eq(profiles.id, articleMentions.profileId))
      .where(and(eq(articleMentions.articleId, row.id), eq(profiles.status, "published")))
      .orderBy(asc(profiles.name)),
    loadRedactedBriefings(db, { articleId: row.id }, viewer, tiers),
  ]);
  return { article, topics: topicRows, mentions, briefings };
}

/**
 * The newest published articles that mention a profile or share a topic with it. Each
 * topic contributes its own newest few through the (topic, date) index, so the cost
 * does not grow with the number of articles on a popular topic.
 */
export async function articlesForProfile(
  db: Db,
  profileId: string,
  limit = 5,
): Promise<ArticleCard[]> {
  return db
    .select(cardColumns)
    .from(articles)
    .where(
      sql`"articles"."id" IN (
        SELECT am.article_id FROM article_mentions am
        WHERE am.profile_id = ${profileId}
        UNION
        SELECT latest.article_id FROM profile_topics pt
        CROSS JOIN LATERAL (
          SELECT atp.article_id FROM article_topics atp
          JOIN articles a ON a.id = atp.article_id AND a.status = 'published'
          WHERE atp.topic_id = pt.topic_id
          ORDER BY atp.published_date_time DESC, atp.article_id DESC
          LIMIT ${limit}
        ) latest
        WHERE pt.profile_id = ${profileId}
      ) AND "articles"."status" = 'published'`,
    )
    .orderBy(desc(articles.publishedDateTime), desc(articles.id))
    .limit(limit);
}
