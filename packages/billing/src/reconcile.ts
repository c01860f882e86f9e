import type { Db } from "@briefings/db/client";
import type Stripe from "stripe";
import { invoiceSubscriptionId } from "./invoice-subscription.ts";
import { syncInvoice } from "./sync-invoice.ts";
import {
  type SubscriptionSnapshot,
  type SyncErrorCode,
  syncFetchedSubscription,
  syncSubscription,
} from "./sync-subscription.ts";

/**
 * Reconciliation: what to run when webhooks may have been missed (an outage, a wrong secret).
 * It reads Stripe's events since a time and every subscription, syncs each subscription, and
 * reports the drift it repaired: the stored rows that did not say what Stripe says.
 */

export type ReconcileChange = {
  subscriptionId: string;
  userId: string;
  /** The stored state before (null: the subscription was missing) and after. */
  before: SubscriptionSnapshot | null;
  after: SubscriptionSnapshot;
};

export type ReconcileReport = {
  /** Events read since `since`. */
  eventsRead: number;
  /** Subscriptions synced (each once). */
  subscriptionsChecked: number;
  /** Invoices named by the events, refetched and stored. */
  invoicesSynced: number;
  /** The rows that were repaired. */
  changed: ReconcileChange[];
  /** Subscriptions that could not be stored (unknown member or tier, gone from Stripe). */
  errors: { subscriptionId: string; error: SyncErrorCode; message: string }[];
};

export type ReconcileOptions = {
  /** Read Stripe's events created at or after this time. */
  since: Date;
  /** The clock for past_due_since; the current time by default. */
  now?: Date;
};

/** The subscription an event is about, if any. */
function subscriptionIdOf(event: Stripe.Event): string | null {
  const object = event.data.object as unknown as Record<string, unknown>;
  const id = (value: unknown) =>
    typeof value === "string"
      ? value
      : value && typeof value === "object" && "id" in value && typeof value.id === "string"
        ? value.id
        : null;
  if (object.object === "subscription") return id(object.id);
  if (object.object === "invoice")
    return invoiceSubscriptionId(event.data.object as Stripe.Invoice);
  if (object.object === "checkout.session") return id(object.subscription);
  return null;
}

export async function reconcile(
  db: Db,
  stripe: Stripe,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const now = options.now ?? new Date();
  const report: ReconcileReport = {
    eventsRead: 0,
    subscriptionsChecked: 0,
    invoicesSynced: 0,
    changed: [],
    errors: [],
  };
  const fromEvents = new Set<string>();
  const invoicesFromEvents = new Set<string>();
  for await (const event of stripe.events.list({
    created: { gte: Math.floor(options.since.getTime() / 1000) },
    limit: 100,
  })) {
    report.eventsRead += 1;
    const id = subscriptionIdOf(event);
    if (id) fromEvents.add(id);
    const object = event.data.object as unknown as { object?: string; id?: string };
    if (object.object === "invoice" && object.id) invoicesFromEvents.add(object.id);
  }

  const seen = new Set<string>();
  const record = (result: Awaited<ReturnType<typeof syncSubscription>>) => {
    report.subscriptionsChecked += 1;
    if (!result.ok) {
      report.errors.push({
        subscriptionId: result.subscriptionId,
        error: result.error,
        message: result.message,
      });
      return;
    }
    if (result.changed)
      report.changed.push({
        subscriptionId: result.subscriptionId,
        userId: result.userId,
        before: result.before,
        after: result.after,
      });
  };

  // Every subscription as Stripe lists it now (a fresh fetch, so no refetch one by one).
  for await (const subscription of stripe.subscriptions.list({ status: "all", limit: 100 })) {
    if (seen.has(subscription.id)) continue;
    seen.add(subscription.id);
    record(await syncFetchedSubscription(db, subscription, { now }));
  }
  // Subscriptions the events name that the list did not give (e.g. one deleted since).
  for (const id of fromEvents) {
    if (seen.has(id)) continue;
    seen.add(id);
    record(await syncSubscription(db, stripe, id, { now }));
  }
  // The receipts the events name, after their subscriptions (which link their members).
  for (const id of invoicesFromEvents) {
    const result = await syncInvoice(db, stripe, id);
    if (result.ok) report.invoicesSynced += 1;
  }
  return report;
}
