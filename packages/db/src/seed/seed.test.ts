import { ANONYMOUS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE, type Viewer } from "@briefings/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listArticles,
  listProfiles,
  loadArticlePage,
  loadProfilePage,
  loadTierCatalogue,
} from "../queries/index.ts";
import { queryRows } from "../rows.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import { isDatabaseEmpty, seedDemoContent, seedDemoContentIfEmpty } from "./index.ts";

const SEED_PROFILE = "microsofts-worldwide-ban-facial-recognition-out-of-azure-openai";

const member = (tiers: string[]): Viewer => ({
  kind: "member",
  userId: "00000000-0000-4000-8000-000000000001",
  role: "member",
  tiers,
  applications: {},
});

describe.each(testDrivers())("demo content on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it("seeds an empty database once, and seeding again changes nothing", async () => {
    const { db } = database;
    expect(await isDatabaseEmpty(db)).toBe(true);
    const summary = await seedDemoContentIfEmpty(db);
    expect(summary).toEqual({ tiers: 2, profiles: 41, articles: 46 });
    expect(await seedDemoContentIfEmpty(db)).toBeNull();

    const count = async () => {
      const [row] = await queryRows<{
        profiles: number;
        articles: number;
        briefings: number;
        topics: number;
      }>(
        db,
        sql`SELECT (SELECT count(*)::int FROM profiles) AS profiles, (SELECT count(*)::int FROM articles) AS articles,
                   (SELECT count(*)::int FROM briefings) AS briefings, (SELECT count(*)::int FROM topics) AS topics`,
      );
      return row;
    };
    const before = await count();
    await seedDemoContent(db);
    expect(await count()).toEqual(before);
    expect(before).toMatchObject({ profiles: 41, articles: 46 });
  });

  it("imports the seed profile through the parser, with the three gates of the seed page in order", async () => {
    const tiers = await loadTierCatalogue(database.db);
    const page = await loadProfilePage(database.db, SEED_PROFILE, ANONYMOUS, tiers);
    expect(page).not.toBeNull();
    const { profile, briefings } = page!;
    expect(profile.name).toBe("Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI");
    expect(profile.type).toBe("Internet infrastructure institution");
    expect(profile.base).toBe("Global");
    expect(profile.criticality).toBe("Medium");
    expect(profile.timeHorizon).toBe("Next quarter");
    expect(profile.keyPoints).toHaveLength(3);
    expect(profile.sections.map((s) => s.heading)).toEqual([
      "Microsoft Proscribes AI Facial Identification",
      "Azure AI Curtails Police Surveillance",
    ]);
    expect(profile.alsoRead.map((r) => r.title)).toEqual([
      "Microsoft signs deal with Swedish partner to capture carbon",
      "Microsoft commits to building cloud and AI infrastructure in Thailand",
    ]);
    expect(briefings.map((b) => [b.title, b.gate, b.state])).toEqual([
      ["Deeper Profile Context", { kind: "members" }, "locked"],
      ["Strategic Circle Access", { kind: "tier", tier: STRATEGIC_CIRCLE }, "locked"],
      ["Leadership Alliance Access", { kind: "tier", tier: LEADERSHIP_ALLIANCE }, "locked"],
    ]);
    // An anonymous reader is told to sign in, to join, and to apply.
    expect(briefings.map((b) => (b.state === "locked" ? b.nextStep.action : null))).toEqual([
      "sign-in",
      "join",
      "apply",
    ]);
  });

  it("gives each viewer exactly the briefings their tier admits", async () => {
    const tiers = await loadTierCatalogue(database.db);
    const states = async (viewer: Viewer) =>
      (await loadProfilePage(database.db, SEED_PROFILE, viewer, tiers))!.briefings.map(
        (b) => b.state,
      );
    expect(await states(member([]))).toEqual(["unlocked", "locked", "locked"]);
    expect(await states(member([STRATEGIC_CIRCLE]))).toEqual(["unlocked", "unlocked", "locked"]);
    expect(await states(member([LEADERSHIP_ALLIANCE]))).toEqual([
      "unlocked",
      "unlocked",
      "unlocked",
    ]);
  });

  it("keeps the seed article's premium text sealed and repairs its mojibake", async () => {
    const { items } = await listArticles(database.db, {}, 1);
    expect(items[0]?.title).toBe(
      "The Microsoft Police State: Mass Surveillance, Facial Recognition, and the Azure Cloud",
    );
    const tiers = await loadTierCatalogue(database.db);
    const page = await loadArticlePage(
      database.db,
      items[0]!.slug,
      member([STRATEGIC_CIRCLE]),
      tiers,
    );
    expect(page!.article.excerpt).toContain("partnerships — while");
    expect(page!.article.excerpt).not.toContain("â€");
    expect(page!.topics.map((t) => t.name)).toEqual(["Azure"]);
    expect(page!.mentions.map((m) => m.slug)).toEqual([SEED_PROFILE]);
    const [premium] = page!.briefings;
    expect(premium).toMatchObject({ state: "unlocked", sealed: true, body: "" });
    const anonymous = await loadArticlePage(database.db, items[0]!.slug, ANONYMOUS, tiers);
    expect(anonymous!.briefings[0]).toMatchObject({
      state: "locked",
      withheld: { sections: 1, sources: 0, words: null },
    });
  });

  it("lists the seed profile first, newest first", async () => {
    const { items } = await listProfiles(database.db, { sort: "newest" }, 3);
    expect(items[0]?.slug).toBe(SEED_PROFILE);
    expect(items[0]?.topics).toEqual(["AI governance", "Azure", "Facial recognition"]);
    expect(items[0]?.grade).toBe("B/C");
  });
});
