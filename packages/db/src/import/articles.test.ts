import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TIERS, STRATEGIC_CIRCLE } from "@briefings/core";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../client.ts";
import { listAudit } from "../queries/audit.ts";
import { saveTiers } from "../queries/save-content.ts";
import { queryRows } from "../rows.ts";
import { articleMentions, articles, articleTopics, briefings, topics } from "../schema.ts";
import { loadSeedArticle, SEED_ARTICLE_FILE, seedDemoContent } from "../seed/index.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  type ArticleFileInput,
  type FileReport,
  type ImportReport,
  importArticleFiles,
} from "./articles.ts";
import { parseSealKey, readSealKey, SealKeyError, sealText, unsealText } from "./seal.ts";
import { type ArticleFileFields, articleFileText } from "./testing.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const seedDataDir = path.join(here, "..", "..", "seed-data");

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const PREMIUM = "## Premium analysis\n\nThe contract vehicle matters more than the press release.";

/** A file named `name` whose article lives at https://news.example/<prefix>/<name>. */
function articleFile(
  prefix: string,
  name: string,
  fields: Partial<ArticleFileFields> = {},
): ArticleFileInput & { text: string } {
  return {
    name,
    text: articleFileText({
      title: `Article ${name}`,
      webUrl: `https://news.example/${prefix}/${name}`,
      ...fields,
    }),
  };
}

const byFile = (report: ImportReport) =>
  Object.fromEntries(report.files.map((file) => [file.file, file]));
const outcomes = (report: ImportReport) =>
  Object.fromEntries(report.files.map((file) => [file.file, file.outcome]));

describe.each(testDrivers())("article import on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    await saveTiers(database.db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  const rowOf = async (webUrl: string) => {
    const [row] = await database.db.select().from(articles).where(eq(articles.webUrl, webUrl));
    return row;
  };
  const topicsOf = async (articleId: string) =>
    (
      await database.db
        .select({ slug: topics.slug, name: topics.name })
        .from(articleTopics)
        .innerJoin(topics, eq(topics.id, articleTopics.topicId))
        .where(eq(articleTopics.articleId, articleId))
    ).sort((a, b) => a.slug.localeCompare(b.slug));
  const briefingsOf = (articleId: string) =>
    database.db.select().from(briefings).where(eq(briefings.articleId, articleId));
  /** Rows of every content table, to prove that something wrote nothing. */
  const census = async () => {
    const [row] = await queryRows<Record<string, number>>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM articles) AS articles,
                 (SELECT count(*)::int FROM topics) AS topics,
                 (SELECT count(*)::int FROM article_topics) AS links,
                 (SELECT count(*)::int FROM briefings) AS briefings,
                 (SELECT max(updated_at) FROM articles)::text AS "lastUpdate"`,
    );
    return row;
  };

  it("imports valid files with their topics, images, related items and body", async () => {
    const files = [
      articleFile("valid", "one.md", {
        title: "Peering at the exchange",
        topics: ["Internet exchanges", "Peering", "peering"],
        images: [{ url: "https://img.example/one.jpg", width: 1200, height: 800, isCached: true }],
        related: [
          {
            title: "An earlier story",
            publishedDateTime: "2024-04-01T10:00:00Z",
            webUrl: "https://news.example/earlier",
            provider: { name: "Other News", domain: "other.example" },
            quality: 12,
          },
        ],
        body: "## Lead\n\nPublic text of the article.",
      }),
      articleFile("valid", "two.md", { topics: ["Peering"] }),
    ];
    const progress: [number, number | null][] = [];
    const report = await importArticleFiles(database.db, files, {
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(report.dryRun).toBe(false);
    expect(report.totals).toEqual({
      files: 2,
      imported: 2,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const one = byFile(report)["one.md"] as FileReport;
    expect(one.slug).toMatch(/^peering-at-the-exchange-[0-9a-z]+$/);
    expect(one.issues).toBeUndefined();

    const row = await rowOf("https://news.example/valid/one.md");
    expect(row).toMatchObject({
      slug: one.slug,
      title: "Peering at the exchange",
      category: "news",
      quality: 50,
      heat: 40,
      sourcePublished: true,
      providerName: "Example News",
      providerDomain: "example.com",
      body: "## Lead\n\nPublic text of the article.",
      status: "published",
      isDemo: false,
      images: [{ url: "https://img.example/one.jpg", width: 1200, height: 800, isCached: true }],
    });
    expect(row?.related).toEqual([
      expect.objectContaining({
        title: "An earlier story",
        webUrl: "https://news.example/earlier",
        quality: 12,
        publishedDateTime: "2024-04-01T10:00:00.000Z",
      }),
    ]);
    // "Peering" and "peering" are one topic, named as first spelled.
    expect(await topicsOf(row?.id as string)).toEqual([
      { slug: "internet-exchanges", name: "Internet exchanges" },
      { slug: "peering", name: "Peering" },
    ]);
    expect(await briefingsOf(row?.id as string)).toEqual([]);
    const two = await rowOf("https://news.example/valid/two.md");
    expect(await topicsOf(two?.id as string)).toEqual([{ slug: "peering", name: "Peering" }]);
  });

  it("rejects malformed files with the field and line of each problem, and imports the others", async () => {
    const good = articleFile("malformed", "good.md");
    const files: ArticleFileInput[] = [
      {
        name: "bad-yaml.md",
        text: articleFile("malformed", "bad-yaml.md").text.replace(
          'title: "Article bad-yaml.md"',
          'title: "unterminated',
        ),
      },
      {
        name: "bad-url.md",
        text: articleFile("malformed", "bad-url.md").text.replace(
          /webUrl: .*/,
          'webUrl: "javascript:alert(1)"',
        ),
      },
      {
        name: "bad-quality.md",
        text: articleFile("malformed", "bad-quality.md").text.replace(
          "quality: 50",
          "quality: 150",
        ),
      },
      good,
      { name: "not-an-article.md", text: "Just some notes.\n" },
      { name: "unreadable.md", error: "EACCES: permission denied" },
    ];
    const report = await importArticleFiles(database.db, files);
    expect(outcomes(report)).toEqual({
      "bad-yaml.md": "rejected",
      "bad-url.md": "rejected",
      "bad-quality.md": "rejected",
      "good.md": "imported",
      "not-an-article.md": "rejected",
      "unreadable.md": "rejected",
    });
    const issues = (name: string) => byFile(report)[name]?.issues ?? [];
    // Line 3 holds the title; the parser names the key the broken value belongs to.
    expect(issues("bad-yaml.md")[0]).toMatch(/^bad-yaml\.md:3: title: /);
    expect(issues("bad-url.md")).toEqual([
      'bad-url.md:6: webUrl: URL scheme "javascript:" is not allowed; use http: or https:',
    ]);
    expect(issues("bad-quality.md")).toEqual([
      "bad-quality.md:8: quality: quality must be between 0 and 100",
    ]);
    expect(issues("not-an-article.md")[0]).toMatch(/^not-an-article\.md:1: missing front matter/);
    expect(issues("unreadable.md")).toEqual([
      "unreadable.md: could not be read: EACCES: permission denied",
    ]);
    expect(report.totals).toMatchObject({ files: 6, imported: 1, rejected: 5 });
    expect(await rowOf("https://news.example/malformed/good.md")).toBeDefined();
    for (const name of ["bad-yaml.md", "bad-quality.md"])
      expect(await rowOf(`https://news.example/malformed/${name}`)).toBeUndefined();
  });

  it("finds nothing to write the second time: every file is unchanged", async () => {
    const files = [
      articleFile("twice", "a.md", {
        topics: ["Routing", "RPKI"],
        images: [{ url: "https://img.example/a.jpg", width: 10, height: 20 }],
        related: [
          {
            title: "Related",
            publishedDateTime: "2023-01-02T03:04:05.678Z",
            webUrl: "https://news.example/related",
            provider: { name: "Other", domain: "other.example" },
          },
        ],
      }),
      articleFile("twice", "b.md", { secured: sealText(PREMIUM, KEY), body: "Body." }),
      articleFile("twice", "c.md", { secured: sealText(PREMIUM, KEY) }),
    ];
    const first = await importArticleFiles(database.db, files, { sealKey: KEY });
    expect(first.totals).toMatchObject({ imported: 3, rejected: 0 });
    const before = await census();

    const second = await importArticleFiles(database.db, files, { sealKey: KEY });
    expect(second.totals).toEqual({
      files: 3,
      imported: 0,
      updated: 0,
      unchanged: 3,
      rejected: 0,
    });
    expect(second.files.map((file) => file.slug)).toEqual(first.files.map((file) => file.slug));
    expect(await census()).toEqual(before);
  });

  it("updates a changed file, names what changed, and keeps the article's slug", async () => {
    const original = articleFile("changed", "story.md", {
      title: "Original title",
      excerpt: "Same excerpt.",
      topics: ["Alpha", "Beta"],
      quality: 10,
    });
    const [imported] = (await importArticleFiles(database.db, [original])).files;
    const stored = await rowOf("https://news.example/changed/story.md");

    const changed = articleFile("changed", "story.md", {
      title: "A better title",
      excerpt: "Same excerpt.",
      topics: ["Beta", "Gamma"],
      quality: 11,
      secured: sealText(PREMIUM, KEY),
    });
    const report = await importArticleFiles(database.db, [changed], { sealKey: KEY });
    expect(report.files).toEqual([
      {
        file: "story.md",
        outcome: "updated",
        slug: imported?.slug,
        changes: ["title", "quality", "topics", "secured"],
        premiumText: "decrypted",
      },
    ]);
    const row = await rowOf("https://news.example/changed/story.md");
    expect(row).toMatchObject({ id: stored?.id, slug: imported?.slug, title: "A better title" });
    expect(row?.updatedAt.getTime()).toBeGreaterThan(stored?.updatedAt.getTime() as number);
    expect((await topicsOf(row?.id as string)).map((t) => t.slug)).toEqual(["beta", "gamma"]);

    // Changing only the date rewrites the topic links' copy of it too.
    const redated = articleFile("changed", "story.md", {
      title: "A better title",
      excerpt: "Same excerpt.",
      topics: ["Beta", "Gamma"],
      quality: 11,
      secured: changed.text.match(/secured: "(.*)"/)?.[1],
      publishedDateTime: "2024-06-01T00:00:00Z",
    });
    const again = await importArticleFiles(database.db, [redated], { sealKey: KEY });
    expect(again.files[0]?.changes).toEqual(["publishedDateTime", "topics"]);
    const links = await database.db
      .select({ at: articleTopics.publishedDateTime })
      .from(articleTopics)
      .where(eq(articleTopics.articleId, row?.id as string));
    expect(links.map((link) => link.at.toISOString())).toEqual([
      "2024-06-01T00:00:00.000Z",
      "2024-06-01T00:00:00.000Z",
    ]);
  });

  it("dry run reports imported, updated and unchanged exactly, and writes nothing", async () => {
    const same = articleFile("dry", "same.md", { topics: ["Dry"] });
    const edited = articleFile("dry", "edited.md", { heat: 1 });
    await importArticleFiles(database.db, [same, edited]);
    const before = await census();

    const files = [
      same,
      articleFile("dry", "edited.md", { heat: 2 }),
      articleFile("dry", "new.md", {
        topics: ["A topic nobody has"],
        secured: sealText(PREMIUM, KEY),
      }),
      articleFile("dry", "bad.md", { heat: 101 }),
    ];
    const report = await importArticleFiles(database.db, files, { dryRun: true, sealKey: KEY });
    expect(report.dryRun).toBe(true);
    expect(outcomes(report)).toEqual({
      "same.md": "unchanged",
      "edited.md": "updated",
      "new.md": "imported",
      "bad.md": "rejected",
    });
    expect(byFile(report)["edited.md"]?.changes).toEqual(["heat"]);
    expect(byFile(report)["new.md"]?.slug).toMatch(/^article-new-md-/);
    expect(await census()).toEqual(before);
    expect(await rowOf("https://news.example/dry/new.md")).toBeUndefined();
    expect(await rowOf("https://news.example/dry/edited.md")).toMatchObject({ heat: 1 });
    const [topic] = await database.db
      .select()
      .from(topics)
      .where(eq(topics.slug, "a-topic-nobody-has"));
    expect(topic).toBeUndefined();

    // The real run does what the dry run said.
    const real = await importArticleFiles(database.db, files, { sealKey: KEY });
    expect(outcomes(real)).toEqual(outcomes(report));
  });

  it("decrypts secured text with the key into a Strategic Circle briefing, never into the article", async () => {
    const file = articleFile("sealed", "premium.md", {
      secured: sealText(PREMIUM, KEY),
      body: "The public part.",
    });
    const report = await importArticleFiles(database.db, [file], { sealKey: KEY });
    expect(report.files[0]).toMatchObject({ outcome: "imported", premiumText: "decrypted" });
    const row = await rowOf("https://news.example/sealed/premium.md");
    expect(row?.body).toBe("The public part.");
    const stored = await briefingsOf(row?.id as string);
    expect(stored).toEqual([
      expect.objectContaining({
        kind: "premium-text",
        label: "Premium analysis",
        title: "Premium briefing on this article",
        gateKind: "tier",
        gateTier: STRATEGIC_CIRCLE,
        position: 0,
        body: PREMIUM,
        sources: [],
      }),
    ]);
    // Nowhere in the article's own columns, JSON included.
    const [everywhere] = await queryRows<{ hits: number }>(
      database.db,
      sql`SELECT count(*)::int AS hits FROM articles a
          WHERE a.id = ${row?.id} AND row_to_json(a)::text LIKE ${"%contract vehicle%"}`,
    );
    expect(everywhere?.hits).toBe(0);
  });

  it("rejects secured text that does not decrypt with the key, naming the field and its line", async () => {
    const file = articleFile("sealed", "wrong-key.md", { secured: sealText(PREMIUM, OTHER_KEY) });
    const line = file.text.split("\n").findIndex((text) => text.startsWith("secured:")) + 1;
    const report = await importArticleFiles(database.db, [file], { sealKey: KEY });
    expect(report.files[0]?.outcome).toBe("rejected");
    expect(report.files[0]?.issues).toEqual([
      expect.stringMatching(
        new RegExp(
          `^wrong-key\\.md:${line}: secured: (does not decrypt|decrypts) with ARTICLE_SEAL_KEY`,
        ),
      ),
    ]);
    expect(await rowOf("https://news.example/sealed/wrong-key.md")).toBeUndefined();
  });

  it("keeps secured text sealed without a key, exactly as the seed does", async () => {
    const secured = sealText(PREMIUM, KEY);
    const file = articleFile("sealed", "no-key.md", { secured });
    const report = await importArticleFiles(database.db, [file]);
    expect(report.files[0]).toMatchObject({ outcome: "imported", premiumText: "sealed" });
    const row = await rowOf("https://news.example/sealed/no-key.md");
    const [briefing] = await briefingsOf(row?.id as string);
    const [ciphertext, iv] = secured.split(";");
    expect(briefing).toMatchObject({
      kind: "premium-text",
      gateTier: STRATEGIC_CIRCLE,
      body: "",
      sealedCiphertext: ciphertext,
      sealedIv: iv,
      sealedBytes: Buffer.from(ciphertext as string, "base64").length,
    });

    // With the key it opens; a later import without the key keeps the text it opened to.
    const opened = await importArticleFiles(database.db, [file], { sealKey: KEY });
    expect(opened.files[0]).toMatchObject({ outcome: "updated", changes: ["secured"] });
    const withoutKey = await importArticleFiles(database.db, [file]);
    expect(withoutKey.files[0]).toMatchObject({ outcome: "unchanged", premiumText: "decrypted" });
    expect((await briefingsOf(row?.id as string))[0]?.body).toBe(PREMIUM);
  });

  it("treats the seed article like the seed: importing its file over the seeded one changes nothing", async () => {
    await seedDemoContent(database.db, { demoProfiles: 0, demoArticles: 0 });
    const seed = loadSeedArticle([]);
    const before = await rowOf(seed.article.webUrl);
    const [mentionsBefore] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM article_mentions WHERE article_id = ${before?.id}`,
    );
    const text = readFileSync(path.join(seedDataDir, SEED_ARTICLE_FILE), "utf8");
    const report = await importArticleFiles(database.db, [{ name: SEED_ARTICLE_FILE, text }]);
    expect(report.files[0]).toMatchObject({
      outcome: "unchanged",
      slug: before?.slug,
      premiumText: "sealed",
    });
    // The mojibake repaired on the way is reported.
    expect(report.files[0]?.warnings).toEqual([
      expect.stringContaining("excerpt: repaired mis-decoded characters"),
    ]);
    // Mentions come from editors, not files: kept.
    const mentions = await database.db
      .select()
      .from(articleMentions)
      .where(eq(articleMentions.articleId, before?.id as string));
    expect(mentions.length).toBe(mentionsBefore?.n);
    expect(mentions.length).toBeGreaterThan(0);
  });

  it("rejects a second file with the same webUrl and leaves the first one intact", async () => {
    const first = articleFile("dup", "first.md", { title: "First", topics: ["Dup one"] });
    const second = {
      name: "second.md",
      text: articleFileText({
        title: "Second",
        webUrl: "https://news.example/dup/first.md",
        topics: ["Dup two"],
      }),
    };
    const report = await importArticleFiles(database.db, [first, second]);
    expect(outcomes(report)).toEqual({ "first.md": "imported", "second.md": "rejected" });
    expect(byFile(report)["second.md"]?.issues).toEqual([
      "second.md:6: webUrl: first.md has the same webUrl; one file per article (this one was not imported)",
    ]);
    const row = await rowOf("https://news.example/dup/first.md");
    expect(row?.title).toBe("First");
    expect(await topicsOf(row?.id as string)).toEqual([{ slug: "dup-one", name: "Dup one" }]);
    const [orphan] = await database.db.select().from(topics).where(eq(topics.slug, "dup-two"));
    expect(orphan).toBeUndefined();
  });

  describe("when the database refuses a file halfway", () => {
    // A trigger makes the topic link insert fail for the topic "Boom": by then the
    // file's topics and article row are written, so the transaction must undo them.
    beforeAll(async () => {
      await database.db.execute(
        sql.raw(`CREATE FUNCTION import_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM topics WHERE id = NEW.topic_id AND slug = 'boom') THEN
              RAISE EXCEPTION 'injected failure for the import test';
            END IF;
            RETURN NEW;
          END $$`),
      );
      await database.db.execute(
        sql.raw(`CREATE TRIGGER import_test_boom BEFORE INSERT ON article_topics
          FOR EACH ROW EXECUTE FUNCTION import_test_boom()`),
      );
    });
    afterAll(async () => {
      await database.db.execute(sql.raw("DROP TRIGGER import_test_boom ON article_topics"));
      await database.db.execute(sql.raw("DROP FUNCTION import_test_boom()"));
    });

    it("a new article leaves nothing behind, and the files after it are imported", async () => {
      const files = [
        articleFile("midway", "before.md"),
        articleFile("midway", "fails.md", {
          topics: ["Only in the failing file", "Boom"],
          secured: sealText(PREMIUM, KEY),
        }),
        // Uses the topic the failed file created and rolled back.
        articleFile("midway", "after.md", { topics: ["Only in the failing file"] }),
      ];
      const report = await importArticleFiles(database.db, files, { sealKey: KEY });
      expect(outcomes(report)).toEqual({
        "before.md": "imported",
        "fails.md": "rejected",
        "after.md": "imported",
      });
      expect(byFile(report)["fails.md"]?.issues).toEqual([
        "fails.md: Could not save the article: injected failure for the import test",
      ]);
      expect(await rowOf("https://news.example/midway/fails.md")).toBeUndefined();
      const [boom] = await database.db.select().from(topics).where(eq(topics.slug, "boom"));
      expect(boom).toBeUndefined();
      const [premium] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM briefings WHERE body = ${PREMIUM}
            AND article_id IN (SELECT id FROM articles WHERE web_url LIKE 'https://news.example/midway/%')`,
      );
      expect(premium?.n).toBe(0);
      const after = await rowOf("https://news.example/midway/after.md");
      expect(await topicsOf(after?.id as string)).toEqual([
        { slug: "only-in-the-failing-file", name: "Only in the failing file" },
      ]);
    });

    it("an update leaves the stored article exactly as it was", async () => {
      const original = articleFile("midway", "update.md", {
        title: "Kept",
        topics: ["Kept topic"],
      });
      await importArticleFiles(database.db, [original]);
      const before = await rowOf("https://news.example/midway/update.md");

      const failing = articleFile("midway", "update.md", {
        title: "Never stored",
        topics: ["Kept topic", "Boom"],
        secured: sealText(PREMIUM, KEY),
      });
      const report = await importArticleFiles(database.db, [failing], { sealKey: KEY });
      expect(report.files[0]?.outcome).toBe("rejected");
      expect(await rowOf("https://news.example/midway/update.md")).toEqual(before);
      expect(await topicsOf(before?.id as string)).toEqual([
        { slug: "kept-topic", name: "Kept topic" },
      ]);
      expect(await briefingsOf(before?.id as string)).toEqual([]);
    });
  });

  it("calls onWrite inside each written file's transaction; its failure undoes the file", async () => {
    const files = [
      articleFile("hook", "kept.md", { topics: ["Hook kept"] }),
      articleFile("hook", "refused.md", { topics: ["Hook refused"] }),
    ];
    const writes: string[] = [];
    const report = await importArticleFiles(database.db, files, {
      async onWrite(tx, write) {
        // The file's own writes are visible here, in its transaction.
        const [row] = await tx
          .select({ id: articles.id })
          .from(articles)
          .where(eq(articles.webUrl, write.webUrl));
        expect(row?.id).toBe(write.articleId);
        writes.push(`${write.outcome} ${write.file}`);
        if (write.file === "refused.md") throw new Error("the audit log is unavailable");
      },
    });
    expect(writes).toEqual(["imported kept.md", "imported refused.md"]);
    expect(outcomes(report)).toEqual({ "kept.md": "imported", "refused.md": "rejected" });
    expect(byFile(report)["refused.md"]?.issues).toEqual([
      "refused.md: Could not save the article: the audit log is unavailable",
    ]);
    expect(await rowOf("https://news.example/hook/refused.md")).toBeUndefined();
    const [topic] = await database.db.select().from(topics).where(eq(topics.slug, "hook-refused"));
    expect(topic).toBeUndefined();
    // Unchanged files write nothing, so they call nothing.
    writes.length = 0;
    await importArticleFiles(database.db, [files[0] as ArticleFileInput], {
      onWrite: async (_, write) => {
        writes.push(write.file);
      },
    });
    expect(writes).toEqual([]);
  });

  it("reads raw bytes and async iterables, and refuses bytes that are not UTF-8", async () => {
    const good = articleFile("bytes", "good.md", { title: "Caf\u00e9 — and more" });
    const latin1 = Buffer.from(good.text.replace("bytes/good.md", "bytes/latin1.md"), "latin1");
    async function* files(): AsyncGenerator<ArticleFileInput> {
      yield { name: "good.md", text: new TextEncoder().encode(good.text) };
      yield { name: "latin1.md", text: latin1 };
      yield { name: "huge.md", text: new Uint8Array(2048) };
    }
    const progress: (number | null)[] = [];
    const report = await importArticleFiles(database.db, files(), {
      maxBytes: 1024,
      total: 3,
      onProgress: (_, total) => progress.push(total),
    });
    expect(progress).toEqual([3, 3, 3]);
    expect(outcomes(report)).toEqual({
      "good.md": "imported",
      "latin1.md": "rejected",
      "huge.md": "rejected",
    });
    expect(byFile(report)["latin1.md"]?.issues).toEqual([
      "latin1.md:3: is not UTF-8 text (an invalid byte sequence); save the file as UTF-8",
    ]);
    expect(byFile(report)["huge.md"]?.issues).toEqual([
      "huge.md: huge.md is too large: more than 1024 bytes (limit 1 KiB)",
    ]);
    expect((await rowOf("https://news.example/bytes/good.md"))?.title).toBe("Café — and more");
  });

  it("imports many files, several at a time, as one at a time would", async () => {
    const files = Array.from({ length: 1_100 }, (_, i) =>
      articleFile("many", `file-${String(i).padStart(4, "0")}.md`, {
        topics: [`Shared ${i % 7}`, `Own ${i}`],
        secured: i % 10 === 0 ? sealText(`Premium ${i}`, KEY) : undefined,
      }),
    );
    files[501] = { name: "file-0501.md", text: "---\ntitle: [\n---\n" };
    const report = await importArticleFiles(database.db, files, { sealKey: KEY, concurrency: 4 });
    expect(report.totals).toEqual({
      files: 1_100,
      imported: 1_099,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    expect(report.files.map((file) => file.file)).toEqual(files.map((file) => file.name));
    const urls = files.map((file) => `https://news.example/many/${file.name}`);
    const [counts] = await queryRows<{ articles: number; links: number; premium: number }>(
      database.db,
      sql`SELECT count(DISTINCT a.id)::int AS articles, count(atp.topic_id)::int AS links,
                 (SELECT count(*)::int FROM briefings b JOIN articles x ON x.id = b.article_id
                  WHERE x.web_url LIKE 'https://news.example/many/%') AS premium
          FROM articles a LEFT JOIN article_topics atp ON atp.article_id = a.id
          WHERE a.web_url LIKE 'https://news.example/many/%'`,
    );
    expect(counts).toEqual({ articles: 1_099, links: 2 * 1_099, premium: 110 });
    const again = await importArticleFiles(database.db, files, { sealKey: KEY, concurrency: 4 });
    expect(again.totals).toMatchObject({ unchanged: 1_099, rejected: 1 });
    const stored = await database.db
      .select({ id: articles.id })
      .from(articles)
      .where(inArray(articles.webUrl, urls));
    expect(stored.length).toBe(1_099);
  }, 120_000);
});

describe("the seal key", () => {
  const hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  it("is 64 hex characters or base64 of 32 bytes", () => {
    const key = Buffer.from(hex, "hex");
    expect(parseSealKey(hex)).toEqual(key);
    expect(parseSealKey(` ${hex.toUpperCase()}\n`)).toEqual(key);
    expect(parseSealKey(key.toString("base64"))).toEqual(key);
    expect(parseSealKey(key.toString("base64").replace(/=$/, ""))).toEqual(key);
    expect(readSealKey({})).toBeNull();
    expect(readSealKey({ ARTICLE_SEAL_KEY: "  " })).toBeNull();
    expect(readSealKey({ ARTICLE_SEAL_KEY: hex })).toEqual(key);
  });

  it.each([
    hex.slice(2),
    `${hex}00`,
    randomBytes(48).toString("base64"),
    randomBytes(16).toString("base64"),
    "not a key",
  ])("refuses %s without repeating it", (value) => {
    expect(() => parseSealKey(value)).toThrow(SealKeyError);
    expect(() => parseSealKey(value)).toThrow(/ARTICLE_SEAL_KEY must be a 32-byte key/);
    try {
      parseSealKey(value);
    } catch (error) {
      expect((error as Error).message).not.toContain(value);
    }
  });

  it("opens what sealText sealed, and refuses another key", () => {
    const secured = sealText("Grüße — premium", KEY);
    expect(unsealText(secured, KEY)).toEqual({ ok: true, text: "Grüße — premium" });
    // The seed's shape: 400 bytes of ciphertext and a 16-byte IV.
    const long = sealText("x".repeat(399), KEY);
    expect(Buffer.from(long.split(";")[0] as string, "base64").length).toBe(400);
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      if (!unsealText(sealText(PREMIUM, randomBytes(32)), KEY).ok) refused++;
    }
    expect(refused).toBe(20);
  });
});

describe("npm run import", () => {
  const cli = path.join(here, "..", "cli", "import.ts");
  let root: string;
  let folder: string;
  let dataDir: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "briefings-import-cli-"));
    folder = path.join(root, "articles");
    dataDir = path.join(root, "pglite");
    mkdirSync(path.join(folder, "2024", "may"), { recursive: true });
    mkdirSync(path.join(folder, ".hidden"));
    const write = (name: string, fields: Partial<ArticleFileFields> = {}) =>
      writeFileSync(path.join(folder, name), articleFile("cli", name, fields).text);
    write("a.md", { secured: sealText(PREMIUM, KEY) });
    write("2024/may/b.md", { topics: ["CLI"] });
    write(".hidden/ignored.md");
    writeFileSync(path.join(folder, "notes.txt"), "not an article");
    writeFileSync(
      path.join(folder, "2024", "bad.md"),
      articleFile("cli", "bad.md").text.replace("heat: 40", "heat: -3"),
    );
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  type Run = { code: number; stdout: string; stderr: string };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", cli, ...args],
        {
          cwd: here,
          timeout: 90_000,
          env: {
            ...process.env,
            DATABASE_URL: "",
            PGLITE_DIR: dataDir,
            ARTICLE_SEAL_KEY: KEY.toString("hex"),
            INIT_CWD: root,
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  it("refuses bad usage with exit code 2", async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("import: name the folder to import");
    expect(none.stderr).toContain("usage: npm run import -- <folder> [--dry-run] [--json]");

    const missing = await run(["no-such-folder"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(root, "no-such-folder")} does not exist`);

    expect((await run([folder, "--force"])).code).toBe(2);

    const badKey = await run([folder], { ARTICLE_SEAL_KEY: "secret-but-too-short" });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain("ARTICLE_SEAL_KEY must be a 32-byte key");
    expect(badKey.stderr).not.toContain("secret-but-too-short");
  }, 60_000);

  it("imports a folder, reports every file, and exits 1 when one is rejected", async () => {
    // Relative to the directory npm was run in. The database is new: no tiers yet.
    const result = await run(["articles"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("rejected   2024/bad.md");
    expect(lines[1]).toBe("    2024/bad.md:9: heat: heat must be between 0 and 100");
    expect(lines[2]).toMatch(/^imported {3}2024\/may\/b\.md → article-2024-may-b-md-[0-9a-z]+$/);
    expect(lines[3]).toBe("rejected   a.md");
    expect(lines[4]).toMatch(
      /^ {4}a\.md:\d+: secured: premium text goes behind the Strategic Circle tier \("strategic-circle"\), which this database does not have; start the portal once or run npm run db:seed/,
    );
    expect(result.stdout).toContain("3 files: 1 imported, 0 updated, 0 unchanged, 2 rejected");
    expect(result.stdout).not.toContain("ignored.md");
    expect(result.stdout).not.toContain(PREMIUM);
  }, 90_000);

  it("dry-runs and prints JSON, updates what changed, then finds everything unchanged", async () => {
    rmSync(path.join(folder, "2024", "bad.md"));
    const handle = await openDatabase({ dataDir });
    await saveTiers(handle.db, DEFAULT_TIERS);
    await handle.close();

    const dry = await run([folder, "--dry-run", "--json"]);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as ImportReport;
    expect(report.dryRun).toBe(true);
    expect(report.totals).toEqual({ files: 2, imported: 1, updated: 0, unchanged: 1, rejected: 0 });
    expect(report.files.find((file) => file.file === "a.md")).toMatchObject({
      outcome: "imported",
      premiumText: "decrypted",
    });

    const real = await run([folder]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^imported {3}a\.md → article-a-md-[0-9a-z]+$/m);
    expect(real.stdout).toMatch(/^unchanged {2}2024\/may\/b\.md → /m);

    writeFileSync(
      path.join(folder, "2024", "may", "b.md"),
      articleFile("cli", "2024/may/b.md", { topics: ["CLI"], heat: 99 }).text,
    );
    const edited = await run([folder]);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(
      /^updated {4}2024\/may\/b\.md → article-2024-may-b-md-[0-9a-z]+ \(heat\)$/m,
    );

    const again = await run([folder, "--json"]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ImportReport).totals).toEqual({
      files: 2,
      imported: 0,
      updated: 0,
      unchanged: 2,
      rejected: 0,
    });

    // Every write is in the audit log, by the command line; the dry run, the rejected and
    // the unchanged files left no trace.
    const check = await openDatabase({ dataDir });
    try {
      const entries = await listAudit(check.db, { targetType: "article" });
      expect(entries.map((e) => [e.action, e.actor, (e.after as { file: string }).file])).toEqual([
        ["article.update", "cli (npm run import)", "2024/may/b.md"],
        ["article.import", "cli (npm run import)", "a.md"],
        // From the first test's run on this database.
        ["article.import", "cli (npm run import)", "2024/may/b.md"],
      ]);
      expect(entries[0]?.after).toMatchObject({ changes: ["heat"] });
    } finally {
      await check.close();
    }
  }, 120_000);

  it("says to stop the portal when the embedded database is open elsewhere", async () => {
    const portal = await openDatabase({ dataDir });
    try {
      const result = await run([folder]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("is already open in another process");
      expect(result.stderr).toContain("If that is the portal (npm start, npm run dev), stop it");
    } finally {
      await portal.close();
    }
  }, 60_000);
});
