import type { Db } from "@briefings/db/client";
import { applications, subscriptions, tiers, users } from "@briefings/db/schema";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import Stripe from "stripe";
import type { BillingInterval } from "./prices.ts";

/**
 * Starts paying for a tier: a Stripe Checkout Session in subscription mode for a member whose
 * latest application to the tier is approved (decision 016; decision 022: the payment, not the
 * approval, gives access, once the webhook has recorded the subscription).
 *
 * Buying twice is guarded three ways: a subscription row that still gives (or may again give)
 * access refuses; so does one at Stripe whose webhook has not landed yet; and the session is
 * created with an Idempotency-Key of member, tier, interval, price and a 10-minute window, so a
 * double click or a second tab gets the same session rather than a second one.
 */

export type BillingContext = {
  db: Db;
  /** Null when no Stripe key is set: paid tiers then say payment is not set up. */
  stripe: Stripe | null;
  /** The portal's public origin, e.g. https://briefings.example.org (no trailing slash). */
  appUrl: string;
};

export type BillingResult =
  | { ok: true; url: string }
  | { ok: false; status: number; message: string };

/** The subscription statuses that hold the tier, or may again (past_due is retried). */
export const HOLDING_STATUSES = ["active", "trialing", "past_due"] as const;

/**
 * The statuses Stripe may still charge for: the holding ones, and those waiting on a payment
 * or paused. A member with one of these cannot start a second subscription to the tier.
 */
export const CHARGEABLE_STATUSES = [...HOLDING_STATUSES, "incomplete", "unpaid", "paused"] as const;

/** How long a checkout click is answered with the same session. */
const SESSION_WINDOW_MS = 10 * 60 * 1000;
/** How long a checkout session stays payable after its window. */
const SESSION_LIFETIME_MS = 30 * 60 * 1000;

function alreadySubscribed(tierName: string, status: string): string {
  return (HOLDING_STATUSES as readonly string[]).includes(status)
    ? `already subscribed to ${tierName}`
    : `your ${tierName} subscription is waiting on a payment: finish or cancel it from your account first`;
}

/**
 * Expires the customer's open checkout sessions for the tier except `keep`. Every session
 * this portal makes names its customer and tier, so nothing else is touched.
 */
export async function expireOpenSessions(
  stripe: Stripe,
  customer: string,
  tierSlug: string | null,
  keep: string | null,
): Promise<string[]> {
  const expired: string[] = [];
  for await (const open of stripe.checkout.sessions.list({
    customer,
    status: "open",
    limit: 100,
  })) {
    if (open.id === keep) continue;
    if (tierSlug !== null && open.metadata?.tier_slug !== tierSlug) continue;
    try {
      await stripe.checkout.sessions.expire(open.id);
      expired.push(open.id);
    } catch (error) {
      // Completed or expired meanwhile: nothing left to stop.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
    }
  }
  return expired;
}

const fail = (status: number, message: string): BillingResult => ({ ok: false, status, message });

export async function createCheckoutSession(
  context: BillingContext & { now?: () => Date },
  input: { userId: string; tierSlug: string; interval: BillingInterval },
): Promise<BillingResult> {
  const { db, stripe } = context;
  const appUrl = context.appUrl.replace(/\/+$/, "");
  const { userId, tierSlug, interval } = input;
  if (interval !== "month" && interval !== "year") return fail(400, "choose monthly or yearly");

  const [tier] = await db.select().from(tiers).where(eq(tiers.slug, tierSlug)).limit(1);
  if (!tier || tier.retiredAt) return fail(404, "no such tier");
  if (!tier.paid) return fail(400, "this tier is free: join it instead");

  const [latest] = await db
    .select({ status: applications.status })
    .from(applications)
    .where(and(eq(applications.userId, userId), eq(applications.tierSlug, tierSlug)))
    .orderBy(desc(applications.submittedAt), desc(applications.id))
    .limit(1);
  if (latest?.status !== "approved")
    return fail(403, `${tier.name} is paid for once your application is approved`);

  const [held] = await db
    .select({ id: subscriptions.id, status: subscriptions.status })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.userId, userId),
        eq(subscriptions.tierSlug, tierSlug),
        inArray(subscriptions.status, [...CHARGEABLE_STATUSES]),
      ),
    )
    .limit(1);
  if (held) return fail(409, alreadySubscribed(tier.name, held.status));

  const priceId = interval === "month" ? tier.stripePriceMonthly : tier.stripePriceYearly;
  if (!stripe || !priceId) return fail(503, "payment is not set up for this tier yet");

  try {
    const customer = await ensureCustomer(db, stripe, userId);
    if (!customer) return fail(404, "no such member");

    // A subscription Stripe has and our webhook has not recorded yet.
    const tierPrices = new Set([tier.stripePriceMonthly, tier.stripePriceYearly]);
    for await (const subscription of stripe.subscriptions.list({
      customer,
      status: "all",
      limit: 100,
    })) {
      if (!(CHARGEABLE_STATUSES as readonly string[]).includes(subscription.status)) continue;
      const sameTier =
        subscription.metadata?.tier_slug === tierSlug ||
        subscription.items.data.some((item) => {
          const product =
            typeof item.price.product === "string" ? item.price.product : item.price.product.id;
          return tierPrices.has(item.price.id) || product === tier.stripeProductId;
        });
      if (sameTier) return fail(409, alreadySubscribed(tier.name, subscription.status));
    }

    const now = context.now?.() ?? new Date();
    const bucket = Math.floor(now.getTime() / SESSION_WINDOW_MS);
    // Stripe's shortest: 30 minutes, from the end of the window, so the same within it.
    const expiresAt = Math.floor(((bucket + 1) * SESSION_WINDOW_MS + SESSION_LIFETIME_MS) / 1000);
    const metadata = { user_id: userId, tier_slug: tierSlug };
    const session = await stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer,
        line_items: [{ price: priceId, quantity: 1 }],
        client_reference_id: userId,
        metadata,
        subscription_data: { metadata },
        expires_at: expiresAt,
        success_url: `${appUrl}/membership/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${appUrl}/membership?checkout-canceled=1#${tierSlug}`,
      },
      {
        idempotencyKey: `briefings-checkout:${userId}:${tierSlug}:${interval}:${priceId}:${bucket}`,
      },
    );
    if (!session.url) return fail(502, "Stripe did not return a checkout page");
    // One open checkout per member and tier: an older one (the other interval, an earlier
    // window, another tab) is expired, so two cannot both be paid.
    await expireOpenSessions(stripe, customer, tierSlug, session.id);
    return { ok: true, url: session.url };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError)
      return fail(502, "the payment service could not be reached: try again in a moment");
    throw error;
  }
}

/**
 * The member's Stripe customer: the stored one, else a new one (idempotent per member, so two
 * racing checkouts get the same customer), stored in users.stripe_customer_id. Null when the
 * member does not exist.
 */
export async function ensureCustomer(
  db: Db,
  stripe: Stripe,
  userId: string,
): Promise<string | null> {
  const [user] = await db
    .select({ email: users.email, customerId: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user) return null;
  if (user.customerId) return user.customerId;
  const customer = await stripe.customers.create(
    { email: user.email, metadata: { user_id: userId } },
    { idempotencyKey: `briefings-customer:${userId}` },
  );
  try {
    const [stored] = await db
      .update(users)
      .set({ stripeCustomerId: customer.id, updatedAt: new Date() })
      .where(and(eq(users.id, userId), isNull(users.stripeCustomerId)))
      .returning({ customerId: users.stripeCustomerId });
    if (stored?.customerId) return stored.customerId;
  } catch (error) {
    // The unique column: another request stored this customer first.
    if (!isUniqueViolation(error)) throw error;
  }
  // Someone else stored one first: theirs is the member's customer.
  const [again] = await db
    .select({ customerId: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return again?.customerId ?? null;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
