import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.ts";
import * as schema from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import { recordProfileViews } from "./profile-views.ts";

describe.each(testDrivers())("recordProfileViews on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;

  async function profile(slug: string, status: "draft" | "published" = "published") {
    const [row] = await db
      .insert(schema.profiles)
      .values({
        slug,
        name: slug,
        type: "Fixture",
        ecosystem: "Test fixtures",
        base: "Global",
        focus: "Institution",
        summary: "A fixture.",
        whatItDoes: [],
        whyItMatters: [],
        criticality: "Low",
        timeHorizon: "Next quarter",
        whatToWatch: [],
        keyPoints: [],
        confidence: 0.5,
        status,
        publishedAt: new Date("2024-01-01T00:00:00Z"),
      })
      .returning({ id: schema.profiles.id });
    if (!row) throw new Error("no profile");
    return row.id;
  }

  /** The stored rows as [slug, day, views], in a fixed order. */
  async function stored() {
    const rows = await db
      .select({
        slug: schema.profiles.slug,
        day: schema.profileViews.day,
        views: schema.profileViews.views,
      })
      .from(schema.profileViews)
      .innerJoin(schema.profiles, eq(schema.profiles.id, schema.profileViews.profileId))
      .orderBy(asc(schema.profiles.slug), asc(schema.profileViews.day));
    return rows.map((r) => [r.slug, r.day, r.views]);
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await profile("alpha");
    await profile("beta");
    await profile("unpublished", "draft");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("adds the counts to each published profile's day, skipping unknown slugs and drafts", async () => {
    expect(
      await recordProfileViews(
        db,
        new Map([
          ["alpha", 3],
          ["beta", 1],
          ["no-such-profile", 5],
          ["unpublished", 4],
          ["'; DROP TABLE profiles; --", 1],
        ]),
        "2025-03-31",
      ),
    ).toBe(2);
    expect(await recordProfileViews(db, new Map([["alpha", 2]]), "2025-03-31")).toBe(1);
    expect(await recordProfileViews(db, new Map([["alpha", 7]]), "2025-04-01")).toBe(1);
    expect(await stored()).toEqual([
      ["alpha", "2025-03-31", 5],
      ["alpha", "2025-04-01", 7],
      ["beta", "2025-03-31", 1],
    ]);
  });

  it("ignores counts that are not positive whole numbers, and an empty batch", async () => {
    const before = await stored();
    expect(await recordProfileViews(db, new Map(), "2025-03-31")).toBe(0);
    expect(
      await recordProfileViews(
        db,
        new Map([
          ["beta", 0],
          ["alpha", -4],
          ["alpha", Number.NaN],
        ]),
        "2025-03-31",
      ),
    ).toBe(0);
    expect(await stored()).toEqual(before);
  });

  it("adds up batches written at the same time", async () => {
    await Promise.all(
      [1, 2, 3, 4, 5].map(() => recordProfileViews(db, new Map([["beta", 10]]), "2025-05-01")),
    );
    expect((await stored()).filter(([, day]) => day === "2025-05-01")).toEqual([
      ["beta", "2025-05-01", 50],
    ]);
  });

  it("refuses a day that is not a date", async () => {
    for (const day of ["2025-3-1", "yesterday", "2025-02-30", "2025-02-30x", "2025-13-01"]) {
      await expect(recordProfileViews(db, new Map([["alpha", 1]]), day)).rejects.toThrow(
        /is not a day/,
      );
    }
  });
});
