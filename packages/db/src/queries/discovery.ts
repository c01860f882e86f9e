import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";

// Topic and provider pages. A topic or provider exists for readers only while published
// content carries it: one carried by drafts alone would name what a draft is about.

export type TopicSummary = {
  slug: string;
  name: string;
  profileCount: number;
  articleCount: number;
};

/** A topic with its counts of published profiles and articles; null when it has neither. */
export async function loadTopic(db: Db, slug: string): Promise<TopicSummary | null> {
  const [row] = await queryRows<TopicSummary>(
    db,
    sql`SELECT t.slug, t.name,
          (SELECT count(*)::int FROM profile_topics pt JOIN profiles p ON p.id = pt.profile_id
            WHERE pt.topic_id = t.id AND p.status = 'published') AS "profileCount",
          (SELECT count(*)::int FROM article_topics atp JOIN articles a ON a.id = atp.article_id
            WHERE atp.topic_id = t.id AND a.status = 'published') AS "articleCount"
        FROM topics t WHERE t.slug = ${slug}`,
  );
  if (!row || row.profileCount + row.articleCount === 0) return null;
  return row;
}

export type ProviderSummary = {
  domain: string;
  name: string;
  articleCount: number;
  /** Published profiles its published articles mention, most mentioned first. */
  mentioned: { slug: string; name: string; mentions: number }[];
};

/** A source of news by its domain; null when none of its articles is published. */
export async function loadProvider(
  db: Db,
  domain: string,
  mentionedLimit = 12,
): Promise<ProviderSummary | null> {
  const [row] = await queryRows<{ name: string; articleCount: number }>(
    db,
    sql`SELECT (array_agg(a.provider_name ORDER BY a.published_date_time DESC))[1] AS name,
          count(*)::int AS "articleCount"
        FROM articles a WHERE a.provider_domain = ${domain} AND a.status = 'published'`,
  );
  if (!row || row.articleCount === 0) return null;
  const mentioned = await queryRows<{ slug: string; name: string; mentions: number }>(
    db,
    sql`SELECT p.slug, p.name, count(*)::int AS mentions
        FROM articles a
        JOIN article_mentions am ON am.article_id = a.id
        JOIN profiles p ON p.id = am.profile_id AND p.status = 'published'
        WHERE a.provider_domain = ${domain} AND a.status = 'published'
        GROUP BY p.id, p.slug, p.name
        ORDER BY mentions DESC, p.name
        LIMIT ${mentionedLimit}`,
  );
  return { domain, name: row.name, articleCount: row.articleCount, mentioned };
}
