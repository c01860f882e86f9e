import { schema } from "@briefings/db/client";
import { testDrivers } from "@briefings/db/testing";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { cancelSubscriptionsOfMember } from "./cancel.ts";
import { monthlyAmount, syncSubscription } from "./sync-subscription.ts";
import { fakeSubscription, setSubscriptionStatus } from "./testing/fake-stripe-subscriptions.ts";
import {
  insertMember,
  storedSubscription,
  useSubscriptionFixture,
} from "./testing/subscription-fixture.ts";

const TIER = "cancel-alliance";
const PRICE_MONTH = "price_cancel_month";
const PRICE_YEAR = "price_cancel_year";

for (const driver of testDrivers()) {
  describe(`subscription history and cancellation (${driver})`, () => {
    const fixture = useSubscriptionFixture(driver, {
      slug: TIER,
      name: "Cancel Alliance",
      priceMonthly: 4_900,
      priceYearly: 49_000,
      stripePriceMonthly: PRICE_MONTH,
      stripePriceYearly: PRICE_YEAR,
    });

    const changesOf = (subscriptionId: string) =>
      fixture.db
        .select()
        .from(schema.subscriptionChanges)
        .where(eq(schema.subscriptionChanges.subscriptionId, subscriptionId))
        .orderBy(asc(schema.subscriptionChanges.id));

    it("records a change when status, price or cancellation changes, never on a repeat sync", async () => {
      const { db, stripe, fake } = fixture;
      const { customer } = await insertMember(db);
      const sub = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_YEAR, interval: "year", unitAmount: 49_000 },
      });
      await syncSubscription(db, stripe, sub.id);
      await syncSubscription(db, stripe, sub.id);
      expect(await changesOf(sub.id)).toMatchObject([
        { status: "active", monthlyAmount: 4_083, currency: "usd", cancelAtPeriodEnd: false },
      ]);
      setSubscriptionStatus(fake, sub.id, "active", { cancelAtPeriodEnd: true });
      await syncSubscription(db, stripe, sub.id);
      setSubscriptionStatus(fake, sub.id, "past_due");
      await syncSubscription(db, stripe, sub.id);
      await syncSubscription(db, stripe, sub.id);
      setSubscriptionStatus(fake, sub.id, "canceled");
      await syncSubscription(db, stripe, sub.id);
      const changes = await changesOf(sub.id);
      expect(changes.map((c) => [c.status, c.cancelAtPeriodEnd])).toEqual([
        ["active", false],
        ["active", true],
        ["past_due", true],
        ["canceled", true],
      ]);
      expect(new Set(changes.map((c) => c.tierSlug))).toEqual(new Set([TIER]));
    });

    it("spreads a yearly price over twelve months, rounded", () => {
      expect(monthlyAmount(49_000, "year")).toBe(4_083);
      expect(monthlyAmount(4_900, "month")).toBe(4_900);
      expect(monthlyAmount(99_006, "year")).toBe(8_251);
    });

    it("cancels, before deletion, what we hold and what only Stripe knows of", async () => {
      const { db, stripe, fake } = fixture;
      const { userId, customer } = await insertMember(db);
      const stored = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_MONTH, interval: "month", unitAmount: 4_900 },
      });
      await syncSubscription(db, stripe, stored.id);
      // The webhook of this one has not landed: only Stripe has it.
      const unseen = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_YEAR, interval: "year", unitAmount: 49_000 },
      });
      // Already over: left alone.
      const over = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_MONTH, interval: "month", unitAmount: 4_900 },
        status: "canceled",
      });
      // A checkout left open, which could otherwise be paid after the account is gone.
      const open = fake.save({
        id: fake.newId("cs_test"),
        object: "checkout.session",
        status: "open",
        customer,
        metadata: { tier_slug: TIER },
        created: fake.now,
      });
      const result = await cancelSubscriptionsOfMember(db, stripe, userId);
      expect(result.ok && [...result.canceled].sort()).toEqual([stored.id, unseen.id].sort());
      expect(fake.get(open.id, "checkout.session").status).toBe("expired");
      // Recorded as ended before the account goes, so revenue history shows the end.
      expect((await storedSubscription(db, stored.id))?.status).toBe("canceled");
      expect((await changesOf(stored.id)).map((c) => c.status)).toEqual(["active", "canceled"]);
      expect(fake.get(stored.id, "subscription").status).toBe("canceled");
      expect(fake.get(unseen.id, "subscription").status).toBe("canceled");
      expect(fake.get(over.id, "subscription").canceled_at).toBe(over.canceled_at);
      // Asked again (a retried deletion): nothing left to cancel.
      expect(await cancelSubscriptionsOfMember(db, stripe, userId)).toEqual({
        ok: true,
        canceled: [],
      });
    });

    it("has nothing to do for a member who never paid, with or without Stripe", async () => {
      const { db, stripe } = fixture;
      const { userId } = await insertMember(db, { withCustomer: false });
      expect(await cancelSubscriptionsOfMember(db, stripe, userId)).toEqual({
        ok: true,
        canceled: [],
      });
      expect(await cancelSubscriptionsOfMember(db, null, userId)).toEqual({
        ok: true,
        canceled: [],
      });
    });

    it("refuses, rather than leave a card charged, when Stripe is not there", {
      timeout: 30_000,
    }, async () => {
      const { db, stripe, fake } = fixture;
      const { userId, customer } = await insertMember(db);
      const sub = fakeSubscription(fake, {
        customer,
        price: { id: PRICE_MONTH, interval: "month", unitAmount: 4_900 },
      });
      await syncSubscription(db, stripe, sub.id);
      const withoutKeys = await cancelSubscriptionsOfMember(db, null, userId);
      expect(withoutKeys.ok).toBe(false);
      expect(!withoutKeys.ok && withoutKeys.message).toMatch(/not deleted/);
      // Stripe unreachable (the last test of the block: the fake stays down).
      await fake.stop();
      const unreachable = await cancelSubscriptionsOfMember(db, stripe, userId);
      expect(unreachable.ok).toBe(false);
      expect(!unreachable.ok && unreachable.message).toMatch(/try again/);
      expect((await storedSubscription(db, sub.id))?.status).toBe("active");
    });
  });
}
