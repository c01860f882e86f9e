import type { Db } from "@briefings/db/client";
import { tiers } from "@briefings/db/schema";
import { and, asc, eq, isNull } from "drizzle-orm";
import Stripe from "stripe";

/**
 * Makes Stripe's catalogue match the paid tiers in the database: for every paid tier that is
 * not retired and has prices, a Product (metadata.tier_slug) and a recurring monthly and yearly
 * Price, known by the lookup keys `${slug}-monthly` / `${slug}-yearly`. A price whose amount or
 * currency changed gets a new Price that takes the lookup key (transfer_lookup_key); the old
 * one stays active, so the subscriptions on it go on as they are. The ids are stored on the
 * tier (stripe_product_id, stripe_price_monthly, stripe_price_yearly), which is what checkout
 * sells. Idempotent: a second run finds everything and creates nothing.
 */

export type BillingInterval = "month" | "year";

export type PriceOutcome = "found" | "created" | "changed";

export type TierPriceReport = {
  slug: string;
  product: { id: string; outcome: "found" | "created" | "renamed" };
  prices: {
    interval: BillingInterval;
    lookupKey: string;
    id: string;
    outcome: PriceOutcome;
    amount: number;
    currency: string;
    /** For a changed price: the price that held the lookup key before, and its amount. */
    previous?: { id: string; amount: number | null; currency: string };
  }[];
  /** A paid tier's interval without a price in the database: nothing to sell, its id cleared. */
  unpriced: BillingInterval[];
};

export type PricesReport = {
  tiers: TierPriceReport[];
  /** Paid, non-retired tiers left alone, and why. */
  skipped: { slug: string; reason: string }[];
  totals: { created: number; changed: number; found: number };
};

export const lookupKey = (slug: string, interval: BillingInterval) =>
  `${slug}-${interval === "month" ? "monthly" : "yearly"}`;

type TierRow = typeof tiers.$inferSelect;

export async function ensureStripePrices(db: Db, stripe: Stripe): Promise<PricesReport> {
  const rows = await db
    .select()
    .from(tiers)
    .where(and(eq(tiers.paid, true), isNull(tiers.retiredAt)))
    .orderBy(asc(tiers.rank), asc(tiers.slug));
  const report: PricesReport = {
    tiers: [],
    skipped: [],
    totals: { created: 0, changed: 0, found: 0 },
  };
  // Products are listed at most once, and only when a stored id does not answer.
  let productList: Stripe.Product[] | null = null;
  const listProducts = async () => {
    if (productList) return productList;
    const all: Stripe.Product[] = [];
    for await (const product of stripe.products.list({ limit: 100, active: true })) {
      all.push(product);
    }
    productList = all;
    return all;
  };

  for (const tier of rows) {
    if (tier.priceMonthly === null && tier.priceYearly === null) {
      report.skipped.push({
        slug: tier.slug,
        reason: "no monthly or yearly price in the database",
      });
      continue;
    }
    const product = await ensureProduct(stripe, tier, listProducts);
    const entry: TierPriceReport = {
      slug: tier.slug,
      product: { id: product.id, outcome: product.outcome },
      prices: [],
      unpriced: [],
    };
    if (product.outcome === "created") report.totals.created += 1;
    if (product.outcome === "renamed") report.totals.changed += 1;
    const wanted: { interval: BillingInterval; amount: number | null }[] = [
      { interval: "month", amount: tier.priceMonthly },
      { interval: "year", amount: tier.priceYearly },
    ];
    const keys = wanted
      .filter((w) => w.amount !== null)
      .map((w) => lookupKey(tier.slug, w.interval));
    const existing = (await stripe.prices.list({ lookup_keys: keys, limit: 10 })).data;
    const ids: Record<BillingInterval, string | null> = { month: null, year: null };
    for (const { interval, amount } of wanted) {
      if (amount === null) {
        entry.unpriced.push(interval);
        continue;
      }
      const key = lookupKey(tier.slug, interval);
      const current = existing.find((price) => price.lookup_key === key) ?? null;
      const outcome = await ensurePrice(stripe, {
        key,
        interval,
        amount,
        currency: tier.currency,
        productId: product.id,
        slug: tier.slug,
        current,
      });
      ids[interval] = outcome.id;
      report.totals[outcome.outcome] += 1;
      entry.prices.push({ interval, lookupKey: key, amount, currency: tier.currency, ...outcome });
    }
    if (
      tier.stripeProductId !== product.id ||
      tier.stripePriceMonthly !== ids.month ||
      tier.stripePriceYearly !== ids.year
    ) {
      await db
        .update(tiers)
        .set({
          stripeProductId: product.id,
          stripePriceMonthly: ids.month,
          stripePriceYearly: ids.year,
          updatedAt: new Date(),
        })
        .where(eq(tiers.id, tier.id));
    }
    report.tiers.push(entry);
  }
  return report;
}

async function ensureProduct(
  stripe: Stripe,
  tier: TierRow,
  listProducts: () => Promise<Stripe.Product[]>,
): Promise<{ id: string; outcome: "found" | "created" | "renamed" }> {
  let product: Stripe.Product | null = null;
  if (tier.stripeProductId) {
    try {
      const stored = await stripe.products.retrieve(tier.stripeProductId);
      if (stored.active && stored.metadata?.tier_slug === tier.slug) product = stored;
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError) || error.statusCode !== 404)
        throw error;
    }
  }
  product ??= (await listProducts()).find((p) => p.metadata?.tier_slug === tier.slug) ?? null;
  if (!product) {
    const created = await stripe.products.create(
      { name: tier.name, metadata: { tier_slug: tier.slug, tier_id: tier.id } },
      { idempotencyKey: `briefings-product:${tier.id}` },
    );
    return { id: created.id, outcome: "created" };
  }
  if (product.name !== tier.name) {
    await stripe.products.update(product.id, { name: tier.name });
    return { id: product.id, outcome: "renamed" };
  }
  return { id: product.id, outcome: "found" };
}

async function ensurePrice(
  stripe: Stripe,
  want: {
    key: string;
    interval: BillingInterval;
    amount: number;
    currency: string;
    productId: string;
    slug: string;
    current: Stripe.Price | null;
  },
): Promise<{
  id: string;
  outcome: PriceOutcome;
  previous?: { id: string; amount: number | null; currency: string };
}> {
  const { current } = want;
  const productOf = (price: Stripe.Price) =>
    typeof price.product === "string" ? price.product : price.product.id;
  if (
    current?.active &&
    current.unit_amount === want.amount &&
    current.currency === want.currency &&
    current.recurring?.interval === want.interval &&
    current.recurring.interval_count === 1 &&
    productOf(current) === want.productId
  ) {
    return { id: current.id, outcome: "found" };
  }
  const created = await stripe.prices.create(
    {
      product: want.productId,
      currency: want.currency,
      unit_amount: want.amount,
      recurring: { interval: want.interval },
      lookup_key: want.key,
      transfer_lookup_key: current !== null,
      metadata: { tier_slug: want.slug },
    },
    // The price it replaces is part of the key: A → B → A within a day makes a new price.
    {
      idempotencyKey: `briefings-price:${want.key}:${want.amount}${want.currency}:${want.productId}:${current?.id ?? "none"}`,
    },
  );
  if (!current) return { id: created.id, outcome: "created" };
  return {
    id: created.id,
    outcome: "changed",
    previous: { id: current.id, amount: current.unit_amount, currency: current.currency },
  };
}
