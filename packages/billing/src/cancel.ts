import type { Db } from "@briefings/db/client";
import { subscriptions, users } from "@briefings/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import Stripe from "stripe";
import { CHARGEABLE_STATUSES, expireOpenSessions } from "./checkout.ts";
import { syncFetchedSubscription } from "./sync-subscription.ts";

/**
 * Before an account is deleted: every subscription that would still charge the member is
 * cancelled at Stripe at once (no renewal, no refund of the current period), so no card is
 * charged for an account that no longer exists. The ones we know of and the ones Stripe
 * knows of (a webhook not landed yet) alike.
 */

export type CancelResult = { ok: true; canceled: string[] } | { ok: false; message: string };

export async function cancelSubscriptionsOfMember(
  db: Db,
  stripe: Stripe | null,
  userId: string,
): Promise<CancelResult> {
  const [user] = await db
    .select({ customerId: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const stored = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.userId, userId),
        inArray(subscriptions.status, [...CHARGEABLE_STATUSES]),
      ),
    );
  if (!user?.customerId && stored.length === 0) return { ok: true, canceled: [] };
  if (!stripe)
    return {
      ok: false,
      message:
        "Your subscription cannot be cancelled right now (payments are not available), so the account was not deleted. Please contact the publisher.",
    };
  const chargeable = (status: string) =>
    (CHARGEABLE_STATUSES as readonly string[]).includes(status);
  // Stripe's status decides, not our copy (which may be behind, e.g. after a first attempt).
  const ids = new Set<string>();
  const seen = new Set<string>();
  try {
    if (user?.customerId) {
      for await (const subscription of stripe.subscriptions.list({
        customer: user.customerId,
        status: "all",
        limit: 100,
      })) {
        seen.add(subscription.id);
        if (chargeable(subscription.status)) ids.add(subscription.id);
      }
    }
    for (const row of stored) {
      if (seen.has(row.id)) continue;
      try {
        const subscription = await stripe.subscriptions.retrieve(row.id);
        if (chargeable(subscription.status)) ids.add(row.id);
      } catch (error) {
        if (!isGoneOrCanceled(error)) throw error;
      }
    }
    // A checkout left open could still be paid after the account is gone.
    if (user?.customerId) await expireOpenSessions(stripe, user.customerId, null, null);
    const canceled: string[] = [];
    for (const id of ids) {
      try {
        // Cancelling twice is harmless, so no idempotency key: a retry after a failure must
        // reach Stripe again rather than replay the failure.
        const ended = await stripe.subscriptions.cancel(id);
        canceled.push(id);
        // Stored as cancelled before the account (and the row) goes, so the revenue
        // history records the end; its later webhook will find no member.
        await syncFetchedSubscription(db, ended);
      } catch (error) {
        // Already cancelled or gone at Stripe: nothing left to charge.
        if (isGoneOrCanceled(error)) continue;
        throw error;
      }
    }
    return { ok: true, canceled };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError)
      return {
        ok: false,
        message:
          "Your subscription could not be cancelled with the payment service (some of it may have been), so the account was not deleted. Please try again in a moment.",
      };
    throw error;
  }
}

function isGoneOrCanceled(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  return (
    error.code === "resource_missing" ||
    error.statusCode === 404 ||
    /canceled subscription/i.test(error.message)
  );
}
