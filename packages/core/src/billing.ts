import type { EntitlementSource } from "./membership.ts";

/** Every status Stripe gives a subscription. */
export const SUBSCRIPTION_STATUSES = [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "paused",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A subscription as we keep it: what Stripe last said, refetched on every event. */
export type SubscriptionState = {
  tierSlug: string;
  status: SubscriptionStatus;
  /** The period paid for (or being tried): access runs to its end. */
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  /** When the subscription first went past due in its current run of failures. */
  pastDueSince: Date | null;
};

/** Access kept after a renewal fails while Stripe retries the card, unless configured. */
export const DEFAULT_PAST_DUE_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What a subscription entitles its member to (decision 022): an entitlement source, or
 * null for none.
 *
 * - active, trialing: the tier, until the end of the period paid for. A renewal moves
 *   the end; if no event ever came again, access would still stop there.
 * - past_due: the tier, for the grace period from the first failed renewal (and never
 *   past that), while Stripe retries.
 * - incomplete (first payment not made), incomplete_expired, unpaid, canceled, paused:
 *   nothing. A subscription cancelled at period end stays active until then, so
 *   "cancelling ends access at period end" needs no rule of its own.
 */
export function subscriptionSource(
  subscription: SubscriptionState,
  graceMs: number = DEFAULT_PAST_DUE_GRACE_MS,
): EntitlementSource | null {
  const { tierSlug, status, currentPeriodStart, currentPeriodEnd } = subscription;
  switch (status) {
    case "active":
    case "trialing":
      return {
        tierSlug,
        via: "subscription",
        startsAt: currentPeriodStart,
        endsAt: currentPeriodEnd,
      };
    case "past_due": {
      const since = subscription.pastDueSince ?? currentPeriodEnd;
      return {
        tierSlug,
        via: "subscription",
        startsAt: currentPeriodStart,
        endsAt: new Date(since.getTime() + graceMs),
      };
    }
    case "incomplete":
    case "incomplete_expired":
    case "unpaid":
    case "canceled":
    case "paused":
      return null;
  }
}
