import { type Db, schema } from "@briefings/db/client";
import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import { idOf, invoiceSubscriptionId } from "./invoice-subscription.ts";
import { syncInvoice } from "./sync-invoice.ts";
import { type SyncResult, syncSubscription } from "./sync-subscription.ts";

/**
 * Stripe's webhook: verify the signature, then record the event and act on it in one
 * transaction, so an event is acted on once however often it is delivered, and a failure
 * leaves nothing behind (not even the event row) and is answered 500 for Stripe to retry.
 * Acting means refetching the subscription from Stripe (syncSubscription), never trusting the
 * payload, so the order events arrive in does not matter.
 */

/** How old a signed delivery may be, in seconds (Stripe's default, said explicitly). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookDeps = {
  db: Db;
  stripe: Stripe;
  webhookSecret: string;
  /** The clock for past_due_since (tests); the current time by default. */
  now?: () => Date;
};

export type WebhookOutcome =
  /** Acted on: the subscription was synced. */
  | "processed"
  /** Already received: nothing done again. */
  | "duplicate"
  /** Recorded; a type (or an object) billing does not act on. */
  | "ignored"
  /** Recorded; the subscription could not be stored (unknown member or tier). */
  | "rejected";

export type WebhookBody =
  | {
      received: true;
      eventId: string;
      type: string;
      outcome: WebhookOutcome;
      subscriptionId?: string;
      message?: string;
    }
  | { received: false; error: string };

export type WebhookResponse = { status: 200 | 400 | 500; body: WebhookBody };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The event types that change a subscription. */
export const HANDLED_EVENT_TYPES = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

type Target = { subscriptionId: string | null; customerId: string | null };

/** Which subscription and customer an event is about (null when none). */
function targetOf(event: Stripe.Event): Target {
  const object = event.data.object as unknown as Record<string, unknown>;
  switch (event.type) {
    case "checkout.session.completed":
      return { subscriptionId: idOf(object.subscription), customerId: idOf(object.customer) };
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      return { subscriptionId: idOf(object.id), customerId: idOf(object.customer) };
    case "invoice.paid":
    case "invoice.payment_failed":
      return {
        subscriptionId: invoiceSubscriptionId(event.data.object as Stripe.Invoice),
        customerId: idOf(object.customer),
      };
    default:
      return {
        subscriptionId: object.object === "subscription" ? idOf(object.id) : null,
        customerId: idOf(object.customer),
      };
  }
}

function isHandled(type: string): boolean {
  return (HANDLED_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Records the member's Stripe customer from a completed checkout of ours (client_reference_id
 * and metadata.user_id both the member's id), unless the member already has one or another
 * member has this one.
 */
async function linkCustomer(tx: Db, session: Stripe.Checkout.Session): Promise<void> {
  const userId = session.client_reference_id;
  const customerId = idOf(session.customer);
  if (!userId || !UUID.test(userId) || !customerId) return;
  // Our sessions say the member twice; a payment link's client_reference_id can be set by
  // whoever opens it, so that alone never ties a customer (and its receipts) to a member.
  if (session.metadata?.user_id !== userId) return;
  const [owner] = await tx
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.stripeCustomerId, customerId))
    .limit(1);
  if (owner) return;
  await tx
    .update(schema.users)
    .set({ stripeCustomerId: customerId, updatedAt: new Date() })
    .where(and(eq(schema.users.id, userId), isNull(schema.users.stripeCustomerId)));
}

/**
 * Handles one webhook delivery: the raw request body (exactly as received) and its
 * Stripe-Signature header.
 */
export async function handleStripeWebhook(
  deps: WebhookDeps,
  rawBody: string | Buffer,
  signature: string | null,
): Promise<WebhookResponse> {
  const { db, stripe, webhookSecret } = deps;
  if (!signature)
    return {
      status: 400,
      body: { received: false, error: "Missing Stripe-Signature header." },
    };
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(
      rawBody,
      signature,
      webhookSecret,
      WEBHOOK_TOLERANCE_SECONDS,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      status: 400,
      body: { received: false, error: `Webhook signature verification failed: ${reason}` },
    };
  }
  if (typeof event.id !== "string" || typeof event.type !== "string" || !event.data?.object)
    return { status: 400, body: { received: false, error: "The payload is not a Stripe event." } };

  const target = targetOf(event);
  const reply = (
    outcome: WebhookOutcome,
    extra: { subscriptionId?: string; message?: string } = {},
  ): WebhookResponse => ({
    status: 200,
    body: { received: true, eventId: event.id, type: event.type, outcome, ...extra },
  });

  try {
    return await db.transaction(async (tx) => {
      // A second delivery waits here for the first's transaction, then finds the row.
      const inserted = await tx
        .insert(schema.stripeEvents)
        .values({
          id: event.id,
          type: event.type,
          customerId: target.customerId,
          subscriptionId: target.subscriptionId,
          createdAt: new Date(event.created * 1000),
        })
        .onConflictDoNothing({ target: schema.stripeEvents.id })
        .returning({ id: schema.stripeEvents.id });
      if (inserted.length === 0) return reply("duplicate");
      if (!isHandled(event.type)) return reply("ignored");

      if (event.type === "checkout.session.completed") {
        const session = event.data.object as Stripe.Checkout.Session;
        await linkCustomer(tx, session);
      }
      if (!target.subscriptionId)
        return reply("ignored", { message: "The event concerns no subscription." });

      const result: SyncResult = await syncSubscription(tx, stripe, target.subscriptionId, {
        now: deps.now?.() ?? new Date(),
      });
      if (!result.ok)
        return reply("rejected", {
          subscriptionId: target.subscriptionId,
          message: result.message,
        });
      // The receipt (or the failed payment), refetched too, once its member is known.
      const invoiceId = event.type.startsWith("invoice.") ? idOf(event.data.object) : null;
      if (invoiceId) await syncInvoice(tx, stripe, invoiceId);
      return reply("processed", { subscriptionId: target.subscriptionId });
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      status: 500,
      body: { received: false, error: `The event could not be processed: ${reason}` },
    };
  }
}
