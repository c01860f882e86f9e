import { randomBytes, randomUUID } from "node:crypto";
import {
  type Article,
  DEFAULT_TIERS,
  type Gate,
  LEADERSHIP_ALLIANCE,
  type Profile,
  STRATEGIC_CIRCLE,
} from "@briefings/core";
import { inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articles, profiles } from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  type FeedEntry,
  loadProfileFeed,
  loadSiteFeed,
  loadSitemapChunk,
  loadSitemapIndex,
  loadTopicFeed,
  parseSitemapChunkName,
  SITEMAP_CHUNK_SIZE,
  SITEMAP_MAX_URLS,
  type SitemapIndexEntry,
  type SitemapUrl,
  sitemapChunkName,
} from "./feeds.ts";
import {
  type ArticleInput,
  articleSlug,
  type BriefingInput,
  type ProfileInput,
  saveArticles,
  saveProfiles,
  saveTiers,
} from "./save-content.ts";

/** Planted in every gated and unpublished text: it must come out of no query here. */
const CANARY = `CANARY-${randomUUID()}`;

const GATES: Gate[] = [
  { kind: "public" },
  { kind: "members" },
  { kind: "tier", tier: STRATEGIC_CIRCLE },
  { kind: "tier", tier: LEADERSHIP_ALLIANCE },
];

/** One briefing per gate, the canary in its title, body and every field of its source. */
function canaryBriefings(owner: string): BriefingInput[] {
  const open = GATES.map(
    (gate, position): BriefingInput => ({
      kind: "analysis",
      label: "Member Briefing",
      title: `Briefing title ${CANARY} ${owner} ${position}`,
      gate,
      position,
      body: `## Finding\n\nThe gated finding is ${CANARY} (${owner}).`,
      sources: [
        {
          title: `Source ${CANARY}`,
          url: `https://sources.example.org/${CANARY}`,
          note: `Note ${CANARY}`,
        },
      ],
      sealed: null,
    }),
  );
  const sealed: BriefingInput = {
    kind: "premium-text",
    label: "Premium analysis",
    title: `Sealed ${CANARY}`,
    gate: { kind: "tier", tier: LEADERSHIP_ALLIANCE },
    position: GATES.length,
    body: "",
    sources: [],
    sealed: {
      ciphertext: randomBytes(48).toString("base64"),
      iv: randomBytes(16).toString("base64"),
      bytes: 48,
    },
  };
  return [...open, sealed];
}

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

function profile(slug: string, fields: Partial<Profile>): ProfileInput {
  const publishedAt = fields.publishedAt ?? day("2024-01-01");
  return {
    profile: {
      slug,
      name: `Profile ${slug}`,
      type: "Network operator",
      ecosystem: "Internet infrastructure",
      base: "Global",
      focus: "Network",
      summary: `The public summary of ${slug}.`,
      whatItDoes: ["Runs a network."],
      whyItMatters: ["It carries traffic."],
      criticality: "High",
      timeHorizon: "Next quarter",
      whatToWatch: [],
      keyPoints: [],
      sections: [{ heading: "Public section", paragraphs: ["Public text."] }],
      sources: [],
      sourcesNote: null,
      alsoRead: [],
      topics: [],
      confidence: 0.7,
      publishedAt,
      lastReviewedAt: null,
      updatedAt: publishedAt,
      ...fields,
    },
    briefings: canaryBriefings(slug),
  };
}

function article(key: string, fields: Partial<Article>, mentions: string[] = []): ArticleInput {
  return {
    article: {
      category: "news",
      title: `News ${key}`,
      excerpt: `The public excerpt of ${key}.`,
      publishedDateTime: day("2024-01-01"),
      webUrl: `https://news.example.com/${key}`,
      type: "article",
      quality: 50,
      heat: 50,
      published: true,
      provider: { name: "Example News", domain: "news.example.com" },
      topics: [],
      images: [],
      related: [],
      body: "Public body.",
      ...fields,
    },
    briefings: canaryBriefings(key),
    mentions,
  };
}

// Published profiles. `scheduledThenLive` went live at its scheduled time without a save,
// so its updatedAt is older than its publication (the scheduler's case).
const PROFILES = {
  routing: profile("routing-registry", {
    publishedAt: day("2024-01-10"),
    updatedAt: day("2024-05-20"),
    topics: ["Routing", "Registries"],
  }),
  peering: profile("peering-exchange", {
    publishedAt: day("2024-03-01"),
    topics: ["Peering"],
  }),
  scheduledThenLive: profile("scheduled-then-live", {
    publishedAt: day("2024-06-15"),
    updatedAt: day("2024-02-01"),
    topics: ["Routing"],
  }),
  quiet: profile("quiet-profile", { publishedAt: day("2023-01-01"), topics: [] }),
};

// Unpublished profiles: newest of all, so any missing filter puts them first.
const DRAFT = profile("draft-profile", {
  name: `Draft ${CANARY}`,
  summary: `Draft summary ${CANARY}`,
  publishedAt: day("2030-01-01"),
  updatedAt: day("2030-01-01"),
  topics: ["Routing", `Draft topic ${CANARY}`],
});
const SCHEDULED = profile("scheduled-profile", {
  name: `Scheduled ${CANARY}`,
  summary: `Scheduled summary ${CANARY}`,
  publishedAt: day("2030-02-01"),
  updatedAt: day("2024-01-01"),
  topics: ["Peering", `Scheduled topic ${CANARY}`],
});

const ARTICLES = {
  routingOne: article(
    "routing-one",
    { publishedDateTime: day("2024-04-01"), topics: ["Routing"] },
    ["routing-registry"],
  ),
  peering: article(
    "peering",
    {
      publishedDateTime: day("2024-05-01"),
      topics: ["Peering"],
      provider: { name: "Peering Weekly", domain: "peering.example.net" },
    },
    ["peering-exchange", "routing-registry"],
  ),
  routingTwo: article(
    "routing-two",
    { publishedDateTime: day("2024-06-01"), topics: ["Routing", "Peering"] },
    ["routing-registry", "draft-profile"],
  ),
  registries: article("registries", {
    title: `Registries & "routing" <policy> news`,
    publishedDateTime: day("2024-02-15"),
    topics: ["Registries"],
  }),
  // The same instant as routing-registry's update: a tie the feed breaks by path.
  tie: article("tie", { publishedDateTime: day("2024-05-20"), topics: ["Routing"] }),
};

const UNPUBLISHED = article(
  "unpublished",
  {
    title: `Unpublished ${CANARY}`,
    excerpt: `Unpublished excerpt ${CANARY}`,
    publishedDateTime: day("2031-01-01"),
    provider: { name: `Provider ${CANARY}`, domain: "unpublished.example.com" },
    topics: ["Routing", `Unpublished topic ${CANARY}`],
  },
  ["routing-registry"],
);

const profilePath = (input: ProfileInput) => `/profiles/${input.profile.slug}`;
const articlePath = (input: ArticleInput) => `/news/${articleSlug(input.article)}`;

type Expected = { path: string; date: Date; topics: string[]; published: Date };
const profileExpected = (input: ProfileInput): Expected => ({
  path: profilePath(input),
  date: new Date(Math.max(input.profile.updatedAt.getTime(), input.profile.publishedAt.getTime())),
  published: input.profile.publishedAt,
  topics: input.profile.topics,
});
const articleExpected = (input: ArticleInput): Expected => ({
  path: articlePath(input),
  date: input.article.publishedDateTime,
  published: input.article.publishedDateTime,
  topics: input.article.topics,
});
const PUBLISHED: Expected[] = [
  ...Object.values(PROFILES).map(profileExpected),
  ...Object.values(ARTICLES).map(articleExpected),
];

/** The feed order written out independently: newest first, ties by path. */
const newestFirst = (items: Expected[]) =>
  [...items]
    .sort((a, b) => b.date.getTime() - a.date.getTime() || (a.path < b.path ? -1 : 1))
    .map((item) => item.path);
const paths = (entries: FeedEntry[]) => entries.map((entry) => entry.path);
const withTopic = (name: string) => PUBLISHED.filter((item) => item.topics.includes(name));

/** Every URL a sitemap lists, chunk by chunk, with the index it was read from. */
async function readSitemap(db: TestDatabase["db"], chunkSize: number) {
  const index = await loadSitemapIndex(db, chunkSize);
  const chunks = new Map<string, SitemapUrl[]>();
  for (const entry of index) {
    const chunk = parseSitemapChunkName(entry.name);
    if (!chunk) throw new Error(`the index lists an unparseable chunk ${entry.name}`);
    const urls = await loadSitemapChunk(db, chunk, chunkSize);
    if (!urls) throw new Error(`the index lists ${entry.name}, which does not load`);
    chunks.set(entry.name, urls);
  }
  return { index, chunks };
}

const newestLastmod = (urls: SitemapUrl[]) =>
  Math.max(...urls.map((url) => url.lastmod?.getTime() ?? Number.NEGATIVE_INFINITY));

describe("sitemap chunk names", () => {
  it("parses exactly the names it writes", () => {
    for (const chunk of [
      { kind: "pages" as const },
      { kind: "profiles" as const, number: 1 },
      { kind: "articles" as const, number: 12 },
      { kind: "profiles" as const, number: 1_000_000 },
    ]) {
      expect(parseSitemapChunkName(sitemapChunkName(chunk))).toEqual(chunk);
    }
  });

  it.each([
    "profiles-0",
    "profiles-01",
    "profiles--1",
    "profiles-1.5",
    "profiles-1000001",
    "profiles-99999999999999999999",
    "profiles",
    "pages-1",
    "topics-1",
    "PROFILES-1",
    "articles-1 ",
    "",
  ])("refuses %j", (name) => {
    expect(parseSitemapChunkName(name)).toBeNull();
  });
});

describe.each(testDrivers())("feeds and sitemap on %s", (driver) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const { db } = database;
    await saveTiers(db, DEFAULT_TIERS);
    await saveProfiles(db, [...Object.values(PROFILES), DRAFT, SCHEDULED]);
    await saveArticles(db, [...Object.values(ARTICLES), UNPUBLISHED]);
    await db
      .update(profiles)
      .set({ status: "draft" })
      .where(inArray(profiles.slug, ["draft-profile"]));
    await db
      .update(profiles)
      .set({ status: "scheduled" })
      .where(inArray(profiles.slug, ["scheduled-profile"]));
    await db
      .update(articles)
      .set({ status: "draft" })
      .where(inArray(articles.webUrl, [UNPUBLISHED.article.webUrl]));
  }, 60_000);

  afterAll(async () => {
    await database?.dispose();
  });

  it("the site feed holds every published profile and article, newest first", async () => {
    const entries = await loadSiteFeed(database.db);
    expect(paths(entries)).toEqual(newestFirst(PUBLISHED));
    // Written out, so a shared mistake in the expectation cannot hide one here.
    expect(paths(entries).slice(0, 4)).toEqual([
      "/profiles/scheduled-then-live",
      articlePath(ARTICLES.routingTwo),
      articlePath(ARTICLES.tie),
      "/profiles/routing-registry",
    ]);
    expect(paths(entries).at(-1)).toBe("/profiles/quiet-profile");
  });

  it("dates a profile by the later of its update and its publication", async () => {
    const entries = await loadSiteFeed(database.db);
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    expect(byPath.get("/profiles/routing-registry")).toMatchObject({
      updated: day("2024-05-20"),
      published: day("2024-01-10"),
    });
    expect(byPath.get("/profiles/scheduled-then-live")).toMatchObject({
      updated: day("2024-06-15"),
      published: day("2024-06-15"),
    });
  });

  it("fills entries from the public fields only", async () => {
    const entries = await loadSiteFeed(database.db);
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    expect(byPath.get("/profiles/routing-registry")).toEqual({
      kind: "profile",
      path: "/profiles/routing-registry",
      title: "Profile routing-registry",
      summary: "The public summary of routing-registry.",
      updated: day("2024-05-20"),
      published: day("2024-01-10"),
      categories: ["Registries", "Routing"],
      provider: null,
    });
    expect(byPath.get(articlePath(ARTICLES.peering))).toEqual({
      kind: "article",
      path: articlePath(ARTICLES.peering),
      title: "News peering",
      summary: "The public excerpt of peering.",
      updated: day("2024-05-01"),
      published: day("2024-05-01"),
      categories: ["Peering"],
      provider: { name: "Peering Weekly", domain: "peering.example.net" },
    });
    expect(byPath.get(articlePath(ARTICLES.registries))?.title).toBe(
      `Registries & "routing" <policy> news`,
    );
  });

  it("limits the site feed to the newest entries", async () => {
    for (const limit of [1, 3, 5]) {
      const entries = await loadSiteFeed(database.db, limit);
      expect(paths(entries)).toEqual(newestFirst(PUBLISHED).slice(0, limit));
    }
    await expect(loadSiteFeed(database.db, 0)).rejects.toThrow();
  });

  it.each([
    ["routing", "Routing"],
    ["peering", "Peering"],
    ["registries", "Registries"],
  ])("the feed of topic %s holds its published profiles and articles only", async (slug, name) => {
    const feed = await loadTopicFeed(database.db, slug);
    expect(feed?.topic).toEqual({ slug, name });
    expect(paths(feed?.entries ?? [])).toEqual(newestFirst(withTopic(name)));
    expect(feed?.entries.length).toBeGreaterThan(1);
  });

  it("limits a topic feed across profiles and articles", async () => {
    const feed = await loadTopicFeed(database.db, "routing", 2);
    expect(paths(feed?.entries ?? [])).toEqual(newestFirst(withTopic("Routing")).slice(0, 2));
  });

  it("has no feed for an unknown topic, nor for one only unpublished content carries", async () => {
    expect(await loadTopicFeed(database.db, "no-such-topic")).toBeNull();
    const slugs = await database.db.execute(
      sql`SELECT slug FROM topics WHERE slug NOT IN ('routing', 'peering', 'registries')`,
    );
    const rows = (Array.isArray(slugs) ? slugs : (slugs as { rows: unknown[] }).rows) as {
      slug: string;
    }[];
    // The draft's, the scheduled profile's and the unpublished article's own topics.
    expect(rows).toHaveLength(3);
    for (const { slug } of rows) expect(await loadTopicFeed(database.db, slug)).toBeNull();
  });

  it("a profile's feed is the profile and the published articles that mention it", async () => {
    const feed = await loadProfileFeed(database.db, "routing-registry");
    expect(feed?.profile).toEqual({ slug: "routing-registry", name: "Profile routing-registry" });
    expect(paths(feed?.entries ?? [])).toEqual([
      articlePath(ARTICLES.routingTwo),
      "/profiles/routing-registry",
      articlePath(ARTICLES.peering),
      articlePath(ARTICLES.routingOne),
    ]);
    const quiet = await loadProfileFeed(database.db, "quiet-profile");
    expect(paths(quiet?.entries ?? [])).toEqual(["/profiles/quiet-profile"]);
  });

  it("keeps the profile itself in its feed whatever the limit", async () => {
    const two = await loadProfileFeed(database.db, "routing-registry", 2);
    expect(paths(two?.entries ?? [])).toEqual([
      articlePath(ARTICLES.routingTwo),
      "/profiles/routing-registry",
    ]);
    const one = await loadProfileFeed(database.db, "routing-registry", 1);
    expect(paths(one?.entries ?? [])).toEqual(["/profiles/routing-registry"]);
  });

  it("has no feed for an unknown, draft or scheduled profile", async () => {
    for (const slug of ["no-such-profile", "draft-profile", "scheduled-profile"]) {
      expect(await loadProfileFeed(database.db, slug)).toBeNull();
    }
  });

  it("lists the chunks of the sitemap, oldest content first, each with its newest lastmod", async () => {
    const { index, chunks } = await readSitemap(database.db, 2);
    expect(index.map((entry) => entry.name)).toEqual([
      "pages",
      "profiles-1",
      "profiles-2",
      "articles-1",
      "articles-2",
      "articles-3",
    ]);
    const pathsOf = (name: string) => (chunks.get(name) ?? []).map((url) => url.path);
    expect(pathsOf("profiles-1")).toEqual([
      "/profiles/quiet-profile",
      "/profiles/routing-registry",
    ]);
    expect(pathsOf("profiles-2")).toEqual([
      "/profiles/peering-exchange",
      "/profiles/scheduled-then-live",
    ]);
    expect(pathsOf("articles-1")).toEqual([
      articlePath(ARTICLES.registries),
      articlePath(ARTICLES.routingOne),
    ]);
    expect(pathsOf("articles-2")).toEqual([
      articlePath(ARTICLES.peering),
      articlePath(ARTICLES.tie),
    ]);
    expect(pathsOf("articles-3")).toEqual([articlePath(ARTICLES.routingTwo)]);
    expect(pathsOf("pages")).toEqual([
      "/",
      "/profiles",
      "/news",
      "/topics/peering",
      "/topics/registries",
      "/topics/routing",
      // Sources of published news only: the unpublished article's source is not listed.
      "/providers/news.example.com",
      "/providers/peering.example.net",
    ]);
    for (const entry of index) {
      expect(entry.lastmod?.getTime(), entry.name).toBe(
        newestLastmod(chunks.get(entry.name) ?? []),
      );
    }
    expect(chunks.get("profiles-1")?.[1]?.lastmod).toEqual(day("2024-05-20"));
    expect(index[0]?.lastmod).toEqual(day("2024-06-15"));
  });

  it("dates each page of the pages chunk by the newest content it shows", async () => {
    const urls = await loadSitemapChunk(database.db, { kind: "pages" });
    const lastmod = new Map(urls?.map((url) => [url.path, url.lastmod]));
    expect(lastmod.get("/")).toEqual(day("2024-06-15"));
    expect(lastmod.get("/profiles")).toEqual(day("2024-06-15"));
    expect(lastmod.get("/news")).toEqual(day("2024-06-01"));
    expect(lastmod.get("/topics/routing")).toEqual(day("2024-06-15"));
    expect(lastmod.get("/topics/peering")).toEqual(day("2024-06-01"));
    expect(lastmod.get("/topics/registries")).toEqual(day("2024-05-20"));
  });

  it("holds every published URL exactly once, whatever the chunk size", async () => {
    const expected = PUBLISHED.map((item) => item.path).sort();
    for (const size of [1, 2, 3, 4, 5, SITEMAP_CHUNK_SIZE]) {
      const { chunks } = await readSitemap(database.db, size);
      const listed = [...chunks]
        .filter(([name]) => name !== "pages")
        .flatMap(([, urls]) => urls.map((url) => url.path));
      expect(listed.sort(), `chunk size ${size}`).toEqual(expected);
      for (const [name, urls] of chunks) {
        if (name !== "pages") expect(urls.length, name).toBeLessThanOrEqual(size);
      }
    }
  });

  it("has no chunk past the last one of each kind", async () => {
    expect(await loadSitemapChunk(database.db, { kind: "profiles", number: 3 }, 2)).toBeNull();
    expect(await loadSitemapChunk(database.db, { kind: "articles", number: 4 }, 2)).toBeNull();
    expect(await loadSitemapChunk(database.db, { kind: "profiles", number: 2 })).toBeNull();
    expect(await loadSitemapChunk(database.db, { kind: "profiles", number: 1 })).toHaveLength(4);
    await expect(
      loadSitemapChunk(database.db, { kind: "articles", number: 0 }, 2),
    ).rejects.toThrow();
    await expect(loadSitemapIndex(database.db, SITEMAP_MAX_URLS + 1)).rejects.toThrow();
    await expect(loadSitemapIndex(database.db, 0)).rejects.toThrow();
  });

  it("carries no gated text and nothing unpublished in any feed or sitemap output", async () => {
    const { db } = database;
    const topicRows = await db.execute(sql`SELECT slug FROM topics`);
    const topicSlugs = (
      (Array.isArray(topicRows) ? topicRows : (topicRows as { rows: unknown[] }).rows) as {
        slug: string;
      }[]
    ).map((row) => row.slug);
    const profileSlugs = [
      ...Object.values(PROFILES).map((p) => p.profile.slug),
      DRAFT.profile.slug,
      SCHEDULED.profile.slug,
    ];
    const outputs: unknown[] = [
      await loadSiteFeed(db),
      ...(await Promise.all(topicSlugs.map((slug) => loadTopicFeed(db, slug)))),
      ...(await Promise.all(profileSlugs.map((slug) => loadProfileFeed(db, slug)))),
    ];
    for (const size of [1, 3, SITEMAP_CHUNK_SIZE]) {
      const { index, chunks } = await readSitemap(db, size);
      outputs.push(index, [...chunks]);
      // Past the end, too.
      outputs.push(await loadSitemapChunk(db, { kind: "profiles", number: 99 }, size));
    }
    const text = JSON.stringify(outputs);
    // Non-vacuous: the outputs hold the published content they should.
    expect(text).toContain("The public summary of routing-registry.");
    expect(text).toContain("/topics/routing");
    // Case-insensitive: a topic's slug holds its name lower-cased.
    expect(text.toLowerCase()).not.toContain(CANARY.toLowerCase());
    expect(text).not.toContain("draft-profile");
    expect(text).not.toContain("scheduled-profile");
    expect(text).not.toContain(articleSlug(UNPUBLISHED.article));
    // Nor any trace of the briefings: their labels, kinds or sealed text.
    expect(text).not.toContain("Member Briefing");
    expect(text).not.toContain("Premium analysis");
  });

  // Last: it adds content the tests above do not expect.
  it("keeps earlier chunks as they were when new content is published", async () => {
    const { db } = database;
    const before = await readSitemap(db, 2);
    const fresh = article("fresh", { publishedDateTime: day("2024-07-01"), topics: ["Routing"] });
    await saveArticles(db, [fresh]);
    const after = await readSitemap(db, 2);
    for (const name of ["profiles-1", "profiles-2", "articles-1", "articles-2"]) {
      expect(after.chunks.get(name), name).toEqual(before.chunks.get(name));
    }
    expect(after.chunks.get("articles-3")?.map((url) => url.path)).toEqual([
      articlePath(ARTICLES.routingTwo),
      articlePath(fresh),
    ]);
    const lastmods = (index: SitemapIndexEntry[]) =>
      new Map(index.map((entry) => [entry.name, entry.lastmod]));
    expect(lastmods(after.index).get("articles-3")).toEqual(day("2024-07-01"));
    expect(lastmods(after.index).get("pages")).toEqual(day("2024-07-01"));
    expect(lastmods(after.index).get("articles-1")).toEqual(
      lastmods(before.index).get("articles-1"),
    );
  });
});

/**
 * The scale case: 60,000 published URLs on Postgres, with the real chunk size. On PGlite
 * (WASM, single-threaded) writing that many rows takes longer than a test should, so it
 * runs the same case at a tenth of the size, chunk sizes included.
 */
const SCALE = {
  postgres: { profileRows: 25_500, articleRows: 35_700, chunkSizes: [SITEMAP_CHUNK_SIZE, 7_777] },
  pglite: { profileRows: 2_550, articleRows: 3_570, chunkSizes: [SITEMAP_CHUNK_SIZE / 10, 777] },
} as const;
/** Every 51st generated row is a draft. */
const isScaleDraft = (i: number) => i % 51 === 0;
const scaleSlugs = (prefix: string, rows: number) =>
  Array.from({ length: rows }, (_, k) => k + 1)
    .filter((i) => !isScaleDraft(i))
    .map((i) => `${prefix}${i}`);

describe.each(testDrivers())("sitemap of a large site on %s", (driver) => {
  const scale = SCALE[driver];
  let database: TestDatabase;
  const profileSlugs = scaleSlugs("/profiles/scale-profile-", scale.profileRows);
  const articleSlugs = scaleSlugs("/news/scale-article-", scale.articleRows);

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const { db } = database;
    // Rows by the thousand, written by the database itself. Several rows share each date
    // (7 profiles, 5 articles a minute), so chunk boundaries fall inside runs of equal dates.
    await db.execute(sql`
      INSERT INTO profiles (slug, name, type, ecosystem, base, focus, summary, what_it_does,
        why_it_matters, criticality, time_horizon, what_to_watch, key_points, confidence,
        status, published_at, updated_at)
      SELECT 'scale-profile-' || i, 'Scale profile ' || i, 'Fixture', 'Fixtures', 'Global',
        'Network', 'A generated profile.', '{}', '{}', 'Low', 'Next quarter', '{}', '{}', 0.5,
        CASE WHEN i % 51 = 0 THEN 'draft' ELSE 'published' END,
        timestamptz '2020-01-01T00:00:00Z' + (i / 7) * interval '1 minute',
        timestamptz '2020-01-01T00:00:00Z' + (i / 7) * interval '1 minute' + (i % 3) * interval '1 day'
      FROM generate_series(1, ${scale.profileRows}::int) AS i`);
    await db.execute(sql`
      INSERT INTO articles (slug, web_url, category, title, excerpt, published_date_time, type,
        quality, heat, source_published, status, provider_name, provider_domain, images, related)
      SELECT 'scale-article-' || i, 'https://scale.example.com/' || i, 'news',
        'Scale article ' || i, 'A generated article.',
        timestamptz '2020-01-01T00:00:00Z' + (i / 5) * interval '1 minute', 'article', 50, 50, true,
        CASE WHEN i % 51 = 0 THEN 'draft' ELSE 'published' END,
        'Scale News', 'scale.example.com', '[]'::jsonb, '[]'::jsonb
      FROM generate_series(1, ${scale.articleRows}::int) AS i`);
    await db.execute(sql`ANALYZE profiles`);
    await db.execute(sql`ANALYZE articles`);
  }, 120_000);

  afterAll(async () => {
    await database?.dispose();
  });

  it("has the published URLs the case calls for", () => {
    const minimum = driver === "postgres" ? 60_000 : 6_000;
    expect(profileSlugs.length + articleSlugs.length).toBeGreaterThanOrEqual(minimum);
  });

  it.each(scale.chunkSizes)(
    "splits them into chunks of at most %i, each URL in exactly one chunk",
    async (size) => {
      const { index, chunks } = await readSitemap(database.db, size);
      const expectedChunks = (count: number, kind: string) =>
        Array.from({ length: Math.ceil(count / size) }, (_, i) => `${kind}-${i + 1}`);
      expect(index.map((entry) => entry.name)).toEqual([
        "pages",
        ...expectedChunks(profileSlugs.length, "profiles"),
        ...expectedChunks(articleSlugs.length, "articles"),
      ]);
      // 25,000 profiles and 35,000 articles (2,500 and 3,500 on PGlite), by tens of thousands.
      if (size === scale.chunkSizes[0]) expect(index).toHaveLength(1 + 3 + 4);

      const listed = (kind: string) =>
        [...chunks]
          .filter(([name]) => name.startsWith(`${kind}-`))
          .flatMap(([, urls]) => urls.map((url) => url.path));
      for (const [kind, expected] of [
        ["profiles", profileSlugs],
        ["articles", articleSlugs],
      ] as const) {
        const urls = listed(kind);
        expect(new Set(urls).size, kind).toBe(urls.length);
        expect(urls.length, kind).toBe(expected.length);
        expect([...urls].sort(), kind).toEqual([...expected].sort());
      }
      for (const [name, urls] of chunks) {
        if (name === "pages") continue;
        expect(urls.length, name).toBeLessThanOrEqual(size);
        expect(urls.length, name).toBeLessThanOrEqual(SITEMAP_MAX_URLS);
        expect(urls.length, name).toBeGreaterThan(0);
      }
      for (const entry of index) {
        expect(entry.lastmod?.getTime(), entry.name).toBe(
          newestLastmod(chunks.get(entry.name) ?? []),
        );
      }
      const last = index.filter((entry) => entry.name.startsWith("articles-")).length;
      expect(
        await loadSitemapChunk(database.db, { kind: "articles", number: last + 1 }, size),
      ).toBeNull();
    },
    60_000,
  );
});
