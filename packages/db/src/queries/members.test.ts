import {
  activeTierSlugs,
  DEFAULT_TIERS,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
  subscriptionSource,
} from "@briefings/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptions, users } from "../schema.ts";
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
});
