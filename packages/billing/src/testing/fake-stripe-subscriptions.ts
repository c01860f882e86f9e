import Stripe from "stripe";
import { type FakeStripe, FakeStripeError, type StripeObject } from "./fake-stripe.ts";

// Invoices have a module of their own; tests of subscriptions import fakeInvoice from here.
export { fakeInvoice } from "./fake-stripe-invoices.ts";

/**
 * The subscription side of the fake Stripe API: subscriptions (read, list, cancel at period
 * end, cancel now), customers, and the events list reconciliation walks. Test drivers make
 * what Stripe would make on its own (a subscription, a status change, an event) and sign a
 * webhook delivery as Stripe does.
 */

const DAY = 24 * 60 * 60;

type FakeSubscriptionStatus = Stripe.Subscription.Status;

/** Registers the endpoints billing's sync, webhook and reconciliation use. */
export function registerSubscriptionRoutes(fake: FakeStripe): FakeStripe {
  return fake
    .route("GET", "/v1/subscriptions/:id", (request, s) =>
      s.get(request.params.id ?? "", "subscription"),
    )
    .route("GET", "/v1/subscriptions", (request, s) => {
      const status = typeof request.body.status === "string" ? request.body.status : null;
      const customer = typeof request.body.customer === "string" ? request.body.customer : null;
      return s.list("subscription", request.body, (object) => {
        if (customer && object.customer !== customer) return false;
        if (status === "all") return true;
        // Like Stripe: without a status, canceled subscriptions are left out.
        if (!status) return object.status !== "canceled";
        return object.status === status;
      });
    })
    .route("POST", "/v1/subscriptions/:id", (request, s) => {
      const subscription = s.get(request.params.id ?? "", "subscription");
      if (subscription.status === "canceled")
        throw new FakeStripeError(
          400,
          "invalid_request_error",
          "A canceled subscription can only update its cancellation_details and metadata.",
        );
      const body = request.body;
      const next: StripeObject = { ...subscription };
      if (body.cancel_at_period_end !== undefined) {
        const cancel = body.cancel_at_period_end === "true";
        next.cancel_at_period_end = cancel;
        next.cancel_at = cancel ? periodOf(subscription).end : null;
      }
      if (body.metadata && typeof body.metadata === "object")
        next.metadata = { ...(subscription.metadata as object), ...(body.metadata as object) };
      return s.save(next);
    })
    .route("DELETE", "/v1/subscriptions/:id", (request, s) => {
      const subscription = s.get(request.params.id ?? "", "subscription");
      return s.save({
        ...subscription,
        status: "canceled",
        canceled_at: s.now,
        ended_at: s.now,
        cancel_at_period_end: false,
      });
    })
    .route("POST", "/v1/customers", (request, s) =>
      fakeCustomer(s, {
        email: typeof request.body.email === "string" ? request.body.email : null,
        metadata: (request.body.metadata as Record<string, string> | undefined) ?? {},
      }),
    )
    .route("GET", "/v1/customers/:id", (request, s) => s.get(request.params.id ?? "", "customer"))
    .route("GET", "/v1/events", (request, s) => {
      const created = request.body.created;
      const bound = (key: string) =>
        created && typeof created === "object" && key in created
          ? Number((created as Record<string, unknown>)[key])
          : null;
      const exact = typeof created === "string" ? Number(created) : null;
      const gte = bound("gte");
      const gt = bound("gt");
      const lte = bound("lte");
      const lt = bound("lt");
      const type = typeof request.body.type === "string" ? request.body.type : null;
      return s.list("event", request.body, (event) => {
        const at = Number(event.created);
        if (exact !== null && at !== exact) return false;
        if (gte !== null && at < gte) return false;
        if (gt !== null && at <= gt) return false;
        if (lte !== null && at > lte) return false;
        if (lt !== null && at >= lt) return false;
        return type === null || event.type === type;
      });
    });
}

/** A subscription's current period (on its item, as in API v23). */
export function periodOf(subscription: StripeObject): { start: number; end: number } {
  const item = (subscription.items as { data: Record<string, unknown>[] }).data[0];
  return { start: Number(item?.current_period_start), end: Number(item?.current_period_end) };
}

/** How long a period of the price's interval lasts here: a month is 30 days, a year 365. */
function periodLength(price: StripeObject): number {
  const interval = (price.recurring as { interval?: string } | null)?.interval;
  return (interval === "year" ? 365 : 30) * DAY;
}

/** The period after the current one, as a renewal starts it. */
export function nextPeriod(subscription: StripeObject): { start: number; end: number } {
  const item = (subscription.items as { data: Record<string, unknown>[] }).data[0] ?? {};
  const { end } = periodOf(subscription);
  return { start: end, end: end + periodLength((item.price ?? {}) as StripeObject) };
}

/** A customer as POST /v1/customers makes it (a hosted checkout without one makes one too). */
export function fakeCustomer(
  fake: FakeStripe,
  options: { email?: string | null; metadata?: Record<string, string> } = {},
): StripeObject {
  return fake.save({
    id: fake.newId("cus"),
    object: "customer",
    created: fake.now,
    email: options.email ?? null,
    metadata: options.metadata ?? {},
    livemode: false,
  });
}

export type FakePrice = {
  id: string;
  /** Minor units per interval. */
  unitAmount?: number;
  currency?: string;
  interval?: "month" | "year";
  product?: string;
};

export type FakeSubscriptionOptions = {
  customer: string;
  /** A price id (a stored price object is used when the fake has one) or its details. */
  price: string | FakePrice;
  status?: FakeSubscriptionStatus;
  metadata?: Record<string, string>;
  quantity?: number;
  /** Unix seconds; the fake's clock by default. */
  created?: number;
  periodStart?: number;
  periodEnd?: number;
  cancelAtPeriodEnd?: boolean;
};

function priceObject(fake: FakeStripe, price: string | FakePrice): StripeObject {
  const details: FakePrice = typeof price === "string" ? { id: price } : price;
  const stored = fake.objects.get(details.id);
  if (stored && stored.object === "price") return stored;
  const interval = details.interval ?? "month";
  return {
    id: details.id,
    object: "price",
    active: true,
    currency: details.currency ?? "usd",
    unit_amount: details.unitAmount ?? (interval === "year" ? 99_000 : 9_900),
    recurring: { interval, interval_count: 1, usage_type: "licensed" },
    product: details.product ?? "prod_fake",
    type: "recurring",
    livemode: false,
  };
}

/** A subscription as Stripe would hold it, with its one item, price and period (API v23). */
export function fakeSubscription(fake: FakeStripe, options: FakeSubscriptionOptions): StripeObject {
  const price = priceObject(fake, options.price);
  const created = options.created ?? fake.now;
  const start = options.periodStart ?? created;
  const end = options.periodEnd ?? start + periodLength(price);
  const id = fake.newId("sub");
  const status = options.status ?? "active";
  return fake.save({
    id,
    object: "subscription",
    customer: options.customer,
    status,
    created,
    start_date: created,
    currency: price.currency,
    cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
    cancel_at: options.cancelAtPeriodEnd ? end : null,
    canceled_at: status === "canceled" ? fake.now : null,
    ended_at: status === "canceled" ? fake.now : null,
    collection_method: "charge_automatically",
    latest_invoice: null,
    livemode: false,
    metadata: options.metadata ?? {},
    items: {
      object: "list",
      data: [
        {
          id: fake.newId("si"),
          object: "subscription_item",
          created,
          subscription: id,
          quantity: options.quantity ?? 1,
          price,
          current_period_start: start,
          current_period_end: end,
          metadata: {},
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${id}`,
    },
  });
}

export type SubscriptionChange = {
  periodStart?: number;
  periodEnd?: number;
  cancelAtPeriodEnd?: boolean;
};

/**
 * Changes a stored subscription as Stripe would on its own (a payment failing, a renewal, a
 * cancellation), without any event: returns the new state.
 */
export function setSubscriptionStatus(
  fake: FakeStripe,
  id: string,
  status: FakeSubscriptionStatus,
  change: SubscriptionChange = {},
): StripeObject {
  const subscription = fake.get(id, "subscription");
  const items = subscription.items as { data: Record<string, unknown>[] };
  const data = items.data.map((item) => ({
    ...item,
    ...(change.periodStart !== undefined ? { current_period_start: change.periodStart } : {}),
    ...(change.periodEnd !== undefined ? { current_period_end: change.periodEnd } : {}),
  }));
  const ending = status === "canceled" && subscription.status !== "canceled";
  return fake.save({
    ...subscription,
    status,
    items: { ...items, data },
    ...(change.cancelAtPeriodEnd !== undefined
      ? { cancel_at_period_end: change.cancelAtPeriodEnd }
      : {}),
    ...(ending ? { canceled_at: fake.now, ended_at: fake.now } : {}),
  });
}

/**
 * An event as Stripe would create it, carrying a copy of `object` as it is now (a snapshot:
 * it goes stale as the object changes), stored for GET /v1/events.
 */
export function fakeEvent(fake: FakeStripe, type: string, object: StripeObject): StripeObject {
  return fake.save({
    id: fake.newId("evt"),
    object: "event",
    api_version: "2026-10-28.endive",
    created: fake.now,
    type,
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
}

/** A webhook delivery signed as Stripe signs it: the raw body and its Stripe-Signature header. */
export function signedWebhook(
  payload: unknown,
  secret: string,
  options: { timestamp?: number } = {},
): { body: string; signature: string } {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { body, signature };
}

/** How many requests the fake received for a method and path (e.g. a subscription's refetches). */
export function countRequests(fake: FakeStripe, method: string, path: string): number {
  return fake.requests.filter((request) => request.method === method && request.path === path)
    .length;
}
