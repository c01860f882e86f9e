import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import { profileFollows, profiles, topicFollows, topics, users } from "../schema.ts";
import type { ArticleCard } from "./articles.ts";
import { decodeDateCursor, encodeCursor } from "./cursor.ts";
import type { Tx } from "./save-content.ts";

// Members follow published profiles and topics. Only what readers may see is followable
// and shown: a profile that went back to draft, or a topic only drafts carry, stays in
// the member's list without its name (it may name what a draft is about).

/** How many profiles and topics one member may follow, together. */
export const FOLLOW_LIMIT = 500;

export type FollowOutcome =
  | { ok: true; following: boolean }
  | { ok: false; reason: "not-found" }
  | { ok: false; reason: "limit"; limit: number };

export type FollowTarget = { id: string; slug: string; name: string };

/** A profile readers can open, by its address. */
export async function findPublishedProfile(
  db: Db | Tx,
  slug: string,
): Promise<FollowTarget | null> {
  const [row] = await db
    .select({ id: profiles.id, slug: profiles.slug, name: profiles.name })
    .from(profiles)
    .where(and(eq(profiles.slug, slug), eq(profiles.status, "published")))
    .limit(1);
  return row ?? null;
}

/** Whether published content carries a topic (the SQL of a `topics` row named `t`). */
const topicIsReadable = sql`(
  EXISTS (SELECT 1 FROM profile_topics pt JOIN profiles p ON p.id = pt.profile_id
          WHERE pt.topic_id = "topics"."id" AND p.status = 'published')
  OR EXISTS (SELECT 1 FROM article_topics atp JOIN articles a ON a.id = atp.article_id
             WHERE atp.topic_id = "topics"."id" AND a.status = 'published'))`;

/** A topic readers can open (one that published content carries), by its slug. */
export async function findReadableTopic(db: Db | Tx, slug: string): Promise<FollowTarget | null> {
  const [row] = await db
    .select({ id: topics.id, slug: topics.slug, name: topics.name })
    .from(topics)
    .where(and(eq(topics.slug, slug), topicIsReadable))
    .limit(1);
  return row ?? null;
}

/** Everything a member follows, profiles and topics together (what the cap counts). */
export async function countFollows(db: Db | Tx, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db as Db,
    sql`SELECT (SELECT count(*) FROM profile_follows WHERE user_id = ${userId})
             + (SELECT count(*) FROM topic_follows WHERE user_id = ${userId}) AS n`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Adds one follow under the cap. The member's row is locked first, so two follows sent at
 * once are counted one after the other and cannot both slip under the cap. Following
 * what one already follows changes nothing and is not refused, even at the cap.
 */
async function addFollow(
  db: Db,
  userId: string,
  limit: number,
  find: (tx: Tx) => Promise<FollowTarget | null>,
  already: (tx: Tx, targetId: string) => Promise<boolean>,
  insert: (tx: Tx, targetId: string) => Promise<void>,
): Promise<FollowOutcome> {
  return db.transaction(async (tx) => {
    const [member] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.id, userId))
      .for("no key update");
    const target = member ? await find(tx) : null;
    if (!target) return { ok: false, reason: "not-found" } as const;
    if (await already(tx, target.id)) return { ok: true, following: true } as const;
    if ((await countFollows(tx, userId)) >= limit) return { ok: false, reason: "limit", limit };
    await insert(tx, target.id);
    return { ok: true, following: true } as const;
  });
}

/** Follows a published profile by its address; idempotent. */
export async function followProfile(
  db: Db,
  userId: string,
  slug: string,
  options: { limit?: number } = {},
): Promise<FollowOutcome> {
  return addFollow(
    db,
    userId,
    options.limit ?? FOLLOW_LIMIT,
    (tx) => findPublishedProfile(tx, slug),
    async (tx, profileId) =>
      (
        await tx
          .select({ id: profileFollows.profileId })
          .from(profileFollows)
          .where(and(eq(profileFollows.userId, userId), eq(profileFollows.profileId, profileId)))
      ).length > 0,
    async (tx, profileId) => {
      await tx.insert(profileFollows).values({ userId, profileId }).onConflictDoNothing();
    },
  );
}

/** Follows a topic that published content carries, by its slug; idempotent. */
export async function followTopic(
  db: Db,
  userId: string,
  slug: string,
  options: { limit?: number } = {},
): Promise<FollowOutcome> {
  return addFollow(
    db,
    userId,
    options.limit ?? FOLLOW_LIMIT,
    (tx) => findReadableTopic(tx, slug),
    async (tx, topicId) =>
      (
        await tx
          .select({ id: topicFollows.topicId })
          .from(topicFollows)
          .where(and(eq(topicFollows.userId, userId), eq(topicFollows.topicId, topicId)))
      ).length > 0,
    async (tx, topicId) => {
      await tx.insert(topicFollows).values({ userId, topicId }).onConflictDoNothing();
    },
  );
}

/** Stops following a profile (by id, whatever its status); idempotent. */
export async function unfollowProfile(db: Db, userId: string, profileId: string): Promise<void> {
  await db
    .delete(profileFollows)
    .where(and(eq(profileFollows.userId, userId), eq(profileFollows.profileId, profileId)));
}

/** Stops following a topic (by id); idempotent. */
export async function unfollowTopic(db: Db, userId: string, topicId: string): Promise<void> {
  await db
    .delete(topicFollows)
    .where(and(eq(topicFollows.userId, userId), eq(topicFollows.topicId, topicId)));
}

export async function isFollowingProfile(
  db: Db,
  userId: string,
  profileId: string,
): Promise<boolean> {
  const rows = await db
    .select({ id: profileFollows.profileId })
    .from(profileFollows)
    .where(and(eq(profileFollows.userId, userId), eq(profileFollows.profileId, profileId)));
  return rows.length > 0;
}

export async function isFollowingTopic(db: Db, userId: string, topicId: string): Promise<boolean> {
  const rows = await db
    .select({ id: topicFollows.topicId })
    .from(topicFollows)
    .where(and(eq(topicFollows.userId, userId), eq(topicFollows.topicId, topicId)));
  return rows.length > 0;
}

/** Whether a member follows the topic with this slug (the topic page's button). */
export async function isFollowingTopicSlug(db: Db, userId: string, slug: string): Promise<boolean> {
  const rows = await db
    .select({ id: topicFollows.topicId })
    .from(topicFollows)
    .innerJoin(topics, eq(topics.id, topicFollows.topicId))
    .where(and(eq(topicFollows.userId, userId), eq(topics.slug, slug)));
  return rows.length > 0;
}

export type FollowedProfile = {
  id: string;
  /** Null while the profile is not published: then nothing about it is shown. */
  slug: string | null;
  name: string | null;
  followedAt: Date;
  /** When its public sections last changed, if ever. */
  lastChangedAt: Date | null;
};

export type FollowedTopic = {
  id: string;
  /** Null while no published content carries the topic. */
  slug: string | null;
  name: string | null;
  followedAt: Date;
};

/** Everything a member follows (at most the cap, so one list), published ones by name. */
export async function listFollows(
  db: Db,
  userId: string,
): Promise<{ profiles: FollowedProfile[]; topics: FollowedTopic[] }> {
  const published = sql<boolean>`${profiles.status} = 'published'`;
  const readable = sql<boolean>`${topicIsReadable}`;
  const [profileRows, topicRows] = await Promise.all([
    db
      .select({
        id: profileFollows.profileId,
        slug: sql<string | null>`CASE WHEN ${published} THEN ${profiles.slug} END`,
        name: sql<string | null>`CASE WHEN ${published} THEN ${profiles.name} END`,
        followedAt: profileFollows.createdAt,
        lastChangedAt: sql<string | Date | null>`CASE WHEN ${published} THEN (
          SELECT max(pc.changed_at) FROM profile_changes pc WHERE pc.profile_id = "profiles"."id"
        ) END`,
      })
      .from(profileFollows)
      .innerJoin(profiles, eq(profiles.id, profileFollows.profileId))
      .where(eq(profileFollows.userId, userId))
      .orderBy(
        sql`${published} DESC`,
        sql`CASE WHEN ${published} THEN ${profiles.name} END`,
        asc(profileFollows.createdAt),
      ),
    db
      .select({
        id: topicFollows.topicId,
        slug: sql<string | null>`CASE WHEN ${readable} THEN ${topics.slug} END`,
        name: sql<string | null>`CASE WHEN ${readable} THEN ${topics.name} END`,
        followedAt: topicFollows.createdAt,
      })
      .from(topicFollows)
      .innerJoin(topics, eq(topics.id, topicFollows.topicId))
      .where(eq(topicFollows.userId, userId))
      .orderBy(
        sql`${readable} DESC`,
        sql`CASE WHEN ${readable} THEN ${topics.name} END`,
        asc(topicFollows.createdAt),
      ),
  ]);
  return {
    profiles: profileRows.map((row) => ({
      ...row,
      // A selected fragment is not mapped by drizzle: postgres-js gives text.
      lastChangedAt: row.lastChangedAt === null ? null : new Date(row.lastChangedAt),
    })),
    topics: topicRows,
  };
}

// Written out in full: drizzle leaves column names unqualified inside a selected fragment.
const ARTICLE_CARD_SQL = sql`
  a.id, a.slug, a.title, a.excerpt, a.category,
  a.published_date_time AS "publishedDateTime",
  a.provider_name AS "providerName", a.provider_domain AS "providerDomain",
  CASE WHEN jsonb_array_length(a.images) > 0 THEN jsonb_build_object(
    'url', a.images -> 0 -> 'url', 'width', a.images -> 0 -> 'width',
    'height', a.images -> 0 -> 'height', 'isCached', a.images -> 0 -> 'isCached') END AS image,
  coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM article_topics atp
            JOIN topics t ON t.id = atp.topic_id WHERE atp.article_id = a.id), '{}'::text[]) AS topics,
  a.is_demo AS "isDemo"`;

/**
 * The ids of published articles on a member's followed topics or naming a followed
 * published profile (the SQL of a subquery).
 */
function followedArticleIds(userId: string) {
  return sql`(
    SELECT am.article_id FROM profile_follows pf
    JOIN profiles p ON p.id = pf.profile_id AND p.status = 'published'
    JOIN article_mentions am ON am.profile_id = pf.profile_id
    WHERE pf.user_id = ${userId}
    UNION
    SELECT atp.article_id FROM topic_follows tf
    JOIN article_topics atp ON atp.topic_id = tf.topic_id
    WHERE tf.user_id = ${userId})`;
}

type ArticleCardRow = Omit<ArticleCard, "publishedDateTime" | "image"> & {
  publishedDateTime: Date | string;
  image: ArticleCard["image"] | string;
};

/** Raw rows as cards: postgres-js returns timestamps as text and may leave JSON as text. */
function toArticleCard(row: ArticleCardRow): ArticleCard {
  return {
    ...row,
    publishedDateTime: new Date(row.publishedDateTime),
    image: typeof row.image === "string" ? JSON.parse(row.image) : row.image,
  };
}

/**
 * The newest published articles on what a member follows, by keyset on
 * (published_date_time, id): the watchlist's news. Each followed topic contributes only
 * its own next page through the (topic, date) index, so a popular topic costs a page, not
 * every article it ever had.
 */
export async function followedArticles(
  db: Db,
  userId: string,
  options: { after?: string | undefined; limit?: number } = {},
): Promise<{ items: ArticleCard[]; nextCursor: string | null }> {
  const limit = options.limit ?? 20;
  let keyset = sql``;
  let topicKeyset = sql``;
  if (options.after) {
    const [at, id] = decodeDateCursor(options.after);
    const bound = sql`(${at.toISOString()}::timestamptz, ${id}::uuid)`;
    keyset = sql`AND (a.published_date_time, a.id) < ${bound}`;
    topicKeyset = sql`AND (atp.published_date_time, atp.article_id) < ${bound}`;
  }
  const rows = await queryRows<ArticleCardRow>(
    db,
    sql`SELECT ${ARTICLE_CARD_SQL} FROM articles a
        WHERE a.status = 'published' ${keyset} AND a.id IN (
          SELECT am.article_id FROM profile_follows pf
          JOIN profiles p ON p.id = pf.profile_id AND p.status = 'published'
          JOIN article_mentions am ON am.profile_id = pf.profile_id
          WHERE pf.user_id = ${userId}
          UNION
          SELECT page.article_id FROM topic_follows tf
          CROSS JOIN LATERAL (
            SELECT atp.article_id FROM article_topics atp
            JOIN articles pa ON pa.id = atp.article_id AND pa.status = 'published'
            WHERE atp.topic_id = tf.topic_id ${topicKeyset}
            ORDER BY atp.published_date_time DESC, atp.article_id DESC
            LIMIT ${limit + 1}
          ) page
          WHERE tf.user_id = ${userId})
        ORDER BY a.published_date_time DESC, a.id DESC
        LIMIT ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map(toArticleCard);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor([last.publishedDateTime.toISOString(), last.id])
        : null,
  };
}

export type DigestArticle = {
  slug: string;
  title: string;
  excerpt: string;
  providerName: string;
  publishedDateTime: Date;
};

/**
 * Published articles on what a member follows that came out in a digest's window. An
 * article belongs to the window in which it was both dated and imported (the later of
 * the two), so one imported late still goes out once, and none goes out twice.
 */
export async function followedArticlesInWindow(
  db: Db,
  userId: string,
  window: { since: Date; until: Date },
  limit = 50,
): Promise<DigestArticle[]> {
  const rows = await queryRows<
    Omit<DigestArticle, "publishedDateTime"> & { publishedDateTime: Date | string }
  >(
    db,
    sql`SELECT a.slug, a.title, a.excerpt, a.provider_name AS "providerName",
               a.published_date_time AS "publishedDateTime"
        FROM articles a
        WHERE a.status = 'published' AND a.id IN ${followedArticleIds(userId)}
          AND greatest(a.created_at, a.published_date_time) > ${window.since.toISOString()}::timestamptz
          AND greatest(a.created_at, a.published_date_time) <= ${window.until.toISOString()}::timestamptz
        ORDER BY a.published_date_time DESC, a.id DESC
        LIMIT ${limit}`,
  );
  return rows.map((row) => ({ ...row, publishedDateTime: new Date(row.publishedDateTime) }));
}

/** A member's follows for their data export: published ones by address and name. */
export async function exportFollows(db: Db, userId: string) {
  const { profiles: followedProfiles, topics: followedTopics } = await listFollows(db, userId);
  return {
    profiles: followedProfiles.map(({ slug, name, followedAt }) => ({ slug, name, followedAt })),
    topics: followedTopics.map(({ slug, name, followedAt }) => ({ slug, name, followedAt })),
  };
}
