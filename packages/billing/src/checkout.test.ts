import { randomUUID } from "node:crypto";
import type { Db } from "@briefings/db/client";
import { applications, subscriptions, tiers, users } from "@briefings/db/schema";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutSession } from "./checkout.ts";
import { createStripe } from "./client.ts";
import { createPortalSession } from "./portal-session.ts";
import { ensureStripePrices } from "./prices.ts";
import { FakeStripe, type StripeObject } from "./testing/fake-stripe.ts";
import { registerCheckoutRoutes } from "./testing/fake-stripe-checkout.ts";

const APP_URL = "https://portal.example.org";
const TIER = "alliance";

/** The customer and subscription-list endpoints checkout needs, kept minimal here. */
function registerCustomerRoutes(fake: FakeStripe) {
  fake.route("POST", "/v1/customers", (request, s) =>
    s.save({
      id: s.newId("cus"),
      object: "customer",
      created: s.now,
      email: request.body.email ?? null,
      metadata: (request.body.metadata as Record<string, string>) ?? {},
    }),
  );
  fake.route("GET", "/v1/customers/:id", (request, s) =>
    s.get(request.params.id ?? "", "customer"),
  );
  fake.route("GET", "/v1/subscriptions", (request, s) =>
    s.list(
      "subscription",
      request.body,
      (sub) =>
        sub.customer === request.body.customer &&
        (request.body.status === "all" ||
          sub.status === (request.body.status ?? sub.status) ||
          (request.body.status === undefined && sub.status !== "canceled")),
    ),
  );
  return fake;
}

describe.each(testDrivers())("checkout and portal sessions on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  const fake = registerCustomerRoutes(registerCheckoutRoutes(new FakeStripe()));
  let stripe: Stripe;
  const context = () => ({ db, stripe, appUrl: `${APP_URL}/` });

  async function member(): Promise<string> {
    const [row] = await db
      .insert(users)
      .values({ email: `m-${randomUUID()}@example.org`, passwordHash: "x" })
      .returning({ id: users.id });
    if (!row) throw new Error("no user");
    return row.id;
  }

  async function apply(
    userId: string,
    status: "pending" | "needs-info" | "approved" | "rejected",
    submittedAt = new Date(),
    tierSlug = TIER,
  ) {
    await db.insert(applications).values({
      userId,
      tierSlug,
      status,
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS64500"], prefixes: [], handles: [] },
      statement: "We hold address space.",
      submittedAt,
    });
  }

  async function approvedMember(tierSlug = TIER): Promise<string> {
    const id = await member();
    await apply(id, "approved", new Date(), tierSlug);
    return id;
  }

  async function customerOf(userId: string): Promise<string | null> {
    const [row] = await db
      .select({ customerId: users.stripeCustomerId })
      .from(users)
      .where(eq(users.id, userId));
    return row?.customerId ?? null;
  }

  async function tierRow(slug = TIER) {
    const [row] = await db.select().from(tiers).where(eq(tiers.slug, slug));
    if (!row) throw new Error("no tier");
    return row;
  }

  const sessionsOf = (customer: string | null) =>
    fake.all("checkout.session").filter((s) => s.customer === customer);

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    const base = { description: "d", audience: "a", joinMethod: "application" as const };
    await db.insert(tiers).values([
      { ...base, slug: "circle", name: "Circle", rank: 1, joinMethod: "open" },
      {
        ...base,
        slug: TIER,
        name: "Alliance",
        rank: 2,
        paid: true,
        priceMonthly: 9900,
        priceYearly: 99000,
      },
      // Paid, priced in the database, but `prices` has not run for it.
      { ...base, slug: "board", name: "Board", rank: 3, paid: true, priceMonthly: 50000 },
    ]);
    stripe = createStripe({
      STRIPE_SECRET_KEY: "sk_test_fake",
      STRIPE_API_URL: await fake.start(),
    }) as Stripe;
    await ensureStripePrices(db, stripe);
    // Only the alliance is set up for payment.
    await db
      .update(tiers)
      .set({ stripeProductId: null, stripePriceMonthly: null, stripePriceYearly: null })
      .where(eq(tiers.slug, "board"));
  });
  afterAll(async () => {
    await fake.stop();
    await database?.dispose();
  });

  describe("refusals", () => {
    it("refuses a member without an approved latest application, and touches nothing at Stripe", async () => {
      const none = await member();
      const pending = await member();
      await apply(pending, "pending");
      const needsInfo = await member();
      await apply(needsInfo, "needs-info");
      const rejected = await member();
      await apply(rejected, "rejected");
      const approvedThenRejected = await member();
      await apply(approvedThenRejected, "approved", new Date("2025-01-01T00:00:00Z"));
      await apply(approvedThenRejected, "rejected", new Date("2025-02-01T00:00:00Z"));
      const requestsBefore = fake.requests.length;
      for (const userId of [none, pending, needsInfo, rejected, approvedThenRejected]) {
        const result = await createCheckoutSession(context(), {
          userId,
          tierSlug: TIER,
          interval: "month",
        });
        expect(result).toMatchObject({ ok: false, status: 403 });
        expect(await customerOf(userId)).toBeNull();
      }
      expect(fake.requests.length).toBe(requestsBefore);
    });

    it("lets the latest application decide: rejected, then approved on a new application", async () => {
      const userId = await member();
      await apply(userId, "rejected", new Date("2025-01-01T00:00:00Z"));
      await apply(userId, "approved", new Date("2025-03-01T00:00:00Z"));
      const result = await createCheckoutSession(context(), {
        userId,
        tierSlug: TIER,
        interval: "month",
      });
      expect(result.ok).toBe(true);
    });

    it("says payment is not set up for a tier without a Stripe price, or without Stripe", async () => {
      const userId = await approvedMember("board");
      const requestsBefore = fake.requests.length;
      expect(
        await createCheckoutSession(context(), { userId, tierSlug: "board", interval: "month" }),
      ).toEqual({
        ok: false,
        status: 503,
        message: expect.stringMatching(/payment is not set up/),
      });
      const allianceMember = await approvedMember();
      expect(
        await createCheckoutSession(
          { ...context(), stripe: null },
          { userId: allianceMember, tierSlug: TIER, interval: "year" },
        ),
      ).toMatchObject({ ok: false, status: 503 });
      expect(fake.requests.length).toBe(requestsBefore);
    });

    it("refuses unknown and free tiers", async () => {
      const userId = await approvedMember();
      expect(
        await createCheckoutSession(context(), { userId, tierSlug: "nope", interval: "month" }),
      ).toMatchObject({ ok: false, status: 404 });
      expect(
        await createCheckoutSession(context(), { userId, tierSlug: "circle", interval: "month" }),
      ).toMatchObject({ ok: false, status: 400 });
    });

    it("refuses a member whose subscription to the tier is recorded as active, trialing or past due", async () => {
      const alliance = await tierRow();
      for (const status of ["active", "trialing", "past_due"] as const) {
        const userId = await approvedMember();
        await db.insert(subscriptions).values({
          id: `sub_${randomUUID()}`,
          userId,
          tierSlug: TIER,
          status,
          interval: "month",
          priceId: alliance.stripePriceMonthly ?? "",
          currentPeriodStart: new Date(),
          currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000),
          amount: 9900,
          currency: "usd",
          createdAt: new Date(),
        });
        const result = await createCheckoutSession(context(), {
          userId,
          tierSlug: TIER,
          interval: "year",
        });
        expect(result).toEqual({
          ok: false,
          status: 409,
          message: "already subscribed to Alliance",
        });
        expect(await customerOf(userId)).toBeNull();
      }
    });

    it("refuses a member whose subscription waits on a payment or is paused", async () => {
      const alliance = await tierRow();
      for (const status of ["incomplete", "unpaid", "paused"] as const) {
        const userId = await approvedMember();
        await db.insert(subscriptions).values({
          id: `sub_${randomUUID()}`,
          userId,
          tierSlug: TIER,
          status,
          interval: "month",
          priceId: alliance.stripePriceMonthly ?? "",
          currentPeriodStart: new Date(),
          currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000),
          amount: 9900,
          currency: "usd",
          createdAt: new Date(),
        });
        expect(
          await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "year" }),
        ).toEqual({
          ok: false,
          status: 409,
          message:
            "your Alliance subscription is waiting on a payment: finish or cancel it from your account first",
        });
      }
    });

    it("lets a member whose subscription was canceled subscribe again", async () => {
      const alliance = await tierRow();
      const userId = await approvedMember();
      await db.insert(subscriptions).values({
        id: `sub_${randomUUID()}`,
        userId,
        tierSlug: TIER,
        status: "canceled",
        interval: "month",
        priceId: alliance.stripePriceMonthly ?? "",
        currentPeriodStart: new Date(Date.now() - 60 * 86_400_000),
        currentPeriodEnd: new Date(Date.now() - 30 * 86_400_000),
        canceledAt: new Date(Date.now() - 30 * 86_400_000),
        amount: 9900,
        currency: "usd",
        createdAt: new Date(Date.now() - 60 * 86_400_000),
      });
      const result = await createCheckoutSession(context(), {
        userId,
        tierSlug: TIER,
        interval: "month",
      });
      expect(result.ok).toBe(true);
    });

    it("refuses a member whose subscription exists only at Stripe (its webhook not landed yet)", async () => {
      const alliance = await tierRow();
      const price = fake.get(alliance.stripePriceYearly ?? "", "price");
      const subscriptionAtStripe = (customer: string, fields: Partial<StripeObject>) =>
        fake.save({
          id: fake.newId("sub"),
          object: "subscription",
          created: fake.now,
          customer,
          status: "active",
          metadata: {},
          items: {
            object: "list",
            data: [{ id: fake.newId("si"), object: "subscription_item", price }],
          },
          ...fields,
        });

      // Known by its metadata, and (another member) only by its price's product.
      for (const fields of [{ metadata: { tier_slug: TIER, user_id: "x" } }, {}]) {
        const userId = await approvedMember();
        // A first checkout makes the customer; the member pays; the webhook is late.
        const first = await createCheckoutSession(context(), {
          userId,
          tierSlug: TIER,
          interval: "year",
        });
        expect(first.ok).toBe(true);
        const customer = (await customerOf(userId)) as string;
        subscriptionAtStripe(customer, fields);
        const sessionsBefore = sessionsOf(customer).length;
        expect(
          await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "month" }),
        ).toMatchObject({ ok: false, status: 409 });
        expect(sessionsOf(customer)).toHaveLength(sessionsBefore);
      }

      // An incomplete_expired or canceled one at Stripe does not stand in the way.
      const userId = await approvedMember();
      await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "year" });
      const customer = (await customerOf(userId)) as string;
      subscriptionAtStripe(customer, { status: "canceled", metadata: { tier_slug: TIER } });
      subscriptionAtStripe(customer, { status: "incomplete_expired" });
      expect(
        (await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "month" })).ok,
      ).toBe(true);
    });
  });

  describe("the session", () => {
    it("sells the tier's price for the interval to the member's customer, in subscription mode, with the metadata and URLs", async () => {
      const alliance = await tierRow();
      for (const [interval, priceId] of [
        ["month", alliance.stripePriceMonthly],
        ["year", alliance.stripePriceYearly],
      ] as const) {
        const userId = await approvedMember();
        const result = await createCheckoutSession(context(), { userId, tierSlug: TIER, interval });
        if (!result.ok) throw new Error(result.message);
        const customerId = await customerOf(userId);
        expect(customerId).toMatch(/^cus_/);
        expect(fake.get(customerId ?? "", "customer")).toMatchObject({
          metadata: { user_id: userId },
          email: expect.stringMatching(/^m-.*@example\.org$/),
        });
        const [session] = sessionsOf(customerId);
        expect(session).toMatchObject({
          url: result.url,
          mode: "subscription",
          customer: customerId,
          client_reference_id: userId,
          metadata: { user_id: userId, tier_slug: TIER },
          fake_subscription_data: { metadata: { user_id: userId, tier_slug: TIER } },
          fake_line_items: [{ price: priceId, quantity: 1 }],
          success_url: `${APP_URL}/membership/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${APP_URL}/membership?checkout-canceled=1#${TIER}`,
        });
      }
    });

    it("reuses the member's customer on a later checkout", async () => {
      const userId = await approvedMember();
      const at = new Date("2025-05-01T10:00:00Z");
      await createCheckoutSession(
        { ...context(), now: () => at },
        {
          userId,
          tierSlug: TIER,
          interval: "month",
        },
      );
      const customerId = await customerOf(userId);
      const customersBefore = fake.all("customer").length;
      const later = new Date(at.getTime() + 60 * 60 * 1000);
      await createCheckoutSession(
        { ...context(), now: () => later },
        {
          userId,
          tierSlug: TIER,
          interval: "month",
        },
      );
      expect(fake.all("customer")).toHaveLength(customersBefore);
      expect(await customerOf(userId)).toBe(customerId);
      // An hour apart: a new session (the first one's window has passed).
      expect(sessionsOf(customerId)).toHaveLength(2);
    });

    it("answers a double click or a second tab with the same session", async () => {
      const userId = await approvedMember();
      const customersBefore = fake.all("customer").length;
      const input = { userId, tierSlug: TIER, interval: "month" } as const;
      const [a, b] = await Promise.all([
        createCheckoutSession(context(), input),
        createCheckoutSession(context(), input),
      ]);
      if (!a.ok || !b.ok) throw new Error("refused");
      expect(a.url).toBe(b.url);
      const customerId = await customerOf(userId);
      expect(sessionsOf(customerId)).toHaveLength(1);
      expect(fake.all("customer")).toHaveLength(customersBefore + 1);
      // And a third click a few minutes later, in the same window.
      const c = await createCheckoutSession(context(), input);
      expect(c).toEqual(a);
      expect(sessionsOf(customerId)).toHaveLength(1);
    });

    it("makes the customer once when two checkouts race (monthly in one tab, yearly in another)", async () => {
      const userId = await approvedMember();
      const customersBefore = fake.all("customer").length;
      const [a, b] = await Promise.all([
        createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "month" }),
        createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "year" }),
      ]);
      expect(a.ok && b.ok).toBe(true);
      expect(fake.all("customer")).toHaveLength(customersBefore + 1);
      const customerId = await customerOf(userId);
      expect(fake.get(customerId ?? "", "customer")).toMatchObject({
        metadata: { user_id: userId },
      });
      const sessions = sessionsOf(customerId);
      expect(sessions).toHaveLength(2);
      expect(new Set(sessions.map((s) => s.customer))).toEqual(new Set([customerId]));
      // Never two payable at once (both may be expired by the race: a click starts again).
      expect(sessions.filter((s) => s.status === "open").length).toBeLessThanOrEqual(1);
    });

    it("keeps one payable checkout per member and tier: a new one expires the older", async () => {
      const userId = await approvedMember();
      const at = new Date("2025-06-01T10:00:00Z");
      const monthly = await createCheckoutSession(
        { ...context(), now: () => at },
        { userId, tierSlug: TIER, interval: "month" },
      );
      const yearly = await createCheckoutSession(
        { ...context(), now: () => at },
        { userId, tierSlug: TIER, interval: "year" },
      );
      if (!monthly.ok || !yearly.ok) throw new Error("refused");
      const byUrl = (url: string) =>
        fake.all("checkout.session").find((session) => session.url === url);
      expect(byUrl(monthly.url)?.status).toBe("expired");
      expect(byUrl(yearly.url)).toMatchObject({
        status: "open",
        // Payable for 30 minutes after the 10-minute window it was made in.
        expires_at: Date.parse("2025-06-01T10:40:00Z") / 1000,
      });
    });

    it("answers a Stripe failure as a 502, not a throw", async () => {
      const userId = await approvedMember();
      await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "month" });
      // The stored customer was deleted at Stripe: the session is refused there.
      const customerId = (await customerOf(userId)) as string;
      fake.objects.delete(customerId);
      const result = await createCheckoutSession(
        { ...context(), now: () => new Date(Date.now() + 3600_000) },
        { userId, tierSlug: TIER, interval: "month" },
      );
      expect(result).toMatchObject({ ok: false, status: 502 });
    });
  });

  describe("portal session", () => {
    it("opens the customer portal of a member with a Stripe customer, returning to their account", async () => {
      const userId = await approvedMember();
      await createCheckoutSession(context(), { userId, tierSlug: TIER, interval: "year" });
      const customerId = await customerOf(userId);
      const result = await createPortalSession(context(), userId);
      if (!result.ok) throw new Error(result.message);
      const [portal] = fake.all("billing_portal.session").filter((s) => s.customer === customerId);
      expect(portal).toMatchObject({
        url: result.url,
        customer: customerId,
        return_url: `${APP_URL}/account`,
      });
    });

    it("refuses a member without a Stripe customer, without asking Stripe", async () => {
      const userId = await approvedMember();
      const requestsBefore = fake.requests.length;
      expect(await createPortalSession(context(), userId)).toMatchObject({
        ok: false,
        status: 404,
      });
      expect(await createPortalSession(context(), randomUUID())).toMatchObject({
        ok: false,
        status: 404,
      });
      expect(fake.requests.length).toBe(requestsBefore);
    });
  });
});
