import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import type Stripe from "stripe";

/**
 * Keeping the `subscriptions` table what Stripe last said (decision 022): a subscription is
 * always refetched from Stripe, never taken from an event's payload, so events that arrive
 * twice, late or out of order all end in Stripe's current state.
 */

/** The part of a stored subscription that decides access, before and after a sync. */
export type SubscriptionSnapshot = {
  tierSlug: string;
  status: SubscriptionStatus;
  priceId: string;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  pastDueSince: Date | null;
};

export type SyncErrorCode =
  | "subscription_not_found"
  | "unknown_customer"
  | "unknown_tier"
  | "unsupported_subscription";

export type SyncResult =
  | {
      ok: true;
      subscriptionId: string;
      userId: string;
      /** The stored row before (null: it is new) and after. */
      before: SubscriptionSnapshot | null;
      after: SubscriptionSnapshot;
      /** Whether anything in the snapshot changed. */
      changed: boolean;
    }
  | { ok: false; subscriptionId: string; error: SyncErrorCode; message: string };

export type SyncOptions = {
  /** The time a subscription newly past due is recorded as past due since. */
  now?: Date;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refetches a subscription from Stripe and stores it for its member and tier. An unknown
 * subscription, customer or tier gives an error result and writes nothing. Stripe's own
 * failures (network, 5xx) are thrown, so a webhook can answer 500 and be retried.
 */
export async function syncSubscription(
  db: Db,
  stripe: Stripe,
  subscriptionId: string,
  options: SyncOptions = {},
): Promise<SyncResult> {
  return db.transaction(async (tx) => {
    // One sync of a subscription at a time: the fetch and the write of one cannot interleave
    // with another's, so the last write is of the latest fetch.
    await lockSubscription(tx, subscriptionId);
    let subscription: Stripe.Subscription;
    try {
      subscription = await stripe.subscriptions.retrieve(subscriptionId);
    } catch (error) {
      if (isMissing(error))
        return {
          ok: false,
          subscriptionId,
          error: "subscription_not_found",
          message: `Stripe has no subscription ${subscriptionId}.`,
        };
      throw error;
    }
    return store(tx, subscription, options);
  });
}

/**
 * Stores a subscription just fetched from Stripe (as a list of subscriptions gives it): the
 * same as syncSubscription without the refetch. Never pass an event payload's copy.
 */
export async function syncFetchedSubscription(
  db: Db,
  subscription: Stripe.Subscription,
  options: SyncOptions = {},
): Promise<SyncResult> {
  return db.transaction(async (tx) => {
    await lockSubscription(tx, subscription.id);
    return store(tx, subscription, options);
  });
}

/** Syncs every subscription a customer has at Stripe, whatever its status. */
export async function syncCustomerSubscriptions(
  db: Db,
  stripe: Stripe,
  customerId: string,
  options: SyncOptions = {},
): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for await (const subscription of stripe.subscriptions.list({
    customer: customerId,
    status: "all",
    limit: 100,
  })) {
    results.push(await syncFetchedSubscription(db, subscription, options));
  }
  return results;
}

async function lockSubscription(tx: Db, subscriptionId: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtext(${`subscription:${subscriptionId}`}))`,
  );
}

function isMissing(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (("code" in error && error.code === "resource_missing") ||
      ("statusCode" in error && error.statusCode === 404))
  );
}

function customerIdOf(subscription: Stripe.Subscription): string {
  const customer = subscription.customer;
  return typeof customer === "string" ? customer : customer.id;
}

function seconds(value: number): Date {
  return new Date(value * 1000);
}

/** The period: on the subscription item since API 2025-03-31 (SDK v18+), else on the subscription. */
function periodOf(
  subscription: Stripe.Subscription,
  item: Stripe.SubscriptionItem | undefined,
): { start: number; end: number } | null {
  const legacy = subscription as unknown as {
    current_period_start?: number | null;
    current_period_end?: number | null;
  };
  const start = item?.current_period_start ?? legacy.current_period_start;
  const end = item?.current_period_end ?? legacy.current_period_end;
  return typeof start === "number" && typeof end === "number" ? { start, end } : null;
}

function snapshotOf(row: typeof schema.subscriptions.$inferSelect): SubscriptionSnapshot {
  return {
    tierSlug: row.tierSlug,
    status: row.status,
    priceId: row.priceId,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    canceledAt: row.canceledAt,
    pastDueSince: row.pastDueSince,
  };
}

function sameSnapshot(a: SubscriptionSnapshot, b: SubscriptionSnapshot): boolean {
  const time = (d: Date | null) => (d ? d.getTime() : null);
  return (
    a.tierSlug === b.tierSlug &&
    a.status === b.status &&
    a.priceId === b.priceId &&
    time(a.currentPeriodStart) === time(b.currentPeriodStart) &&
    time(a.currentPeriodEnd) === time(b.currentPeriodEnd) &&
    a.cancelAtPeriodEnd === b.cancelAtPeriodEnd &&
    time(a.canceledAt) === time(b.canceledAt) &&
    time(a.pastDueSince) === time(b.pastDueSince)
  );
}

/** A price per month in minor units: a yearly amount is spread over twelve months. */
export function monthlyAmount(amount: number, interval: "month" | "year"): number {
  return interval === "year" ? Math.round(amount / 12) : amount;
}

function revenueChanged(before: SubscriptionSnapshot | null, after: SubscriptionSnapshot): boolean {
  return (
    before === null ||
    before.status !== after.status ||
    before.tierSlug !== after.tierSlug ||
    before.priceId !== after.priceId ||
    before.cancelAtPeriodEnd !== after.cancelAtPeriodEnd
  );
}

/** The member: by customer, else by the metadata's user id (then `link`: record the customer). */
async function findMember(
  tx: Db,
  customerId: string,
  metadataUserId: string | undefined,
): Promise<{ id: string; link: boolean } | null> {
  const [byCustomer] = await tx
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.stripeCustomerId, customerId))
    .limit(1);
  if (byCustomer) return { id: byCustomer.id, link: false };
  if (!metadataUserId || !UUID.test(metadataUserId)) return null;
  const [byMetadata] = await tx
    .select({ id: schema.users.id, stripeCustomerId: schema.users.stripeCustomerId })
    .from(schema.users)
    .where(eq(schema.users.id, metadataUserId))
    .limit(1);
  if (!byMetadata) return null;
  return { id: byMetadata.id, link: byMetadata.stripeCustomerId === null };
}

async function findTier(
  tx: Db,
  priceId: string,
  metadataTierSlug: string | undefined,
): Promise<string | null> {
  const [byPrice] = await tx
    .select({ slug: schema.tiers.slug })
    .from(schema.tiers)
    .where(
      or(eq(schema.tiers.stripePriceMonthly, priceId), eq(schema.tiers.stripePriceYearly, priceId)),
    )
    .limit(1);
  if (byPrice) return byPrice.slug;
  if (!metadataTierSlug) return null;
  const [bySlug] = await tx
    .select({ slug: schema.tiers.slug })
    .from(schema.tiers)
    .where(eq(schema.tiers.slug, metadataTierSlug))
    .limit(1);
  return bySlug?.slug ?? null;
}

async function store(
  tx: Db,
  subscription: Stripe.Subscription,
  options: SyncOptions,
): Promise<SyncResult> {
  const subscriptionId = subscription.id;
  const fail = (error: SyncErrorCode, message: string): SyncResult => ({
    ok: false,
    subscriptionId,
    error,
    message,
  });
  const status = subscription.status as string;
  if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(status))
    return fail(
      "unsupported_subscription",
      `Subscription ${subscriptionId} has status "${status}".`,
    );
  const item = subscription.items?.data?.[0];
  const price = item?.price;
  if (!item || !price)
    return fail("unsupported_subscription", `Subscription ${subscriptionId} has no price.`);
  const interval = price.recurring?.interval as string | undefined;
  if (interval !== "month" && interval !== "year")
    return fail(
      "unsupported_subscription",
      `Subscription ${subscriptionId} bills every ${interval ?? "(none)"}; only month and year are supported.`,
    );
  const period = periodOf(subscription, item);
  if (!period)
    return fail(
      "unsupported_subscription",
      `Subscription ${subscriptionId} has no current period.`,
    );
  if (price.unit_amount === null || price.unit_amount === undefined)
    return fail("unsupported_subscription", `Price ${price.id} has no unit amount.`);

  const customerId = customerIdOf(subscription);
  const metadata = subscription.metadata ?? {};
  const member = await findMember(tx, customerId, metadata.user_id);
  if (!member)
    return fail(
      "unknown_customer",
      `No member has Stripe customer ${customerId} (subscription ${subscriptionId}).`,
    );
  const tierSlug = await findTier(tx, price.id, metadata.tier_slug);
  if (!tierSlug)
    return fail(
      "unknown_tier",
      `No tier has Stripe price ${price.id} (subscription ${subscriptionId}).`,
    );
  const userId = member.id;
  // The member's customer, recorded on first sight (the checkout may not have said it yet).
  if (member.link)
    await tx
      .update(schema.users)
      .set({ stripeCustomerId: customerId, updatedAt: new Date() })
      .where(and(eq(schema.users.id, userId), isNull(schema.users.stripeCustomerId)));

  const [existing] = await tx
    .select()
    .from(schema.subscriptions)
    .where(eq(schema.subscriptions.id, subscriptionId))
    .limit(1);
  const before = existing ? snapshotOf(existing) : null;
  const now = options.now ?? new Date();
  // Decision 022: the grace period counts from the first failure of the current run.
  const pastDueSince =
    status === "past_due"
      ? before?.status === "past_due"
        ? (before.pastDueSince ?? now)
        : now
      : null;
  const values = {
    userId,
    tierSlug,
    status: status as SubscriptionStatus,
    interval: interval as "month" | "year",
    priceId: price.id,
    currentPeriodStart: seconds(period.start),
    currentPeriodEnd: seconds(period.end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end ?? false,
    canceledAt: subscription.canceled_at ? seconds(subscription.canceled_at) : null,
    pastDueSince,
    amount: price.unit_amount * (item.quantity ?? 1),
    currency: price.currency,
    createdAt: seconds(subscription.created),
  } as const;
  const after: SubscriptionSnapshot = {
    tierSlug,
    status: values.status,
    priceId: values.priceId,
    currentPeriodStart: values.currentPeriodStart,
    currentPeriodEnd: values.currentPeriodEnd,
    cancelAtPeriodEnd: values.cancelAtPeriodEnd,
    canceledAt: values.canceledAt,
    pastDueSince,
  };
  await tx
    .insert(schema.subscriptions)
    .values({ id: subscriptionId, ...values, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: schema.subscriptions.id,
      set: { ...values, updatedAt: new Date() },
    });
  // Revenue history: a row whenever what the subscription brings in may have changed.
  if (revenueChanged(before, after))
    await tx.insert(schema.subscriptionChanges).values({
      subscriptionId,
      userId,
      at: now,
      tierSlug,
      status: values.status,
      monthlyAmount: monthlyAmount(values.amount, values.interval),
      currency: values.currency,
      cancelAtPeriodEnd: values.cancelAtPeriodEnd,
    });
  return {
    ok: true,
    subscriptionId,
    userId,
    before,
    after,
    changed: before === null || !sameSnapshot(before, after),
  };
}
