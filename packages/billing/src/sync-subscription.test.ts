import { randomUUID } from "node:crypto";
import { type Db, schema } from "@briefings/db/client";
import { testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import {
  syncCustomerSubscriptions,
  syncFetchedSubscription,
  syncSubscription,
} from "./sync-subscription.ts";
import { fakeSubscription, setSubscriptionStatus } from "./testing/fake-stripe-subscriptions.ts";
import {
  insertMember,
  storedSubscription,
  useSubscriptionFixture,
} from "./testing/subscription-fixture.ts";

const TIER = "sync-alliance";
const PRICE_MONTH = "price_sync_month";
const PRICE_YEAR = "price_sync_year";

for (const driver of testDrivers()) {
  describe(`syncSubscription (${driver})`, () => {
    const fixture = useSubscriptionFixture(driver, {
      slug: TIER,
      name: "Sync Alliance",
      priceMonthly: 9_900,
      priceYearly: 99_000,
      stripePriceMonthly: PRICE_MONTH,
      stripePriceYearly: PRICE_YEAR,
    });
    const fake = fixture.fake;
    let db: Db;
    let stripe: Stripe;
    beforeAll(() => {
      ({ db, stripe } = fixture);
    });

    const member = (withCustomer = true) => insertMember(db, { withCustomer });

    const row = (id: string) => storedSubscription(db, id);

    async function customerOf(userId: string) {
      const [user] = await db
        .select({ stripeCustomerId: schema.users.stripeCustomerId })
        .from(schema.users)
        .where(eq(schema.users.id, userId));
      return user?.stripeCustomerId ?? null;
    }

    it("stores the subscription as Stripe has it, for its member and tier", async () => {
      const { userId, customer } = await member();
      const sub = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_YEAR, interval: "year", unitAmount: 99_000, currency: "eur" },
        cancelAtPeriodEnd: true,
        created: fake.now - 100,
        periodStart: fake.now - 50,
        periodEnd: fake.now + 1000,
      });
      const result = await syncSubscription(db, stripe, sub.id);
      expect(result).toMatchObject({ ok: true, userId, before: null, changed: true });
      expect(await row(sub.id)).toMatchObject({
        userId,
        tierSlug: TIER,
        status: "active",
        interval: "year",
        priceId: PRICE_YEAR,
        amount: 99_000,
        currency: "eur",
        cancelAtPeriodEnd: true,
        canceledAt: null,
        pastDueSince: null,
        createdAt: new Date((fake.now - 100) * 1000),
        currentPeriodStart: new Date((fake.now - 50) * 1000),
        currentPeriodEnd: new Date((fake.now + 1000) * 1000),
      });
      // Again, unchanged: said so.
      expect(await syncSubscription(db, stripe, sub.id)).toMatchObject({
        ok: true,
        changed: false,
      });
    });

    it("reads the period from the subscription itself in the older API shape", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const items = sub.items as { data: Record<string, unknown>[] };
      const { current_period_start: _s, current_period_end: _e, ...item } = items.data[0] ?? {};
      const older = {
        ...sub,
        current_period_start: fake.now - 10,
        current_period_end: fake.now + 500,
        items: { ...items, data: [item] },
      } as unknown as Stripe.Subscription;
      expect(await syncFetchedSubscription(db, older)).toMatchObject({ ok: true });
      expect(await row(sub.id)).toMatchObject({
        currentPeriodStart: new Date((fake.now - 10) * 1000),
        currentPeriodEnd: new Date((fake.now + 500) * 1000),
      });
    });

    it("falls back to the metadata's member (recording the customer) and tier", async () => {
      const { userId, customer } = await member(false);
      const sub = fakeSubscription(fake, {
        customer,
        price: { id: "price_not_in_any_tier" },
        metadata: { user_id: userId, tier_slug: TIER },
      });
      expect(await syncSubscription(db, stripe, sub.id)).toMatchObject({ ok: true, userId });
      expect(await row(sub.id)).toMatchObject({ userId, tierSlug: TIER });
      expect(await customerOf(userId)).toBe(customer);
    });

    it("refuses an unknown customer, an unknown tier and a missing subscription, writing nothing", async () => {
      const unknownCustomer = fakeSubscription(fake, {
        customer: "cus_nobody",
        price: PRICE_MONTH,
        metadata: { user_id: randomUUID() },
      });
      expect(await syncSubscription(db, stripe, unknownCustomer.id)).toMatchObject({
        ok: false,
        error: "unknown_customer",
        message: expect.stringContaining("cus_nobody"),
      });
      expect(await row(unknownCustomer.id)).toBeNull();

      const { userId } = await member(false);
      const unknownTier = fakeSubscription(fake, {
        customer: "cus_unlinked",
        price: { id: "price_elsewhere" },
        metadata: { user_id: userId, tier_slug: "no-such-tier" },
      });
      expect(await syncSubscription(db, stripe, unknownTier.id)).toMatchObject({
        ok: false,
        error: "unknown_tier",
        message: expect.stringContaining("price_elsewhere"),
      });
      expect(await row(unknownTier.id)).toBeNull();
      // Not even the member's customer is recorded when the subscription is refused.
      expect(await customerOf(userId)).toBeNull();

      expect(await syncSubscription(db, stripe, "sub_missing")).toMatchObject({
        ok: false,
        error: "subscription_not_found",
      });
      expect(
        await db
          .select()
          .from(schema.subscriptions)
          .where(eq(schema.subscriptions.id, "sub_missing")),
      ).toEqual([]);
    });

    it("sets past_due_since when it goes past due, keeps it, and clears it otherwise", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const t1 = new Date("2026-05-01T00:00:00Z");
      const t2 = new Date("2026-05-04T00:00:00Z");
      setSubscriptionStatus(fake, sub.id, "past_due");
      await syncSubscription(db, stripe, sub.id, { now: t1 });
      expect((await row(sub.id))?.pastDueSince).toEqual(t1);
      await syncSubscription(db, stripe, sub.id, { now: t2 });
      expect((await row(sub.id))?.pastDueSince).toEqual(t1);
      setSubscriptionStatus(fake, sub.id, "unpaid");
      await syncSubscription(db, stripe, sub.id, { now: t2 });
      expect(await row(sub.id)).toMatchObject({ status: "unpaid", pastDueSince: null });
    });

    it("syncs every subscription of a customer, canceled ones too", async () => {
      const { customer } = await member();
      const first = fakeSubscription(fake, {
        customer,
        price: PRICE_MONTH,
        created: fake.now - 10,
      });
      const second = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      setSubscriptionStatus(fake, first.id, "canceled");
      fakeSubscription(fake, { customer: "cus_someone_else", price: PRICE_MONTH });
      const results = await syncCustomerSubscriptions(db, stripe, customer);
      expect(results.map((result) => result.subscriptionId).sort()).toEqual(
        [first.id, second.id].sort(),
      );
      expect((await row(first.id))?.status).toBe("canceled");
      expect((await row(second.id))?.status).toBe("active");
    });
  });
}
