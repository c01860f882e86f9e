import { type Db, schema } from "@briefings/db/client";
import { testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import type { StripeObject } from "./testing/fake-stripe.ts";
import { payInvoice } from "./testing/fake-stripe-invoices.ts";
import {
  countRequests,
  fakeEvent,
  fakeInvoice,
  fakeSubscription,
  setSubscriptionStatus,
  signedWebhook,
} from "./testing/fake-stripe-subscriptions.ts";
import {
  insertMember,
  storedSubscription,
  useSubscriptionFixture,
} from "./testing/subscription-fixture.ts";
import { handleStripeWebhook, type WebhookResponse } from "./webhook.ts";

const SECRET = "whsec_test_secret";
const TIER = "test-alliance";
const PRICE_MONTH = "price_alliance_month";
const PRICE_YEAR = "price_alliance_year";
const DAY = 24 * 60 * 60;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

for (const driver of testDrivers()) {
  describe(`the Stripe webhook (${driver})`, () => {
    const fixture = useSubscriptionFixture(driver, {
      slug: TIER,
      name: "Test Alliance",
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

    const deps = () => ({ db, stripe, webhookSecret: SECRET });

    /** A member with a Stripe customer of their own. */
    const member = (options: { withCustomer?: boolean } = {}) => insertMember(db, options);

    async function deliver(event: StripeObject, options: { now?: Date } = {}) {
      const { body, signature } = signedWebhook(event, SECRET);
      return handleStripeWebhook(
        { ...deps(), ...(options.now ? { now: () => options.now as Date } : {}) },
        body,
        signature,
      );
    }

    const row = (id: string) => storedSubscription(db, id);

    async function eventRows(id: string) {
      return db.select().from(schema.stripeEvents).where(eq(schema.stripeEvents.id, id));
    }

    function expectedFrom(subscription: StripeObject) {
      const item = (subscription.items as { data: Record<string, number>[] }).data[0];
      return {
        status: subscription.status,
        currentPeriodStart: new Date(Number(item?.current_period_start) * 1000),
        currentPeriodEnd: new Date(Number(item?.current_period_end) * 1000),
        cancelAtPeriodEnd: subscription.cancel_at_period_end,
        canceledAt: subscription.canceled_at
          ? new Date(Number(subscription.canceled_at) * 1000)
          : null,
      };
    }

    /** created (incomplete) → updated (active) → invoice.paid → deleted, as Stripe makes them. */
    async function lifecycle(customer: string) {
      const start = fake.now;
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH, status: "incomplete" });
      const created = fakeEvent(fake, "customer.subscription.created", sub);
      fake.now += 60;
      const active = setSubscriptionStatus(fake, sub.id, "active");
      const updated = fakeEvent(fake, "customer.subscription.updated", active);
      const paid = fakeEvent(fake, "invoice.paid", fakeInvoice(fake, active));
      fake.now += 3 * DAY;
      await stripe.subscriptions.cancel(sub.id);
      const deleted = fakeEvent(
        fake,
        "customer.subscription.deleted",
        fake.get(sub.id, "subscription"),
      );
      fake.now = start;
      return { id: sub.id, events: { created, updated, paid, deleted } };
    }

    it("ends in Stripe's final state whatever order the four events arrive in", async () => {
      const { customer } = await member();
      const orders = permutations(["created", "updated", "paid", "deleted"] as const);
      expect(orders).toHaveLength(24);
      for (const order of orders) {
        const { id, events } = await lifecycle(customer);
        for (const name of order) {
          const answer = await deliver(events[name]);
          expect(answer.status, `${order.join(" → ")}: ${name}`).toBe(200);
          expect(answer.body).toMatchObject({ outcome: "processed", subscriptionId: id });
        }
        const stored = await row(id);
        expect(stored, order.join(" → ")).toMatchObject({
          ...expectedFrom(fake.get(id, "subscription")),
          status: "canceled",
          tierSlug: TIER,
          interval: "month",
          priceId: PRICE_MONTH,
          amount: 9_900,
          currency: "usd",
          pastDueSince: null,
        });
        expect(stored?.canceledAt).not.toBeNull();
      }
    });

    it("ends in the renewed period whatever order created / updated / invoice.paid arrive in", async () => {
      const { customer } = await member();
      for (const order of permutations(["created", "updated", "paid"] as const)) {
        const sub = fakeSubscription(fake, {
          customer,
          price: { id: PRICE_YEAR, interval: "year", unitAmount: 99_000 },
          status: "incomplete",
        });
        const created = fakeEvent(fake, "customer.subscription.created", sub);
        const updated = fakeEvent(
          fake,
          "customer.subscription.updated",
          setSubscriptionStatus(fake, sub.id, "active"),
        );
        const item = (sub.items as { data: Record<string, number>[] }).data[0];
        const renewedStart = Number(item?.current_period_end);
        const renewed = setSubscriptionStatus(fake, sub.id, "active", {
          periodStart: renewedStart,
          periodEnd: renewedStart + 365 * DAY,
        });
        const paid = fakeEvent(fake, "invoice.paid", fakeInvoice(fake, renewed));
        const events = { created, updated, paid };
        for (const name of order) expect((await deliver(events[name])).status).toBe(200);
        expect(await row(sub.id), order.join(" → ")).toMatchObject({
          status: "active",
          interval: "year",
          amount: 99_000,
          currentPeriodStart: new Date(renewedStart * 1000),
          currentPeriodEnd: new Date((renewedStart + 365 * DAY) * 1000),
        });
      }
    });

    it("acts once on an event delivered twice", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const event = fakeEvent(fake, "customer.subscription.updated", sub);
      const path = `/v1/subscriptions/${sub.id}`;
      const first = await deliver(event);
      const second = await deliver(event);
      expect(first.body).toMatchObject({ outcome: "processed" });
      expect(second).toEqual({
        status: 200,
        body: { received: true, eventId: event.id, type: event.type, outcome: "duplicate" },
      });
      expect(countRequests(fake, "GET", path)).toBe(1);
      expect(await eventRows(event.id)).toHaveLength(1);
    });

    it("acts once on an event delivered twice at the same time", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const event = fakeEvent(fake, "invoice.paid", fakeInvoice(fake, sub));
      const answers = await Promise.all([deliver(event), deliver(event), deliver(event)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      const outcomes = answers.map((answer) => (answer.body as { outcome: string }).outcome).sort();
      expect(outcomes).toEqual(["duplicate", "duplicate", "processed"]);
      expect(countRequests(fake, "GET", `/v1/subscriptions/${sub.id}`)).toBe(1);
      expect(await eventRows(event.id)).toHaveLength(1);
      expect((await row(sub.id))?.status).toBe("active");
    });

    it("refuses a bad signature, an expired one, a tampered body and a missing header, writing nothing", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const event = fakeEvent(fake, "customer.subscription.created", sub);
      const before = fake.requests.length;

      const wrongSecret = signedWebhook(event, "whsec_someone_else");
      const bad = await handleStripeWebhook(deps(), wrongSecret.body, wrongSecret.signature);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ received: false });
      expect((bad.body as { error: string }).error).toMatch(/signature/i);

      const old = signedWebhook(event, SECRET, {
        timestamp: Math.floor(Date.now() / 1000) - 301,
      });
      const expired = await handleStripeWebhook(deps(), old.body, old.signature);
      expect(expired.status).toBe(400);
      expect((expired.body as { error: string }).error).toMatch(/tolerance/i);

      const good = signedWebhook(event, SECRET);
      const tampered = await handleStripeWebhook(
        deps(),
        good.body.replace(sub.id, "sub_other"),
        good.signature,
      );
      expect(tampered.status).toBe(400);

      const missing = await handleStripeWebhook(deps(), good.body, null);
      expect(missing.status).toBe(400);
      expect((missing.body as { error: string }).error).toMatch(/Stripe-Signature/);

      expect(await eventRows(event.id)).toHaveLength(0);
      expect(await row(sub.id)).toBeNull();
      expect(fake.requests.length).toBe(before);

      // A delivery 299 s old is still inside the tolerance.
      const recent = signedWebhook(event, SECRET, {
        timestamp: Math.floor(Date.now() / 1000) - 299,
      });
      expect((await handleStripeWebhook(deps(), recent.body, recent.signature)).status).toBe(200);
    });

    it("takes the invoice's subscription from parent.subscription_details and from the older top-level field", async () => {
      const { customer } = await member();
      const modern = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const invoice = fakeInvoice(fake, modern);
      expect(await deliver(fakeEvent(fake, "invoice.paid", invoice))).toMatchObject({
        body: { outcome: "processed", subscriptionId: modern.id },
      });
      const legacy = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const { parent: _parent, ...older } = fakeInvoice(fake, legacy);
      expect(
        await deliver(fakeEvent(fake, "invoice.paid", { ...older, subscription: legacy.id })),
      ).toMatchObject({ body: { outcome: "processed", subscriptionId: legacy.id } });
      expect((await row(modern.id))?.status).toBe("active");
      expect((await row(legacy.id))?.status).toBe("active");
    });

    it("records the member's customer from a completed checkout, then syncs its subscription", async () => {
      const { userId, customer } = await member({ withCustomer: false });
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const session = fake.save({
        id: fake.newId("cs"),
        object: "checkout.session",
        mode: "subscription",
        status: "complete",
        customer,
        subscription: sub.id,
        client_reference_id: userId,
        metadata: { user_id: userId, tier_slug: TIER },
      });
      const answer = await deliver(fakeEvent(fake, "checkout.session.completed", session));
      expect(answer.body).toMatchObject({ outcome: "processed", subscriptionId: sub.id });
      const [user] = await db
        .select({ stripeCustomerId: schema.users.stripeCustomerId })
        .from(schema.users)
        .where(eq(schema.users.id, userId));
      expect(user?.stripeCustomerId).toBe(customer);
      expect(await row(sub.id)).toMatchObject({ userId, status: "active", tierSlug: TIER });
    });

    it("does not tie a customer to a member on a client reference alone (a payment link's can be set by anyone)", async () => {
      const { userId } = await member({ withCustomer: false });
      const strangers = fake.save({ id: fake.newId("cus"), object: "customer", created: fake.now });
      const session = fake.save({
        id: fake.newId("cs"),
        object: "checkout.session",
        mode: "payment",
        status: "complete",
        customer: strangers.id,
        subscription: null,
        client_reference_id: userId,
        metadata: {},
      });
      await deliver(fakeEvent(fake, "checkout.session.completed", session));
      const [user] = await db
        .select({ stripeCustomerId: schema.users.stripeCustomerId })
        .from(schema.users)
        .where(eq(schema.users.id, userId));
      expect(user?.stripeCustomerId).toBeNull();
    });

    it("keeps past_due_since from the first failure, across repeated failures, and clears it when paid", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      await deliver(fakeEvent(fake, "customer.subscription.created", sub));
      expect((await row(sub.id))?.pastDueSince).toBeNull();

      const firstFailure = new Date("2026-03-01T10:00:00Z");
      const pastDue = setSubscriptionStatus(fake, sub.id, "past_due");
      await deliver(fakeEvent(fake, "invoice.payment_failed", fakeInvoice(fake, pastDue, "open")), {
        now: firstFailure,
      });
      expect(await row(sub.id)).toMatchObject({ status: "past_due", pastDueSince: firstFailure });

      for (const day of [3, 5]) {
        const later = new Date(firstFailure.getTime() + day * DAY * 1000);
        const answer = await deliver(
          fakeEvent(fake, "invoice.payment_failed", fakeInvoice(fake, pastDue, "open")),
          { now: later },
        );
        expect(answer.body).toMatchObject({ outcome: "processed" });
        await deliver(fakeEvent(fake, "customer.subscription.updated", pastDue), { now: later });
        expect((await row(sub.id))?.pastDueSince).toEqual(firstFailure);
      }

      const paid = setSubscriptionStatus(fake, sub.id, "active");
      await deliver(fakeEvent(fake, "invoice.paid", fakeInvoice(fake, paid)));
      expect(await row(sub.id)).toMatchObject({ status: "active", pastDueSince: null });

      // A new run of failures starts a new grace period.
      const secondRun = new Date("2026-04-01T10:00:00Z");
      const again = setSubscriptionStatus(fake, sub.id, "past_due");
      await deliver(fakeEvent(fake, "invoice.payment_failed", fakeInvoice(fake, again, "open")), {
        now: secondRun,
      });
      expect((await row(sub.id))?.pastDueSince).toEqual(secondRun);
    });

    it("keeps the member's receipts as Stripe has them now, whatever the order of invoice events", async () => {
      const { userId, customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      await deliver(fakeEvent(fake, "customer.subscription.created", sub));
      const storedInvoice = async (id: string) =>
        (await db.select().from(schema.invoices).where(eq(schema.invoices.id, id)))[0] ?? null;

      // A renewal fails, then the retry pays it.
      const pastDue = setSubscriptionStatus(fake, sub.id, "past_due");
      const failing = fakeInvoice(fake, pastDue, "open");
      const failed = fakeEvent(fake, "invoice.payment_failed", failing);
      await deliver(failed);
      expect(await storedInvoice(failing.id)).toMatchObject({
        userId,
        subscriptionId: sub.id,
        status: "open",
        amountDue: 9_900,
        amountPaid: 0,
        attemptCount: 1,
        paidAt: null,
      });
      setSubscriptionStatus(fake, sub.id, "active");
      const paidInvoice = payInvoice(fake, failing.id);
      const paid = fakeEvent(fake, "invoice.paid", paidInvoice);
      await deliver(paid);
      const receipt = await storedInvoice(failing.id);
      expect(receipt).toMatchObject({ status: "paid", amountPaid: 9_900, attemptCount: 2 });
      expect(receipt?.paidAt).toBeInstanceOf(Date);
      expect(receipt?.hostedInvoiceUrl).toBe(paidInvoice.hosted_invoice_url);

      // The failure's event, delivered again late (a new event id, as Stripe's retry of a
      // lost delivery would be for a resend): the invoice is refetched, so it stays paid.
      const late = fakeEvent(fake, "invoice.payment_failed", failing);
      expect((await deliver(late)).body).toMatchObject({ outcome: "processed" });
      expect(await storedInvoice(failing.id)).toMatchObject({ status: "paid", attemptCount: 2 });
      expect(await row(sub.id)).toMatchObject({ status: "active" });
    });

    it("records an unknown customer's event without storing a subscription", async () => {
      const sub = fakeSubscription(fake, { customer: "cus_nobody", price: PRICE_MONTH });
      const event = fakeEvent(fake, "customer.subscription.created", sub);
      const answer: WebhookResponse = await deliver(event);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ outcome: "rejected" });
      expect((answer.body as { message: string }).message).toMatch(/cus_nobody/);
      expect(await row(sub.id)).toBeNull();
    });

    it("records other event types without acting on them", async () => {
      const before = fake.requests.length;
      const event = fakeEvent(fake, "customer.updated", {
        id: "cus_x",
        object: "customer",
      });
      expect((await deliver(event)).body).toMatchObject({ outcome: "ignored" });
      expect(await eventRows(event.id)).toHaveLength(1);
      expect(fake.requests.length).toBe(before);
    });

    it("answers 500 and keeps nothing, not even the event, when Stripe cannot be reached", async () => {
      const { customer } = await member();
      const sub = fakeSubscription(fake, { customer, price: PRICE_MONTH });
      const event = fakeEvent(fake, "customer.subscription.updated", sub);
      const unreachable = new Stripe("sk_test_fake", {
        host: "127.0.0.1",
        port: 9,
        protocol: "http",
        maxNetworkRetries: 0,
      });
      const { body, signature } = signedWebhook(event, SECRET);
      const failed = await handleStripeWebhook(
        { db, stripe: unreachable, webhookSecret: SECRET },
        body,
        signature,
      );
      expect(failed.status).toBe(500);
      expect(await eventRows(event.id)).toHaveLength(0);
      expect(await row(sub.id)).toBeNull();
      // Stripe's retry is then acted on.
      expect((await handleStripeWebhook(deps(), body, signature)).body).toMatchObject({
        outcome: "processed",
      });
      expect(await eventRows(event.id)).toHaveLength(1);
    });
  });
}
