import { randomBytes } from "node:crypto";
import { type Db, schema } from "@briefings/db/client";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripe } from "./client.ts";
import { reconcile } from "./reconcile.ts";
import { syncSubscription } from "./sync-subscription.ts";
import { FakeStripe } from "./testing/fake-stripe.ts";
import {
  fakeEvent,
  fakeInvoice,
  fakeSubscription,
  registerSubscriptionRoutes,
  setSubscriptionStatus,
} from "./testing/fake-stripe-subscriptions.ts";

const TIER = "reconcile-alliance";
const PRICE = "price_reconcile_month";
const DAY = 24 * 60 * 60;

for (const driver of testDrivers()) {
  describe(`reconcile (${driver})`, () => {
    let database: TestDatabase;
    let db: Db;
    let stripe: Stripe;
    const fake = registerSubscriptionRoutes(new FakeStripe());

    beforeAll(async () => {
      database = await openTestDatabase(driver);
      db = database.db;
      await db.insert(schema.tiers).values({
        slug: TIER,
        name: "Reconcile Alliance",
        rank: 2,
        description: "",
        audience: "",
        joinMethod: "application",
        paid: true,
        priceMonthly: 9_900,
        stripePriceMonthly: PRICE,
      });
      const url = await fake.start();
      stripe = createStripe({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_URL: url }) as Stripe;
    }, 60_000);
    afterAll(async () => {
      await fake.stop();
      await database?.dispose();
    });

    async function member() {
      const customer = `cus_${randomBytes(8).toString("hex")}`;
      await db.insert(schema.users).values({
        email: `r-${randomBytes(6).toString("hex")}@example.org`,
        passwordHash: "x",
        stripeCustomerId: customer,
      });
      return customer;
    }

    async function row(id: string) {
      const [found] = await db
        .select()
        .from(schema.subscriptions)
        .where(eq(schema.subscriptions.id, id));
      return found ?? null;
    }

    it("repairs the rows that drifted from Stripe, reports them, and leaves the rest", async () => {
      const customer = await member();
      const since = new Date(fake.now * 1000);

      // Old events, before `since`, are not read.
      fake.now -= 10 * DAY;
      const old = fakeSubscription(fake, { customer, price: PRICE });
      fakeEvent(fake, "customer.subscription.created", old);
      fake.now += 10 * DAY;

      const untouched = fakeSubscription(fake, { customer, price: PRICE });
      const changedBehindItsBack = fakeSubscription(fake, { customer, price: PRICE });
      const missedWebhook = fakeSubscription(fake, { customer, price: PRICE });
      const neverStored = fakeSubscription(fake, { customer, price: PRICE });
      for (const sub of [old, untouched, changedBehindItsBack, missedWebhook])
        expect(await syncSubscription(db, stripe, sub.id)).toMatchObject({ ok: true });

      // A row edited in the database behind billing's back.
      await db
        .update(schema.subscriptions)
        .set({ status: "canceled" })
        .where(eq(schema.subscriptions.id, changedBehindItsBack.id));
      // A renewal failed at Stripe, and its webhooks never arrived.
      const item = (missedWebhook.items as { data: Record<string, number>[] }).data[0];
      const renewedStart = Number(item?.current_period_end);
      const failed = setSubscriptionStatus(fake, missedWebhook.id, "past_due", {
        periodStart: renewedStart,
        periodEnd: renewedStart + 30 * DAY,
      });
      fakeEvent(fake, "invoice.payment_failed", fakeInvoice(fake, failed, "open"));
      // Enough events to need more than one page.
      for (let index = 0; index < 120; index += 1)
        fakeEvent(fake, "customer.updated", { id: customer, object: "customer" });

      const now = new Date("2026-06-01T00:00:00Z");
      const report = await reconcile(db, stripe, { since, now });
      expect(report.eventsRead).toBe(121);
      expect(report.subscriptionsChecked).toBe(5);
      expect(report.errors).toEqual([]);
      const byId = new Map(report.changed.map((change) => [change.subscriptionId, change]));
      expect([...byId.keys()].sort()).toEqual(
        [changedBehindItsBack.id, missedWebhook.id, neverStored.id].sort(),
      );
      expect(byId.get(changedBehindItsBack.id)).toMatchObject({
        before: { status: "canceled" },
        after: { status: "active" },
      });
      expect(byId.get(missedWebhook.id)).toMatchObject({
        before: { status: "active", currentPeriodEnd: new Date(renewedStart * 1000) },
        after: {
          status: "past_due",
          currentPeriodStart: new Date(renewedStart * 1000),
          currentPeriodEnd: new Date((renewedStart + 30 * DAY) * 1000),
          pastDueSince: now,
        },
      });
      expect(byId.get(neverStored.id)).toMatchObject({ before: null, after: { status: "active" } });

      expect((await row(changedBehindItsBack.id))?.status).toBe("active");
      expect(await row(missedWebhook.id)).toMatchObject({ status: "past_due", pastDueSince: now });
      expect((await row(neverStored.id))?.status).toBe("active");

      // Nothing left to repair.
      const again = await reconcile(db, stripe, { since, now: new Date("2026-06-02T00:00:00Z") });
      expect(again.changed).toEqual([]);
      expect((await row(missedWebhook.id))?.pastDueSince).toEqual(now);
    });

    it("reports the subscriptions it cannot store, without writing them", async () => {
      const since = new Date(fake.now * 1000);
      const stranger = fakeSubscription(fake, { customer: "cus_stranger", price: PRICE });
      const report = await reconcile(db, stripe, { since });
      expect(report.errors).toEqual([
        {
          subscriptionId: stranger.id,
          error: "unknown_customer",
          message: expect.stringContaining("cus_stranger"),
        },
      ]);
      expect(await row(stranger.id)).toBeNull();
    });
  });
}
