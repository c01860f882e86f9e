import { randomBytes } from "node:crypto";
import { type Db, schema } from "@briefings/db/client";
import { openTestDatabase, type TestDatabase, type TestDriver } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { createStripe } from "../client.ts";
import { FakeStripe } from "./fake-stripe.ts";
import { registerCheckoutRoutes } from "./fake-stripe-checkout.ts";
import { registerInvoiceRoutes } from "./fake-stripe-invoices.ts";
import { registerSubscriptionRoutes } from "./fake-stripe-subscriptions.ts";

export type PaidTier = Pick<
  typeof schema.tiers.$inferInsert,
  "slug" | "name" | "priceMonthly" | "priceYearly" | "stripePriceMonthly" | "stripePriceYearly"
>;

/** What a test of subscriptions works with; filled in before its first test runs. */
export type SubscriptionFixture = { db: Db; stripe: Stripe; fake: FakeStripe };

/**
 * For the `describe` block it is called in: a database of its own holding one paid tier,
 * and the fake Stripe API with its subscription, invoice and checkout endpoints, the real SDK pointed
 * at it.
 */
export function useSubscriptionFixture(driver: TestDriver, tier: PaidTier): SubscriptionFixture {
  const fixture = {
    fake: registerCheckoutRoutes(
      registerInvoiceRoutes(registerSubscriptionRoutes(new FakeStripe())),
    ),
  } as SubscriptionFixture;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    fixture.db = database.db;
    await fixture.db.insert(schema.tiers).values({
      rank: 2,
      description: "",
      audience: "",
      joinMethod: "application",
      paid: true,
      ...tier,
    });
    const url = await fixture.fake.start();
    fixture.stripe = createStripe({
      STRIPE_SECRET_KEY: "sk_test_fake",
      STRIPE_API_URL: url,
    }) as Stripe;
  }, 60_000);
  afterAll(async () => {
    await fixture.fake.stop();
    await database?.dispose();
  });
  return fixture;
}

/** A member, with a Stripe customer id of their own unless told otherwise. */
export async function insertMember(
  db: Db,
  options: { withCustomer?: boolean } = {},
): Promise<{ userId: string; customer: string }> {
  const customer = `cus_${randomBytes(8).toString("hex")}`;
  const [user] = await db
    .insert(schema.users)
    .values({
      email: `member-${randomBytes(6).toString("hex")}@example.org`,
      passwordHash: "x",
      stripeCustomerId: options.withCustomer === false ? null : customer,
    })
    .returning({ id: schema.users.id });
  if (!user) throw new Error("no user");
  return { userId: user.id, customer };
}

/** The stored row of a subscription, or null. */
export async function storedSubscription(db: Db, id: string) {
  const [found] = await db
    .select()
    .from(schema.subscriptions)
    .where(eq(schema.subscriptions.id, id));
  return found ?? null;
}
