import {
  activeTierSlugs,
  DEFAULT_TIERS,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
  subscriptionSource,
} from "@briefings/core";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applications, billingSettings, subscriptions, tiers, users } from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import { loadMemberAccess } from "./members.ts";
import { saveTiers } from "./save-content.ts";

const DAY = 24 * 60 * 60 * 1000;

describe.each(testDrivers())("subscriptions as entitlement sources on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(driver);
    await saveTiers(db.db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => db?.dispose());

  /** A member with one subscription in `status`, its period and past-due time relative to now. */
  async function subscriber(status: SubscriptionStatus, pastDueDaysAgo: number | null) {
    const now = Date.now();
    const [user] = await db.db
      .insert(users)
      .values({ email: `${status}-${pastDueDaysAgo}-${now}@example.org`, passwordHash: "x" })
      .returning({ id: users.id });
    const row = {
      id: `sub_${status}_${pastDueDaysAgo}_${now}`,
      userId: user?.id as string,
      tierSlug: "leadership-alliance",
      status,
      interval: "month" as const,
      priceId: "price_1",
      currentPeriodStart: new Date(now - 10 * DAY),
      currentPeriodEnd: new Date(now + 20 * DAY),
      pastDueSince: pastDueDaysAgo === null ? null : new Date(now - pastDueDaysAgo * DAY),
      amount: 4900,
      currency: "usd",
      createdAt: new Date(now - 40 * DAY),
    };
    await db.db.insert(subscriptions).values(row);
    return row;
  }

  it("holds the tier exactly when core's status policy says so, for every status", async () => {
    const cases: [SubscriptionStatus, number | null][] = [
      ...SUBSCRIPTION_STATUSES.map((status): [SubscriptionStatus, number | null] => [status, null]),
      ["past_due", 2],
      ["past_due", 8],
    ];
    for (const [status, pastDueDaysAgo] of cases) {
      const row = await subscriber(status, pastDueDaysAgo);
      const access = await loadMemberAccess(db.db, row.userId);
      const now = new Date();
      const fromDatabase = activeTierSlugs(access?.sources ?? [], now);
      const policy = subscriptionSource(row);
      const fromCore = activeTierSlugs(policy ? [policy] : [], now);
      expect(fromDatabase, `${status}, past due ${pastDueDaysAgo} days`).toEqual(fromCore);
    }
    // And the policy does give access in some of them (so the comparison means something).
    const active = await subscriber("active", null);
    expect(
      activeTierSlugs((await loadMemberAccess(db.db, active.userId))?.sources ?? [], new Date()),
    ).toEqual(["leadership-alliance"]);
  });

  it("follows the grace period the admins set, and core's policy with that grace", async () => {
    await db.db
      .update(billingSettings)
      .set({ pastDueGraceDays: 2 })
      .where(eq(billingSettings.id, 1));
    try {
      for (const [daysAgo, holds] of [
        [1, true],
        [3, false],
      ] as const) {
        const row = await subscriber("past_due", daysAgo);
        const access = await loadMemberAccess(db.db, row.userId);
        const now = new Date();
        const policy = subscriptionSource(row, 2 * DAY);
        expect(activeTierSlugs(access?.sources ?? [], now)).toEqual(
          activeTierSlugs(policy ? [policy] : [], now),
        );
        expect(activeTierSlugs(access?.sources ?? [], now).length > 0, `${daysAgo} days`).toBe(
          holds,
        );
      }
    } finally {
      await db.db
        .update(billingSettings)
        .set({ pastDueGraceDays: 7 })
        .where(eq(billingSettings.id, 1));
    }
  });

  it("gives access for an approved application only when the tier is not paid", async () => {
    const [user] = await db.db
      .insert(users)
      .values({ email: `approved-${Date.now()}@example.org`, passwordHash: "x" })
      .returning({ id: users.id });
    const userId = user?.id as string;
    await db.db.insert(applications).values({
      userId,
      tierSlug: "leadership-alliance",
      status: "approved",
      organisation: "Example Networks",
      website: "https://example.org",
      roleTitle: "Owner",
      evidence: { asns: ["AS64500"], prefixes: [], handles: [] },
      statement: "We hold our own address space.",
      decidedAt: new Date(Date.now() - DAY),
    });
    const held = async () =>
      activeTierSlugs((await loadMemberAccess(db.db, userId))?.sources ?? [], new Date());
    // Paid: approval leads to checkout, not to access.
    expect(await held()).toEqual([]);
    // The same approval of a tier that is not paid is access.
    await db.db.update(tiers).set({ paid: false }).where(eq(tiers.slug, "leadership-alliance"));
    try {
      expect(await held()).toEqual(["leadership-alliance"]);
    } finally {
      await db.db.execute(sql`UPDATE tiers SET paid = true WHERE slug = 'leadership-alliance'`);
    }
  });
});
