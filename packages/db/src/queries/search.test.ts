import { randomBytes } from "node:crypto";
import {
  gradeConfidence,
  type Profile,
  SNIPPET_START,
  SNIPPET_STOP,
  STRATEGIC_CIRCLE,
} from "@briefings/core";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../rows.ts";
import { articles, profiles, searchDocuments, topics } from "../schema.ts";
import { loadSeedProfile, seedDemoContent } from "../seed/index.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  InvalidCursorError,
  queryWords,
  type SearchParams,
  saveArticles,
  saveProfiles,
  searchContent,
  searchParamsSchema,
  tsqueryText,
} from "./index.ts";
import type { ArticleInput, BriefingInput, ProfileInput } from "./save-content.ts";

/** Letters only, so it is one word to the parser and a candidate for the typo corrector. */
const letters = (n: number) =>
  Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join("");
/** In drafts, scheduled and unpublished content (published for a moment, then withdrawn). */
const CANARY = `zqcanary${letters(10)}`;
/** In briefings of every gate: never in any search table at all. */
const BRIEFING_CANARY = `zqbriefing${letters(10)}`;

const params = (input: Record<string, string> = {}): SearchParams =>
  searchParamsSchema.parse(input);

function gatedBriefings(): BriefingInput[] {
  const gates: BriefingInput["gate"][] = [
    { kind: "members" },
    { kind: "tier", tier: STRATEGIC_CIRCLE },
    { kind: "tier", tier: "leadership-alliance" },
  ];
  return gates.map((gate, position) => ({
    kind: "analysis",
    label: `Gated ${position}`,
    title: `Gated title ${BRIEFING_CANARY}`,
    gate,
    position,
    body: `Gated body about submarine cartography ${BRIEFING_CANARY}.`,
    sources: [
      { title: `Source ${BRIEFING_CANARY}`, url: "https://example.org", note: BRIEFING_CANARY },
    ],
    sealed: null,
  }));
}

function profileInput(slug: string, overrides: Partial<Profile> = {}): ProfileInput {
  const publishedAt = overrides.publishedAt ?? new Date("2024-05-01T00:00:00Z");
  return {
    profile: {
      slug,
      name: `Searchable ${slug}`,
      type: "Search fixture",
      ecosystem: "Test fixtures",
      base: "Fixtureland",
      focus: "Technology",
      summary: `A profile on submarine cartography, written for the search tests (${slug}).`,
      whatItDoes: ["Maps submarine cables."],
      whyItMatters: ["Cartography of the seabed matters."],
      criticality: "High",
      timeHorizon: "Next quarter",
      whatToWatch: [],
      keyPoints: [],
      sections: [{ heading: "Overview", paragraphs: ["Bathymetric surveys and cable routes."] }],
      sources: [],
      sourcesNote: null,
      alsoRead: [],
      topics: ["Subsea cables"],
      confidence: 0.8,
      publishedAt,
      lastReviewedAt: null,
      updatedAt: publishedAt,
      ...overrides,
    },
    briefings: gatedBriefings(),
  };
}

function articleInput(n: number, overrides: Partial<ArticleInput["article"]> = {}): ArticleInput {
  return {
    article: {
      category: "news",
      title: `Submarine cartography news ${n}`,
      excerpt: "A survey ship charts a new cable route.",
      publishedDateTime: new Date(Date.UTC(2024, 0, n)),
      webUrl: `https://search-fixture.example/news/${n}`,
      type: "article",
      quality: 50,
      heat: 50,
      published: true,
      provider: { name: "Fixture Wire", domain: "wire.example" },
      topics: ["Subsea cables"],
      images: [],
      related: [],
      body: "",
      ...overrides,
    },
    briefings: [{ ...(gatedBriefings()[1] as BriefingInput), kind: "premium-text", position: 0 }],
    mentions: [],
  };
}

describe.each(testDrivers())("search on %s", (driver) => {
  let handle: TestDatabase;
  const now = new Date("2024-06-01T00:00:00Z");

  beforeAll(async () => {
    handle = await openTestDatabase(driver);
    await seedDemoContent(handle.db);
    await saveProfiles(handle.db, [
      profileInput("cartography-one"),
      profileInput("cartography-two", {
        base: "Elsewhere",
        criticality: "Low",
        confidence: 0.3,
        publishedAt: new Date("2024-05-28T00:00:00Z"),
      }),
      profileInput("cartography-draft", { name: `Draft ${CANARY}`, summary: CANARY }),
      profileInput("cartography-scheduled", { name: `Scheduled ${CANARY}`, summary: CANARY }),
    ]);
    await handle.db
      .update(profiles)
      .set({ status: "draft" })
      .where(eq(profiles.slug, "cartography-draft"));
    await handle.db
      .update(profiles)
      .set({ status: "scheduled" })
      .where(eq(profiles.slug, "cartography-scheduled"));
    await saveArticles(handle.db, [
      ...Array.from({ length: 25 }, (_, i) => articleInput(i + 1)),
      articleInput(40, { title: `Unpublished ${CANARY}`, excerpt: CANARY, body: CANARY }),
    ]);
    await handle.db
      .update(articles)
      .set({ status: "draft" })
      .where(eq(articles.webUrl, "https://search-fixture.example/news/40"));
  }, 120_000);

  afterAll(async () => {
    await handle?.dispose();
  });

  it("finds the seed profile despite a typo, and says what it corrected", async () => {
    const result = await searchContent(handle.db, params({ q: "facial recogniton azure" }), {
      now,
    });
    expect(result.corrections).toEqual([{ from: "recogniton", to: "recognition" }]);
    const seed = loadSeedProfile().profile;
    const profileHit = result.hits.find((hit) => hit.kind === "profile");
    expect(profileHit?.slug).toBe(seed.slug);
    expect(result.hits[0]?.title).toMatch(/facial recognition/i);
    expect(result.total).toBeGreaterThanOrEqual(2);
  });

  it("ranks a title match above a match in the body", async () => {
    await saveProfiles(handle.db, [
      profileInput("rank-title", { name: "Heliograph Exchange" }),
      profileInput("rank-body", {
        name: "Some Other Exchange",
        sections: [{ heading: "Notes", paragraphs: ["It once ran a heliograph."] }],
      }),
    ]);
    const result = await searchContent(handle.db, params({ q: "heliograph" }), { now });
    expect(result.hits.map((hit) => hit.slug)).toEqual(["rank-title", "rank-body"]);
  });

  it("completes a last word still being typed, but not a whole one", async () => {
    const partial = await searchContent(handle.db, params({ q: "submarine cartogr" }), { now });
    expect(partial.total).toBeGreaterThan(25);
    const whole = await searchContent(handle.db, params({ q: "submarine cartography" }), { now });
    expect(whole.total).toBe(partial.total);
  });

  it("highlights the matched words in a snippet of public text", async () => {
    const result = await searchContent(handle.db, params({ q: "bathymetric" }), { now });
    expect(result.hits.length).toBeGreaterThan(0);
    for (const hit of result.hits) {
      expect(hit.snippet).toContain(`${SNIPPET_START}Bathymetric${SNIPPET_STOP}`);
    }
  });

  it("never indexes, matches, corrects to or quotes gated, draft or unpublished text", async () => {
    const searches = [
      params({ q: CANARY }),
      params({ q: BRIEFING_CANARY }),
      // Near misses the corrector might "fix" into the real word.
      params({ q: `${CANARY.slice(0, -1)}${CANARY.endsWith("x") ? "y" : "x"}` }),
      params({ q: `${BRIEFING_CANARY.slice(0, -1)}${BRIEFING_CANARY.endsWith("x") ? "y" : "x"}` }),
      params({ q: "submarine cartography" }),
      params({ q: "submarine cartography", sort: "newest" }),
      params({ q: "gated title" }),
      params({}),
      params({ topic: "subsea-cables" }),
    ];
    for (const input of searches) {
      // Everything but `words`, which echoes what the reader typed.
      const { words: _typed, ...result } = await searchContent(handle.db, input, {
        now,
        limit: 100,
      });
      expect(JSON.stringify(result)).not.toContain(CANARY);
      expect(JSON.stringify(result)).not.toContain(BRIEFING_CANARY);
    }
    const exact = await searchContent(handle.db, params({ q: CANARY }), { now });
    expect(exact.total).toBe(0);
    // Words of withdrawn text may stay in the vocabulary (it only grows) but are never
    // offered, as above; a briefing's words never get there at all.
    const words = await queryRows<{ word: string }>(
      handle.db,
      sql`SELECT word FROM search_words WHERE word LIKE 'zq%'`,
    );
    expect(words.map((w) => w.word)).toEqual([CANARY]);
    const stored = await queryRows<{ row: string }>(
      handle.db,
      sql`SELECT d::text AS row FROM search_documents d`,
    );
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some(({ row }) => row.includes(CANARY))).toBe(false);
    expect(stored.some(({ row }) => row.includes(BRIEFING_CANARY))).toBe(false);
    expect(stored.some(({ row }) => row.includes("Gated body"))).toBe(false);
  });

  it("follows edits, unpublishing, topic renames and deletion", async () => {
    const slug = "follow-edits";
    await saveProfiles(handle.db, [profileInput(slug, { name: "Quillwort Registry" })]);
    expect((await searchContent(handle.db, params({ q: "quillwort" }), { now })).total).toBe(1);

    await saveProfiles(handle.db, [profileInput(slug, { name: "Bladderwrack Registry" })]);
    expect((await searchContent(handle.db, params({ q: "quillwort" }), { now })).total).toBe(0);
    expect((await searchContent(handle.db, params({ q: "bladderwrack" }), { now })).total).toBe(1);

    await handle.db.update(profiles).set({ status: "draft" }).where(eq(profiles.slug, slug));
    expect((await searchContent(handle.db, params({ q: "bladderwrack" }), { now })).total).toBe(0);
    await handle.db.update(profiles).set({ status: "published" }).where(eq(profiles.slug, slug));
    expect((await searchContent(handle.db, params({ q: "bladderwrack" }), { now })).total).toBe(1);

    await saveProfiles(handle.db, [
      profileInput(slug, { name: "Bladderwrack Registry", topics: ["Kelp forests"] }),
    ]);
    await handle.db
      .update(topics)
      .set({ name: "Seagrass meadows" })
      .where(eq(topics.slug, "kelp-forests"));
    const renamed = await searchContent(handle.db, params({ q: "seagrass" }), { now });
    expect(renamed.hits.map((hit) => hit.slug)).toEqual([slug]);
    expect(renamed.hits[0]?.topics).toEqual([{ slug: "kelp-forests", name: "Seagrass meadows" }]);

    await handle.db.delete(profiles).where(eq(profiles.slug, slug));
    expect((await searchContent(handle.db, params({ q: "bladderwrack" }), { now })).total).toBe(0);
    const left = await handle.db
      .select({ id: searchDocuments.id })
      .from(searchDocuments)
      .where(eq(searchDocuments.slug, slug));
    expect(left).toEqual([]);
  });

  it("rebuilds no other document when a save merely upserts topics that exist", async () => {
    const before = await queryRows<{ id: string; version: string }>(
      handle.db,
      sql`SELECT id, xmin::text AS version FROM search_documents WHERE 'subsea-cables' = ANY (topic_slugs)`,
    );
    expect(before.length).toBeGreaterThan(25);
    await saveProfiles(handle.db, [profileInput("topic-upsert-only", { name: "Upsert Only" })]);
    const after = await queryRows<{ id: string; version: string }>(
      handle.db,
      sql`SELECT id, xmin::text AS version FROM search_documents WHERE 'subsea-cables' = ANY (topic_slugs)`,
    );
    const versions = new Map(after.map((row) => [row.id, row.version]));
    expect(before.every((row) => versions.get(row.id) === row.version)).toBe(true);
    expect(after.length).toBe(before.length + 1);
  });

  it("indexes an article whose body is larger than one tsvector may hold", async () => {
    const word = () => `${letters(6)}-${letters(6)}`;
    const body = Array.from({ length: 16_000 }, word).join(" "); // ~220,000 characters
    await saveArticles(handle.db, [
      articleInput(90, {
        title: "Oversized body report",
        body,
        provider: { name: "Big Texts", domain: "big.example" },
      }),
    ]);
    const result = await searchContent(handle.db, params({ q: "oversized body report" }), { now });
    expect(result.hits.map((hit) => hit.title)).toEqual(["Oversized body report"]);
  });

  it("offers one source per domain, by its latest name", async () => {
    const story = (n: number, name: string, month: number) =>
      articleInput(n, {
        title: `Renamed wire story ${n}`,
        provider: { name, domain: "renamed.example" },
        publishedDateTime: new Date(Date.UTC(2024, month, 1)),
      });
    await saveArticles(handle.db, [story(92, "Old Name Wire", 1), story(93, "New Name Wire", 3)]);
    const result = await searchContent(handle.db, params({ q: "renamed wire story" }), { now });
    expect(result.facets.provider).toEqual([
      { value: "renamed.example", label: "New Name Wire", count: 2 },
    ]);
  });

  it("grades confidence in SQL exactly as core does, at every boundary", async () => {
    const scores = [0, 0.09, 0.1, 0.34, 0.35, 0.5499, 0.55, 0.7499, 0.75, 0.89, 0.9, 1];
    const list = sql.join(
      scores.map((s) => sql`(${s}::double precision)`),
      sql`, `,
    );
    const rows = await queryRows<{ score: number; grade: string }>(
      handle.db,
      sql`SELECT s AS score, search_grade(s) AS grade FROM (VALUES ${list}) AS v(s)`,
    );
    expect(rows.map((r) => [Number(r.score), r.grade])).toEqual(
      scores.map((s) => [s, gradeConfidence(s).grade]),
    );
  });

  it("counts each facet under the other filters but not its own", async () => {
    const all = await searchContent(handle.db, params({ q: "cartography" }), { now });
    const byKind = Object.fromEntries(all.facets.kind.map((f) => [f.value, f.count]));
    expect(byKind.article).toBe(25);
    expect(byKind.profile).toBeGreaterThanOrEqual(2);
    expect(all.total).toBe((byKind.article ?? 0) + (byKind.profile ?? 0));

    const profilesOnly = await searchContent(
      handle.db,
      params({ q: "cartography", kind: "profile" }),
      { now },
    );
    expect(profilesOnly.total).toBe(byKind.profile);
    expect(profilesOnly.hits.every((hit) => hit.kind === "profile")).toBe(true);
    // Its own facet still offers articles, with their count.
    expect(profilesOnly.facets.kind.find((f) => f.value === "article")?.count).toBe(25);
    // Other facets are narrowed to profiles: no provider among them.
    expect(profilesOnly.facets.provider).toEqual([]);

    const lowCritical = await searchContent(
      handle.db,
      params({ q: "cartography", criticality: "Low" }),
      { now },
    );
    expect(lowCritical.hits.map((hit) => hit.slug)).toEqual(["cartography-two"]);
    expect(lowCritical.facets.grade).toEqual([{ value: "D", label: "D", count: 1 }]);
    expect(lowCritical.facets.base).toEqual([{ value: "Elsewhere", label: "Elsewhere", count: 1 }]);

    const provider = await searchContent(
      handle.db,
      params({ q: "cartography", provider: "wire.example" }),
      { now },
    );
    expect(provider.total).toBe(25);
    expect(provider.facets.provider).toContainEqual({
      value: "wire.example",
      label: "Fixture Wire",
      count: 25,
    });

    // Published within a week of `now` (2024-06-01): only the profile of 2024-05-28.
    const week = await searchContent(handle.db, params({ q: "cartography", date: "week" }), {
      now,
    });
    expect(week.hits.map((hit) => hit.slug)).toEqual(["cartography-two"]);
    expect(all.facets.date.find((f) => f.value === "week")?.count).toBe(1);
    expect(all.facets.date.find((f) => f.value === "year")?.count).toBe(all.total);

    const topic = await searchContent(handle.db, params({ topic: "subsea-cables" }), { now });
    expect(topic.total).toBeGreaterThanOrEqual(27);
    expect(topic.facets.topic.find((f) => f.value === "subsea-cables")?.label).toBe(
      "Subsea cables",
    );
  });

  it("pages by keyset through every hit exactly once, in both orders", async () => {
    for (const sort of ["relevance", "newest"] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      let total = 0;
      for (let pages = 0; pages < 20; pages++) {
        const result = await searchContent(
          handle.db,
          params({ q: "cartography", sort, ...(after ? { after } : {}) }),
          { now, limit: 4 },
        );
        total = result.total;
        seen.push(...result.hits.map((hit) => hit.id));
        if (!result.nextCursor) break;
        after = result.nextCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(total);
    }
  });

  it("browses by filters alone, newest first", async () => {
    const result = await searchContent(handle.db, params({ provider: "wire.example" }), {
      now,
      limit: 5,
    });
    expect(result.words).toEqual([]);
    expect(result.sort).toBe("newest");
    expect(result.total).toBe(25);
    const dates = result.hits.map((hit) => hit.publishedAt.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it("refuses a forged cursor", async () => {
    await expect(
      searchContent(handle.db, params({ q: "cartography", after: "bm90LWEtY3Vyc29y" }), { now }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("treats operator characters as plain text", async () => {
    for (const q of ["!:*&|()'", "cartography & !(", "'; DROP TABLE profiles; --"]) {
      const result = await searchContent(handle.db, params({ q }), { now });
      expect(result.total).toBeGreaterThanOrEqual(0);
    }
    const rows = await handle.db
      .select({ id: profiles.id })
      .from(profiles)
      .where(inArray(profiles.slug, ["cartography-one"]));
    expect(rows).toHaveLength(1);
  });
});

describe.runIf(testDrivers().includes("postgres"))("search under concurrent writes", () => {
  it("never brings back the document of a profile unpublished meanwhile", async () => {
    const handle = await openTestDatabase("postgres");
    try {
      await saveProfiles(handle.db, [
        { ...profileInput("racing", { name: "Racing Quokka Registry" }), briefings: [] },
      ]);
      const [row] = await handle.db
        .select({ id: profiles.id })
        .from(profiles)
        .where(eq(profiles.slug, "racing"));
      const id = row?.id as string;
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let unpublished = () => {};
      const didUnpublish = new Promise<void>((resolve) => {
        unpublished = resolve;
      });
      // One editor unpublishes the profile and has not committed yet…
      const editor = handle.db.transaction(async (tx) => {
        await tx.update(profiles).set({ status: "draft" }).where(eq(profiles.id, id));
        unpublished();
        await held;
      });
      await didUnpublish;
      // …while another write rebuilds its document from what it saw before.
      // (Drizzle's queries are lazy: awaiting inside a function sends this one now.)
      const refresh = (async () =>
        handle.db.execute(sql`SELECT search_refresh_profiles(ARRAY[${id}]::uuid[])`))();
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await Promise.all([editor, refresh]);
      const result = await searchContent(handle.db, searchParamsSchema.parse({ q: "quokka" }));
      expect(result.total).toBe(0);
    } finally {
      await handle.dispose();
    }
  });
});

describe("query words", () => {
  it("keeps letter and digit runs, lower-cased, at most eight, without repeats", () => {
    expect(queryWords("Facial  RECOGNITION, azure!")).toEqual(["facial", "recognition", "azure"]);
    expect(queryWords("a b c d e f g h i j")).toHaveLength(8);
    expect(queryWords("DNS dns Dns")).toEqual(["dns"]);
    expect(queryWords("Zürich 2024")).toEqual(["zürich", "2024"]);
    // Combining marks stay inside their words.
    expect(queryWords("İstanbul हिन्दी")).toEqual(["i̇stanbul", "हिन्दी"]);
    expect(queryWords("&|!():*'")).toEqual([]);
  });

  it("builds a tsquery of every word, the last as a prefix, corrections as alternatives", () => {
    expect(
      tsqueryText(["facial", "recogniton", "azure"], [{ from: "recogniton", to: "recognition" }]),
    ).toBe("'facial' & ('recogniton' | 'recognition') & 'azure':*");
    expect(tsqueryText(["ix"], [])).toBe("'ix'");
    // A last word the index knows whole is not widened to a prefix.
    expect(tsqueryText(["subsea", "cables"], [], new Set(["cables"]))).toBe("'subsea' & 'cables'");
  });

  it("names the parameter at fault", () => {
    expect(searchParamsSchema.safeParse({ grade: "Z" }).error?.issues[0]?.path).toEqual(["grade"]);
    expect(searchParamsSchema.safeParse({ q: "x".repeat(201) }).success).toBe(false);
  });
});
