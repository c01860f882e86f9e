import { type Db, schema } from "@briefings/db/client";
import { testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "./reconcile.ts";
import { syncSubscription } from "./sync-subscription.ts";
import {
  fakeEvent,
  fakeInvoice,
  fakeSubscription,
  setSubscriptionStatus,
} from "./testing/fake-stripe-subscriptions.ts";
import {
  insertMember,
  storedSubscription,
  useSubscriptionFixture,
} from "./testing/subscription-fixture.ts";

const TIER = "reconcile-alliance";
const PRICE = "price_reconcile_month";
const DAY = 24 * 60 * 60;

for (const driver of testDrivers()) {
  describe(`reconcile (${driver})`, () => {
    const fixture = useSubscriptionFixture(driver, {
      slug: TIER,
      name: "Reconcile Alliance",
      priceMonthly: 9_900,
      stripePriceMonthly: PRICE,
    });
    const fake = fixture.fake;
    let db: Db;
    let stripe: Stripe;
    beforeAll(() => {
      ({ db, stripe } = fixture);
    });

    const member = async () => (await insertMember(db)).customer;

    const row = (id: string) => storedSubscription(db, id);

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
      const missedInvoice = fakeInvoice(fake, failed, "open");
      fakeEvent(fake, "invoice.payment_failed", missedInvoice);
      // Enough events to need more than one page.
      for (let index = 0; index < 120; index += 1)
        fakeEvent(fake, "customer.updated", { id: customer, object: "customer" });

      const now = new Date("2026-06-01T00:00:00Z");
      const report = await reconcile(db, stripe, { since, now });
      expect(report.eventsRead).toBe(121);
      expect(report.subscriptionsChecked).toBe(5);
      // The failed renewal's invoice, which no webhook brought, is stored too.
      expect(report.invoicesSynced).toBe(1);
      const [invoiceRow] = await db
        .select()
        .from(schema.invoices)
        .where(eq(schema.invoices.id, missedInvoice.id));
      expect(invoiceRow).toMatchObject({ status: "open", subscriptionId: missedWebhook.id });
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
