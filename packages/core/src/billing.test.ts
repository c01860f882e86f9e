import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAST_DUE_GRACE_MS,
  SUBSCRIPTION_STATUSES,
  type SubscriptionState,
  subscriptionSource,
} from "./billing.ts";
import { activeTierSlugs } from "./membership.ts";

const DAY = 24 * 60 * 60 * 1000;
const start = new Date("2026-11-01T00:00:00Z");
const end = new Date("2026-12-01T00:00:00Z");

function subscription(overrides: Partial<SubscriptionState>): SubscriptionState {
  return {
    tierSlug: "leadership-alliance",
    status: "active",
    currentPeriodStart: start,
    currentPeriodEnd: end,
    pastDueSince: null,
    ...overrides,
  };
}

/** Whether the member holds the tier at `at`, by this subscription alone. */
function holds(state: SubscriptionState, at: Date, graceMs?: number): boolean {
  const source = subscriptionSource(state, graceMs);
  return activeTierSlugs(source ? [source] : [], at).includes("leadership-alliance");
}

describe("subscriptionSource: the status policy", () => {
  it("gives access while active or trialing, to the end of the period paid for", () => {
    for (const status of ["active", "trialing"] as const) {
      expect(holds(subscription({ status }), new Date("2026-11-15T00:00:00Z"))).toBe(true);
      expect(holds(subscription({ status }), new Date(end.getTime() - 1))).toBe(true);
      expect(holds(subscription({ status }), end)).toBe(false);
    }
  });

  it("keeps access past due for the grace period from the first failure, then not", () => {
    const failed = new Date("2026-12-01T00:00:00Z");
    const state = subscription({
      status: "past_due",
      currentPeriodStart: end,
      currentPeriodEnd: new Date("2027-01-01T00:00:00Z"),
      pastDueSince: failed,
    });
    expect(holds(state, new Date(failed.getTime() + DEFAULT_PAST_DUE_GRACE_MS - 1))).toBe(true);
    expect(holds(state, new Date(failed.getTime() + DEFAULT_PAST_DUE_GRACE_MS))).toBe(false);
    // The grace is a setting.
    expect(holds(state, new Date(failed.getTime() + 2 * DAY), DAY)).toBe(false);
    expect(holds(state, new Date(failed.getTime() + 12 * 60 * 60 * 1000), DAY)).toBe(true);
  });

  it("gives nothing for every other status", () => {
    const none = SUBSCRIPTION_STATUSES.filter(
      (status) => subscriptionSource(subscription({ status })) === null,
    );
    expect(none).toEqual(["incomplete", "incomplete_expired", "canceled", "unpaid", "paused"]);
  });
});
