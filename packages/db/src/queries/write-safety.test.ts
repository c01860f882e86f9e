import { randomUUID } from "node:crypto";
import { ANONYMOUS, type Article, DEFAULT_TIERS, tierCatalogue } from "@briefings/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoProfiles } from "../seed/demo-content.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import { loadArticlePage } from "./articles.ts";
import {
  articleSlug,
  ContentWriteError,
  saveArticles,
  saveProfiles,
  saveTiers,
} from "./save-content.ts";

const article = (over: Partial<Article> = {}): Article => ({
  category: "news",
  title: "A test article",
  excerpt: "Excerpt",
  publishedDateTime: new Date("2024-01-01T00:00:00Z"),
  webUrl: `https://example.org/${randomUUID()}`,
  type: "article",
  quality: 50,
  heat: 50,
  published: true,
  provider: { name: "Example", domain: "example.org" },
  topics: [],
  images: [],
  related: [],
  body: "",
  ...over,
});

describe.each(testDrivers())("what a write may say and what a read may return, on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    await saveTiers(database.db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it("describes a refused write without quoting the gated text it carried", async () => {
    const canary = `CANARY-${randomUUID()}`;
    const [input] = generateDemoProfiles(1, 11);
    if (!input) throw new Error("no demo profile");
    const bad = {
      ...input,
      briefings: [
        {
          ...input.briefings[0]!,
          body: canary,
          gate: { kind: "tier" as const, tier: "no-such-tier" },
        },
      ],
    };
    const error = await saveProfiles(database.db, [bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentWriteError);
    const described = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(described).not.toContain(canary);
    expect((error as Error).message).toMatch(/^Could not save profiles: .*foreign key/);
    expect((error as Error).cause).toBeUndefined();
  });

  it("names a key that appears twice in one batch instead of failing obscurely", async () => {
    const [one] = generateDemoProfiles(1, 12);
    if (!one) throw new Error("no demo profile");
    await expect(saveProfiles(database.db, [one, one])).rejects.toThrow(
      `Could not save profiles: "${one.profile.slug}" appears twice in one batch`,
    );
    const same = article();
    await expect(
      saveArticles(database.db, [
        { article: same, briefings: [] },
        { article: same, briefings: [] },
      ]),
    ).rejects.toThrow(`"${same.webUrl}" appears twice in one batch`);
  });

  it("returns related items and images with their public fields only", async () => {
    const smuggled = article({
      images: [{ url: "https://example.org/i.jpg", width: 10, height: 10, isCached: false }],
      related: [
        {
          title: "Related",
          excerpt: "",
          publishedDateTime: new Date("2023-01-01T00:00:00Z"),
          webUrl: "https://example.org/related",
          type: "article",
          provider: { name: "Example", domain: "example.org" },
          images: [],
        },
      ],
    });
    // As if an importer stored the source record whole: extra keys in the JSON columns.
    const withSecrets = JSON.parse(JSON.stringify(smuggled)) as Article;
    Object.assign(withSecrets.related[0] as object, { secured: "SEALED-SECRET" });
    Object.assign(withSecrets.images[0] as object, { internal: "SEALED-SECRET" });
    withSecrets.publishedDateTime = smuggled.publishedDateTime;
    withSecrets.related[0]!.publishedDateTime = new Date("2023-01-01T00:00:00Z");
    await saveArticles(database.db, [{ article: withSecrets, briefings: [] }]);
    const page = await loadArticlePage(
      database.db,
      articleSlug(smuggled),
      ANONYMOUS,
      tierCatalogue(DEFAULT_TIERS),
    );
    expect(page?.article.related[0]?.title).toBe("Related");
    expect(JSON.stringify(page)).not.toContain("SEALED-SECRET");
  });
});
