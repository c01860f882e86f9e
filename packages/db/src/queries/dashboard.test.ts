import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE } from "@briefings/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.ts";
import * as schema from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  countPendingApplications,
  countProfilesByStatus,
  membersPerTier,
  mostReadProfiles,
  recordProfileViews,
  saveTiers,
  signupsOverTime,
} from "./index.ts";

/** "Now" in these tests: the last of 90 days that start on 2025-01-01. */
const NOW = new Date("2025-03-31T15:00:00Z");
const OLD = new Date("2024-06-01T00:00:00Z");
const at = (iso: string) => new Date(iso);

/** Every day from `from` to `to`, both included, as YYYY-MM-DD. */
function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const WINDOW = dayRange("2025-01-01", "2025-03-31");

/** Per day of the window, how many of these day ranges hold it. */
function expectedCounts(ranges: [string, string][]): number[] {
  const held = ranges.map(([from, to]) => new Set(dayRange(from, to)));
  return WINDOW.map((day) => held.filter((set) => set.has(day)).length);
}

async function insertProfile(
  db: Db,
  slug: string,
  options: { name?: string; status?: "draft" | "scheduled" | "published" } = {},
): Promise<string> {
  const [row] = await db
    .insert(schema.profiles)
    .values({
      slug,
      name: options.name ?? `Profile ${slug}`,
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
      status: options.status ?? "published",
      publishedAt: OLD,
    })
    .returning({ id: schema.profiles.id });
  if (!row) throw new Error("no profile");
  return row.id;
}

describe.each(testDrivers())("dashboard queries on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;

  async function user(createdAt: Date = OLD): Promise<string> {
    const [row] = await db
      .insert(schema.users)
      .values({ email: `u-${randomUUID()}@example.org`, passwordHash: "x", createdAt })
      .returning({ id: schema.users.id });
    if (!row) throw new Error("no user");
    return row.id;
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    // A session time zone far from UTC: the days must still be UTC days.
    await db.execute(sql`SET TIME ZONE 'Pacific/Kiritimati'`);
    await saveTiers(db, DEFAULT_TIERS);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("is empty on an empty database, with every day and bucket present", async () => {
    const empty = await membersPerTier(db, { now: NOW });
    expect(empty.days).toEqual(WINDOW);
    expect(empty.series.map((s) => [s.tierSlug, s.members.every((n) => n === 0)])).toEqual([
      [STRATEGIC_CIRCLE, true],
      [LEADERSHIP_ALLIANCE, true],
    ]);
    const signups = await signupsOverTime(db, { now: NOW });
    expect(signups).toHaveLength(90);
    expect(signups.every((b) => b.signups === 0)).toBe(true);
    expect(await countPendingApplications(db)).toBe(0);
    expect(await countProfilesByStatus(db)).toEqual({ draft: 0, scheduled: 0, published: 0 });
    expect(await mostReadProfiles(db, { now: NOW })).toEqual([]);
  });

  describe("with members, applications and profiles", () => {
    beforeAll(async () => {
      const [u1, u2, u3, u4, u5, u6, u7, u8] = await Promise.all(
        [1, 2, 3, 4, 5, 6, 7, 8].map(() => user()),
      );
      const join = (userId: string | undefined, joinedAt: string, leftAt?: string) =>
        db.insert(schema.tierJoins).values({
          userId: userId ?? "",
          tierSlug: STRATEGIC_CIRCLE,
          joinedAt: at(joinedAt),
          leftAt: leftAt ? at(leftAt) : null,
        });
      const grant = (
        userId: string | undefined,
        startsAt: string,
        endsAt: string | null,
        revokedAt?: string,
      ) =>
        db.insert(schema.tierGrants).values({
          userId: userId ?? "",
          tierSlug: LEADERSHIP_ALLIANCE,
          startsAt: at(startsAt),
          endsAt: endsAt ? at(endsAt) : null,
          revokedAt: revokedAt ? at(revokedAt) : null,
          reason: "fixture",
        });
      const application = (
        userId: string | undefined,
        status: "pending" | "approved" | "rejected" | "needs-info",
        decidedAt: string | null,
      ) =>
        db.insert(schema.applications).values({
          userId: userId ?? "",
          tierSlug: LEADERSHIP_ALLIANCE,
          status,
          organisation: "Example",
          website: "https://example.net",
          roleTitle: "CTO",
          evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
          statement: "A statement of at least twenty characters.",
          submittedAt: at("2024-12-01T00:00:00Z"),
          decidedAt: decidedAt ? at(decidedAt) : null,
        });

      // Strategic Circle (joins).
      await join(u1, "2024-12-01T00:00:00Z"); // before the window, still in
      await join(u2, "2025-02-10T12:00:00Z", "2025-03-05T08:00:00Z"); // left
      await join(u2, "2025-03-20T10:00:00Z"); // and came back
      await join(u6, "2025-03-31T14:00:00Z"); // today, before now
      await join(u7, "2025-03-31T16:00:00Z"); // today, after now: not yet
      // Leadership Alliance (approvals and grants).
      await application(u3, "rejected", "2025-01-10T00:00:00Z");
      await application(u3, "approved", "2025-03-15T09:00:00Z");
      // From midnight on the first of March: held on that day, not on the day before.
      await grant(u3, "2025-03-01T00:00:00Z", "2025-12-31T00:00:00Z"); // overlaps the approval
      await grant(u4, "2025-01-05T00:00:01Z", "2025-01-20T00:00:00Z"); // ended at midnight
      await grant(u5, "2025-02-01T06:00:00Z", null, "2025-02-03T06:00:00Z"); // revoked
      await grant(u8, "2025-03-30T00:00:01Z", "2025-03-31T14:30:00Z"); // ended today
      // Paid tier: an approval alone is not membership; a subscription is, until it ended.
      const [u9, u10] = await Promise.all([user(), user()]);
      await application(u9, "approved", "2025-01-20T00:00:00Z");
      await db.insert(schema.subscriptions).values({
        id: "sub_dashboard_u10",
        userId: u10 ?? "",
        tierSlug: LEADERSHIP_ALLIANCE,
        status: "canceled",
        interval: "month",
        priceId: "price_month",
        currentPeriodStart: at("2025-02-10T12:00:00Z"),
        currentPeriodEnd: at("2025-03-10T12:00:00Z"),
        canceledAt: at("2025-03-10T12:00:00Z"),
        amount: 4_900,
        currency: "usd",
        createdAt: at("2025-02-10T12:00:00Z"),
      });
      await application(u6, "pending", null);
      await application(u7, "pending", null);
      await application(u8, "needs-info", null);

      // Sign-ups: some in the window, some just outside it.
      for (const createdAt of [
        "2024-12-31T23:59:59Z", // the day before the window (in its first week)
        "2025-01-01T00:00:00Z", // its first moment
        "2025-02-14T10:00:00Z",
        "2025-02-14T23:00:00Z",
        "2025-03-31T14:59:00Z", // today, before now
        "2025-03-31T15:30:00Z", // today, after now
      ]) {
        await user(at(createdAt));
      }

      // Profiles and their views.
      await insertProfile(db, "most-read", { name: "Most read" });
      await insertProfile(db, "second", { name: "Second" });
      await insertProfile(db, "tied-a", { name: "A tied profile" });
      const draftId = await insertProfile(db, "a-draft", { status: "draft" });
      await insertProfile(db, "scheduled-one", { status: "scheduled" });
      await insertProfile(db, "scheduled-two", { status: "scheduled" });
      await recordProfileViews(db, new Map([["most-read", 100]]), "2025-03-01"); // too old
      await recordProfileViews(
        db,
        new Map([
          ["most-read", 3],
          ["tied-a", 8],
        ]),
        "2025-03-02",
      );
      await recordProfileViews(db, new Map([["most-read", 5]]), "2025-03-31");
      await recordProfileViews(db, new Map([["second", 10]]), "2025-03-15");
      // A future day does not count yet.
      await recordProfileViews(db, new Map([["second", 50]]), "2025-04-01");
      // A draft's views, were there any, would not count.
      await db
        .insert(schema.profileViews)
        .values({ profileId: draftId, day: "2025-03-20", views: 1000 });
    });

    it("counts members per tier at the end of each of the last 90 days", async () => {
      const result = await membersPerTier(db, { now: NOW });
      expect(result.days).toEqual(WINDOW);
      expect(result.series.map((s) => [s.tierSlug, s.tierName])).toEqual([
        [STRATEGIC_CIRCLE, "Strategic Circle"],
        [LEADERSHIP_ALLIANCE, "Leadership Alliance"],
      ]);
      const [circle, alliance] = result.series;
      expect(circle?.members).toEqual(
        expectedCounts([
          ["2025-01-01", "2025-03-31"], // u1
          ["2025-02-10", "2025-03-04"], // u2, until it left on the 5th
          ["2025-03-20", "2025-03-31"], // u2 again
          ["2025-03-31", "2025-03-31"], // u6 (u7 joins after now)
        ]),
      );
      expect(alliance?.members).toEqual(
        expectedCounts([
          ["2025-03-01", "2025-03-31"], // u3: grant, then approval, counted once
          ["2025-01-05", "2025-01-19"], // u4, held to the last moment of the 19th
          ["2025-02-01", "2025-02-02"], // u5, revoked on the 3rd
          ["2025-03-30", "2025-03-30"], // u8, ended before now
          ["2025-02-10", "2025-03-09"], // u10's subscription, ended at noon on the 10th
          // (u9, approved but never paid: never)
        ]),
      );
      // A few read off by hand.
      const on = (series: typeof circle, day: string) => series?.members[WINDOW.indexOf(day)];
      expect(on(circle, "2025-01-01")).toBe(1);
      expect(on(circle, "2025-03-04")).toBe(2);
      expect(on(circle, "2025-03-05")).toBe(1);
      expect(on(circle, "2025-03-31")).toBe(3);
      expect(on(alliance, "2025-01-04")).toBe(0);
      expect(on(alliance, "2025-01-05")).toBe(1);
      expect(on(alliance, "2025-03-16")).toBe(1);
      expect(on(alliance, "2025-03-30")).toBe(2);
      expect(on(alliance, "2025-03-31")).toBe(1);
    });

    it("takes a shorter window, ending today", async () => {
      const result = await membersPerTier(db, { now: NOW, days: 3 });
      expect(result.days).toEqual(["2025-03-29", "2025-03-30", "2025-03-31"]);
      expect(result.series.map((s) => s.members)).toEqual([
        [2, 2, 3],
        [1, 2, 1],
      ]);
    });

    it("counts sign-ups per day and per week, up to now", async () => {
      const daily = await signupsOverTime(db, { now: NOW });
      expect(daily.map((b) => b.start)).toEqual(WINDOW);
      expect(daily.filter((b) => b.signups > 0)).toEqual([
        { start: "2025-01-01", signups: 1 },
        { start: "2025-02-14", signups: 2 },
        { start: "2025-03-31", signups: 1 },
      ]);
      const weekly = await signupsOverTime(db, { now: NOW, bucket: "week" });
      // Mondays from the week holding 2025-01-01 to the one holding today.
      expect(weekly.map((b) => b.start)).toEqual(
        dayRange("2024-12-30", "2025-03-31").filter((_, i) => i % 7 === 0),
      );
      expect(weekly).toHaveLength(14);
      expect(weekly.filter((b) => b.signups > 0)).toEqual([
        { start: "2024-12-30", signups: 2 },
        { start: "2025-02-10", signups: 2 },
        { start: "2025-03-31", signups: 1 },
      ]);
    });

    it("counts pending applications and profiles by status", async () => {
      expect(await countPendingApplications(db)).toBe(2);
      expect(await countProfilesByStatus(db)).toEqual({ draft: 1, scheduled: 2, published: 3 });
    });

    it("lists the most read published profiles of the last 30 days", async () => {
      expect(await mostReadProfiles(db, { now: NOW })).toEqual([
        { id: expect.any(String), slug: "second", name: "Second", views: 10 },
        // A tie is broken by name.
        { id: expect.any(String), slug: "tied-a", name: "A tied profile", views: 8 },
        { id: expect.any(String), slug: "most-read", name: "Most read", views: 8 },
      ]);
      expect((await mostReadProfiles(db, { now: NOW, limit: 1 })).map((p) => p.slug)).toEqual([
        "second",
      ]);
      // Over 31 days, the first of March counts too.
      expect((await mostReadProfiles(db, { now: NOW, days: 31 }))[0]).toMatchObject({
        slug: "most-read",
        views: 108,
      });
    });
  });

  it("refuses a window that is not a number of days", async () => {
    await expect(membersPerTier(db, { now: NOW, days: 0 })).rejects.toThrow(/number of days/);
    await expect(signupsOverTime(db, { now: NOW, days: 1.5 })).rejects.toThrow(/number of days/);
  });
});
