import type { Db } from "@briefings/db/client";
import { tiers } from "@briefings/db/schema";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripe } from "./client.ts";
import { ensureStripePrices } from "./prices.ts";
import { FakeStripe } from "./testing/fake-stripe.ts";
import { registerCheckoutRoutes } from "./testing/fake-stripe-checkout.ts";

const posts = (fake: FakeStripe, path: string) =>
  fake.requests.filter((r) => r.method === "POST" && r.path === path).length;

async function tier(db: Db, slug: string) {
  const [row] = await db.select().from(tiers).where(eq(tiers.slug, slug));
  if (!row) throw new Error(`no tier ${slug}`);
  return row;
}

describe.each(testDrivers())("ensureStripePrices on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  const fake = registerCheckoutRoutes(new FakeStripe());
  let stripe: Stripe;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    const base = {
      description: "d",
      audience: "a",
      joinMethod: "application" as const,
      currency: "eur",
    };
    await db.insert(tiers).values([
      { ...base, slug: "circle", name: "Circle", rank: 1, joinMethod: "open", paid: false },
      {
        ...base,
        slug: "alliance",
        name: "Alliance",
        rank: 2,
        paid: true,
        priceMonthly: 9900,
        priceYearly: 99000,
      },
      {
        ...base,
        slug: "monthly-only",
        name: "Monthly only",
        rank: 3,
        paid: true,
        priceMonthly: 500,
      },
      { ...base, slug: "unpriced", name: "Unpriced", rank: 4, paid: true },
      {
        ...base,
        slug: "retired",
        name: "Retired",
        rank: 5,
        paid: true,
        priceMonthly: 100,
        retiredAt: new Date("2025-01-01T00:00:00Z"),
      },
    ]);
    stripe = createStripe({
      STRIPE_SECRET_KEY: "sk_test_fake",
      STRIPE_API_URL: await fake.start(),
    }) as Stripe;
  });
  afterAll(async () => {
    await fake.stop();
    await database?.dispose();
  });

  it("creates the product and the monthly and yearly prices of each paid, priced, current tier, and stores their ids", async () => {
    const report = await ensureStripePrices(db, stripe);
    expect(report.tiers.map((t) => t.slug)).toEqual(["alliance", "monthly-only"]);
    expect(report.skipped).toEqual([
      { slug: "unpriced", reason: "no monthly or yearly price in the database" },
    ]);
    expect(report.totals).toEqual({ created: 5, changed: 0, found: 0 });

    const products = fake.all("product");
    expect(products.map((p) => (p.metadata as Record<string, string>).tier_slug).sort()).toEqual([
      "alliance",
      "monthly-only",
    ]);
    const alliance = await tier(db, "alliance");
    const product = fake.get(alliance.stripeProductId ?? "", "product");
    expect(product).toMatchObject({ name: "Alliance", metadata: { tier_slug: "alliance" } });
    expect(fake.get(alliance.stripePriceMonthly ?? "", "price")).toMatchObject({
      product: product.id,
      unit_amount: 9900,
      currency: "eur",
      recurring: { interval: "month", interval_count: 1 },
      lookup_key: "alliance-monthly",
      active: true,
    });
    expect(fake.get(alliance.stripePriceYearly ?? "", "price")).toMatchObject({
      product: product.id,
      unit_amount: 99000,
      recurring: { interval: "year" },
      lookup_key: "alliance-yearly",
    });
    const monthlyOnly = await tier(db, "monthly-only");
    expect(monthlyOnly.stripePriceMonthly).toMatch(/^price_/);
    expect(monthlyOnly.stripePriceYearly).toBeNull();
    expect(report.tiers[1]?.unpriced).toEqual(["year"]);
    for (const slug of ["circle", "unpriced", "retired"]) {
      expect((await tier(db, slug)).stripeProductId).toBeNull();
    }
  });

  it("finds everything the second time and creates nothing", async () => {
    const before = { products: posts(fake, "/v1/products"), prices: posts(fake, "/v1/prices") };
    const stored = await tier(db, "alliance");
    const report = await ensureStripePrices(db, stripe);
    expect(report.totals).toEqual({ created: 0, changed: 0, found: 3 });
    expect(report.tiers[0]?.product.outcome).toBe("found");
    expect(posts(fake, "/v1/products")).toBe(before.products);
    expect(posts(fake, "/v1/prices")).toBe(before.prices);
    const after = await tier(db, "alliance");
    expect(after.stripePriceMonthly).toBe(stored.stripePriceMonthly);
    expect(after.stripePriceYearly).toBe(stored.stripePriceYearly);
    expect(after.stripeProductId).toBe(stored.stripeProductId);
  });

  it("finds the product by its metadata when the stored id is gone", async () => {
    const stored = await tier(db, "alliance");
    await db
      .update(tiers)
      .set({ stripeProductId: null, stripePriceMonthly: null, stripePriceYearly: null })
      .where(eq(tiers.slug, "alliance"));
    const productsBefore = fake.all("product").length;
    const report = await ensureStripePrices(db, stripe);
    expect(report.totals.created).toBe(0);
    expect(fake.all("product")).toHaveLength(productsBefore);
    const after = await tier(db, "alliance");
    expect(after.stripeProductId).toBe(stored.stripeProductId);
    expect(after.stripePriceMonthly).toBe(stored.stripePriceMonthly);
    expect(after.stripePriceYearly).toBe(stored.stripePriceYearly);
  });

  it("makes a new price that takes the lookup key when the amount changes, and keeps the old one active", async () => {
    const old = await tier(db, "alliance");
    await db.update(tiers).set({ priceMonthly: 12900 }).where(eq(tiers.slug, "alliance"));
    const report = await ensureStripePrices(db, stripe);
    expect(report.totals).toEqual({ created: 0, changed: 1, found: 2 });
    const monthly = report.tiers[0]?.prices.find((p) => p.interval === "month");
    expect(monthly).toMatchObject({
      outcome: "changed",
      amount: 12900,
      previous: { id: old.stripePriceMonthly, amount: 9900, currency: "eur" },
    });
    const after = await tier(db, "alliance");
    expect(after.stripePriceMonthly).not.toBe(old.stripePriceMonthly);
    expect(after.stripePriceYearly).toBe(old.stripePriceYearly);
    expect(fake.get(after.stripePriceMonthly ?? "", "price")).toMatchObject({
      unit_amount: 12900,
      lookup_key: "alliance-monthly",
      product: old.stripeProductId,
    });
    expect(fake.get(old.stripePriceMonthly ?? "", "price")).toMatchObject({
      lookup_key: null,
      active: true,
    });
    // A POST deactivating a price would be a POST to /v1/prices/:id.
    expect(fake.requests.some((r) => r.method === "POST" && /^\/v1\/prices\/./.test(r.path))).toBe(
      false,
    );

    const again = await ensureStripePrices(db, stripe);
    expect(again.totals).toEqual({ created: 0, changed: 0, found: 3 });
  });

  it("makes a new price when the currency changes, and renames the product with the tier", async () => {
    await db
      .update(tiers)
      .set({ currency: "usd", name: "Leadership Alliance" })
      .where(eq(tiers.slug, "alliance"));
    const report = await ensureStripePrices(db, stripe);
    expect(report.tiers[0]?.product.outcome).toBe("renamed");
    expect(report.tiers[0]?.prices.map((p) => p.outcome)).toEqual(["changed", "changed"]);
    const after = await tier(db, "alliance");
    expect(fake.get(after.stripeProductId ?? "", "product").name).toBe("Leadership Alliance");
    expect(fake.get(after.stripePriceYearly ?? "", "price")).toMatchObject({
      currency: "usd",
      unit_amount: 99000,
      lookup_key: "alliance-yearly",
    });
    expect((await ensureStripePrices(db, stripe)).totals).toEqual({
      created: 0,
      changed: 0,
      found: 3,
    });
  });
});
