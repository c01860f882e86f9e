import {
  type Article,
  DEFAULT_TIERS,
  LEADERSHIP_ALLIANCE,
  type Profile,
  STRATEGIC_CIRCLE,
  type Viewer,
} from "@briefings/core";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  topics,
} from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  articleSlug,
  countProfiles,
  listArticles,
  listProfiles,
  loadArticlePage,
  loadDirectoryFacets,
  loadProfilePage,
  loadTierCatalogue,
} from "./index.ts";
import {
  type ArticleInput,
  type BriefingInput,
  type ProfileInput,
  saveArticles,
  saveProfiles,
  saveTiers,
} from "./save-content.ts";

const ADMIN: Viewer = {
  kind: "member",
  userId: "00000000-0000-4000-8000-0000000000ad",
  role: "admin",
  tiers: [],
  applications: {},
};

function briefing(title: string, gate: BriefingInput["gate"], position: number): BriefingInput {
  return {
    kind: "analysis",
    label: "Analysis",
    title,
    gate,
    position,
    body: `## ${title}\n\nBody of ${title}.`,
    sources: [{ title: `Source for ${title}`, url: null, note: "" }],
    sealed: null,
  };
}

function profile(slug: string, overrides: Partial<Profile> = {}): Profile {
  const publishedAt = new Date("2024-01-10T08:00:00Z");
  return {
    slug,
    name: `Profile ${slug}`,
    type: "Network operator",
    ecosystem: "Internet infrastructure",
    base: "Netherlands",
    focus: "Network",
    summary: `Summary of ${slug}.`,
    whatItDoes: ["Operates a network."],
    whyItMatters: ["Carries traffic."],
    criticality: "High",
    timeHorizon: "Next 6 months",
    whatToWatch: ["Peering changes."],
    keyPoints: ["Key point one."],
    sections: [{ heading: "Overview", paragraphs: ["First paragraph."] }],
    sources: [
      {
        title: "Public record",
        publisher: "Example Registry",
        url: "https://example.org/record",
        publishedAt: null,
      },
    ],
    sourcesNote: null,
    alsoRead: [],
    topics: ["Peering"],
    confidence: 0.8,
    publishedAt,
    lastReviewedAt: null,
    updatedAt: publishedAt,
    ...overrides,
  };
}

function article(webUrl: string, overrides: Partial<Article> = {}): Article {
  return {
    category: "news",
    title: `News at ${webUrl}`,
    excerpt: "An excerpt.",
    publishedDateTime: new Date("2024-02-01T10:00:00Z"),
    webUrl,
    type: "article",
    quality: 70,
    heat: 40,
    published: true,
    provider: { name: "Example News", domain: "news.example.com" },
    topics: ["Peering"],
    images: [],
    related: [],
    body: "Public article body.",
    ...overrides,
  };
}

describe.each(testDrivers())("saving content on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    await saveTiers(database.db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  const childCounts = async (profileId: string) => {
    const { db } = database;
    return {
      sections: await db.$count(profileSections, eq(profileSections.profileId, profileId)),
      sources: await db.$count(profileSources, eq(profileSources.profileId, profileId)),
      alsoRead: await db.$count(profileAlsoRead, eq(profileAlsoRead.profileId, profileId)),
      topics: await db.$count(profileTopics, eq(profileTopics.profileId, profileId)),
      briefings: await db.$count(briefings, eq(briefings.profileId, profileId)),
    };
  };

  /** Everything a reader or an editor could see change, for before/after comparisons. */
  const snapshot = async (profileSlug: string) => {
    const { db } = database;
    const tiers = await loadTierCatalogue(db);
    return {
      rows: {
        profiles: await db.$count(profiles),
        sections: await db.$count(profileSections),
        sources: await db.$count(profileSources),
        alsoRead: await db.$count(profileAlsoRead),
        profileTopics: await db.$count(profileTopics),
        topics: await db.$count(topics),
        briefings: await db.$count(briefings),
        articles: await db.$count(articles),
        articleTopics: await db.$count(articleTopics),
        mentions: await db.$count(articleMentions),
      },
      page: await loadProfilePage(db, profileSlug, ADMIN, tiers),
      facets: await loadDirectoryFacets(db),
      directory: await listProfiles(db, { sort: "name" }, 100),
    };
  };

  it("saving a profile again replaces it in place: one row, same id, children replaced", async () => {
    const { db } = database;
    const first = profile("upsert-me", {
      name: "Upsert Me",
      sections: [
        { heading: "Old one", paragraphs: ["a"] },
        { heading: "Old two", paragraphs: ["b", "c"] },
      ],
      sources: [
        {
          title: "Old source 1",
          publisher: "P",
          url: "https://example.org/1",
          publishedAt: null,
        },
        {
          title: "Old source 2",
          publisher: "P",
          url: "https://example.org/2",
          publishedAt: null,
        },
      ],
      alsoRead: [
        { title: "Old reading", href: "/profiles/other" },
        { title: "More old reading", href: null },
      ],
      topics: ["Alpha only topic", "Shared beta topic"],
    });
    const [id] = await saveProfiles(db, [
      {
        profile: first,
        briefings: [
          briefing("Old members briefing", { kind: "members" }, 0),
          briefing("Old circle briefing", { kind: "tier", tier: STRATEGIC_CIRCLE }, 1),
        ],
      },
    ]);
    expect(id).toEqual(expect.any(String));
    expect(await childCounts(id as string)).toEqual({
      sections: 2,
      sources: 2,
      alsoRead: 2,
      topics: 2,
      briefings: 2,
    });
    // An article naming the profile: the link must survive the profile being saved again.
    await saveArticles(db, [
      {
        article: article("https://news.example.com/names-upsert-me"),
        briefings: [],
        mentions: ["upsert-me"],
      },
    ]);

    const sourceDate = new Date("2024-03-04T05:06:07Z");
    const second = profile("upsert-me", {
      name: "Upsert Me, revised",
      confidence: 0.3,
      criticality: "Critical",
      sections: [{ heading: "New only", paragraphs: ["fresh"] }],
      sources: [
        {
          title: "New source",
          publisher: "Q",
          url: "https://example.org/new",
          publishedAt: sourceDate,
        },
      ],
      alsoRead: [],
      topics: ["Shared beta topic", "Gamma new topic"],
    });
    const secondInput: ProfileInput = {
      profile: second,
      briefings: [
        briefing("New alliance briefing", { kind: "tier", tier: LEADERSHIP_ALLIANCE }, 0),
      ],
    };
    expect(await saveProfiles(db, [secondInput])).toEqual([id]);
    // Saving the very same document a third time changes nothing.
    expect(await saveProfiles(db, [secondInput])).toEqual([id]);

    expect(await db.$count(profiles, eq(profiles.slug, "upsert-me"))).toBe(1);
    expect(await childCounts(id as string)).toEqual({
      sections: 1,
      sources: 1,
      alsoRead: 0,
      topics: 2,
      briefings: 1,
    });

    const tiers = await loadTierCatalogue(db);
    const page = await loadProfilePage(db, "upsert-me", ADMIN, tiers);
    expect(page?.profile).toMatchObject({
      id,
      name: "Upsert Me, revised",
      confidence: 0.3,
      criticality: "Critical",
      sections: [{ heading: "New only", paragraphs: ["fresh"] }],
      sources: [
        {
          title: "New source",
          publisher: "Q",
          url: "https://example.org/new",
          publishedAt: sourceDate,
        },
      ],
      alsoRead: [],
      topics: ["Gamma new topic", "Shared beta topic"],
    });
    expect(page?.briefings.map((b) => [b.title, b.state])).toEqual([
      ["New alliance briefing", "unlocked"],
    ]);

    // The directory follows: the dropped topic no longer finds the profile.
    expect(await countProfiles(db, { topic: "alpha-only-topic" })).toBe(0);
    expect((await listProfiles(db, { topic: "gamma-new-topic" })).items.map((c) => c.id)).toEqual([
      id,
    ]);
    const facets = await loadDirectoryFacets(db);
    expect(facets.topics.map((t) => t.slug)).not.toContain("alpha-only-topic");
    expect(facets.topics.map((t) => t.slug)).toContain("gamma-new-topic");

    const newsPage = await loadArticlePage(
      db,
      articleSlug(article("https://news.example.com/names-upsert-me")),
      ADMIN,
      tiers,
    );
    expect(newsPage?.mentions).toEqual([{ slug: "upsert-me", name: "Upsert Me, revised" }]);
  });

  const invalidRows: [string, ProfileInput][] = [
    [
      "a briefing gated on a tier that does not exist",
      {
        profile: profile("bad-tier-gate"),
        briefings: [briefing("Ghost tier", { kind: "tier", tier: "no-such-tier" }, 0)],
      },
    ],
    ["a confidence of 2", { profile: profile("bad-confidence", { confidence: 2 }), briefings: [] }],
    [
      "a negative confidence",
      { profile: profile("bad-negative", { confidence: -0.01 }), briefings: [] },
    ],
  ];

  it.each(invalidRows)("a batch holding %s leaves nothing of the batch behind", async (_, row) => {
    const { db } = database;
    // A topic only this batch names, so its creation must be rolled back too.
    const batchTopic = `Batch topic ${row.profile.slug}`;
    const batchTopicSlug = `batch-topic-${row.profile.slug}`;
    const bad: ProfileInput = { ...row, profile: { ...row.profile, topics: [batchTopic] } };
    const existing = profile("already-here", {
      name: "Already Here",
      sections: [{ heading: "Kept", paragraphs: ["kept"] }],
      topics: ["Kept topic"],
    });
    await saveProfiles(db, [
      { profile: existing, briefings: [briefing("Kept briefing", { kind: "members" }, 0)] },
    ]);
    const before = await snapshot("already-here");
    expect(before.page?.profile.name).toBe("Already Here");

    const batch: ProfileInput[] = [
      {
        profile: profile("batch-newcomer", { topics: [batchTopic, "Peering"] }),
        briefings: [briefing("Newcomer briefing", { kind: "members" }, 0)],
      },
      {
        // A valid rewrite of a profile already stored: its old children are deleted
        // before the bad row fails, so only a rollback brings them back.
        profile: profile("already-here", {
          name: "Rewritten by the failed batch",
          sections: [{ heading: "Should not stay", paragraphs: ["x"] }],
          topics: [batchTopic],
        }),
        briefings: [],
      },
      bad,
    ];
    await expect(saveProfiles(db, batch)).rejects.toThrow();

    expect(await snapshot("already-here")).toEqual(before);
    expect(
      await db.$count(profiles, inArray(profiles.slug, ["batch-newcomer", bad.profile.slug])),
    ).toBe(0);
    expect(await db.$count(topics, eq(topics.slug, batchTopicSlug))).toBe(0);

    // The database is usable afterwards: the same batch without the bad row goes through.
    const ids = await saveProfiles(db, batch.slice(0, 2));
    expect(ids).toHaveLength(2);
    const tiers = await loadTierCatalogue(db);
    expect((await loadProfilePage(db, "already-here", ADMIN, tiers))?.profile.name).toBe(
      "Rewritten by the failed batch",
    );
    expect(await loadProfilePage(db, "batch-newcomer", ADMIN, tiers)).not.toBeNull();
    // Put things back for the next case.
    await db.delete(profiles).where(inArray(profiles.slug, ["batch-newcomer", "already-here"]));
  });

  it("saving an article again updates it by webUrl, links only existing profiles, and replaces its topics", async () => {
    const { db } = database;
    await saveProfiles(db, [
      { profile: profile("named-first", { name: "Named First" }), briefings: [] },
      { profile: profile("named-second", { name: "Named Second" }), briefings: [] },
      { profile: profile("named-draft", { name: "Named Draft" }), briefings: [] },
    ]);
    await db.update(profiles).set({ status: "draft" }).where(eq(profiles.slug, "named-draft"));
    const webUrl = "https://news.example.com/2024/story";
    const v1: ArticleInput = {
      article: article(webUrl, {
        title: "First headline",
        topics: ["News alpha", "News beta"],
      }),
      mentions: ["named-first", "no-such-profile", "named-first"],
      briefings: [
        briefing("First premium", { kind: "tier", tier: STRATEGIC_CIRCLE }, 0),
        briefing("Second premium", { kind: "members" }, 1),
      ],
    };
    const [id] = await saveArticles(db, [v1]);
    const slug = articleSlug(v1.article);
    const tiers = await loadTierCatalogue(db);
    let page = await loadArticlePage(db, slug, ADMIN, tiers);
    expect(page?.article).toMatchObject({ id, title: "First headline", webUrl });
    expect(page?.mentions).toEqual([{ slug: "named-first", name: "Named First" }]);
    expect(page?.topics.map((t) => t.slug)).toEqual(["news-alpha", "news-beta"]);
    expect(page?.briefings).toHaveLength(2);

    const v2: ArticleInput = {
      article: article(webUrl, {
        title: "Corrected headline",
        excerpt: "Corrected excerpt.",
        quality: 90,
        topics: ["News beta", "News gamma"],
      }),
      mentions: ["named-second", "named-draft", "also-missing"],
      briefings: [briefing("Replacement premium", { kind: "members" }, 0)],
    };
    expect(await saveArticles(db, [v2])).toEqual([id]);
    expect(await saveArticles(db, [v2])).toEqual([id]);
    expect(await db.$count(articles, eq(articles.webUrl, webUrl))).toBe(1);

    const listed = (await listArticles(db, {}, 100)).items.filter((a) => a.id === id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ title: "Corrected headline", excerpt: "Corrected excerpt." });
    expect(listed[0]?.topics).toEqual(["News beta", "News gamma"]);
    // The link readers already have keeps working.
    expect(listed[0]?.slug).toBe(slug);

    page = await loadArticlePage(db, slug, ADMIN, tiers);
    expect(page?.article).toMatchObject({ title: "Corrected headline", quality: 90 });
    expect(page?.topics.map((t) => t.slug)).toEqual(["news-beta", "news-gamma"]);
    // The draft is linked but not shown; unknown slugs are skipped.
    expect(page?.mentions).toEqual([{ slug: "named-second", name: "Named Second" }]);
    expect(await db.$count(articleMentions, eq(articleMentions.articleId, id as string))).toBe(2);
    expect(page?.briefings.map((b) => b.title)).toEqual(["Replacement premium"]);

    const byTopic = async (topic: string) =>
      (await listArticles(db, { topic }, 100)).items.map((a) => a.id);
    expect(await byTopic("news-alpha")).not.toContain(id);
    expect(await byTopic("news-gamma")).toContain(id);
  });

  it("an article batch with one invalid row leaves nothing behind", async () => {
    const { db } = database;
    const before = await snapshot("named-first");
    await expect(
      saveArticles(db, [
        {
          article: article("https://news.example.com/fine", { topics: ["Article batch topic"] }),
          briefings: [briefing("Fine", { kind: "members" }, 0)],
          mentions: ["named-first"],
        },
        { article: article("https://news.example.com/too-good", { quality: 101 }), briefings: [] },
      ]),
    ).rejects.toThrow();
    expect(await snapshot("named-first")).toEqual(before);
    expect(await db.$count(topics, eq(topics.slug, "article-batch-topic"))).toBe(0);
    expect(
      await db.$count(
        articles,
        inArray(articles.webUrl, [
          "https://news.example.com/fine",
          "https://news.example.com/too-good",
        ]),
      ),
    ).toBe(0);
  });
});
