import type { FakeStripe, StripeObject } from "./fake-stripe.ts";

/**
 * The fake's invoices: what a subscription's payments leave behind, read back by the portal
 * for receipts (GET /v1/invoices/:id, GET /v1/invoices). Stripe makes invoices on its own (a
 * checkout, a renewal): so do the test drivers here (`fakeInvoice`, `billSubscription`), and
 * there is no endpoint to make one.
 */

const DAY = 24 * 60 * 60;

/** Currencies whose amounts Stripe counts in whole units (no cents). */
const ZERO_DECIMAL = new Set(
  "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split(" "),
);

/** An amount in minor units as people read it: 900 usd is "$9.00". */
export function formatMoney(amount: number, currency: string): string {
  const code = currency.toLowerCase();
  return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).format(
    ZERO_DECIMAL.has(code) ? amount : amount / 100,
  );
}

/** The subscription an invoice bills (under parent since API 2025-03-31), or null. */
export function invoiceSubscription(invoice: StripeObject): string | null {
  const parent = invoice.parent as { subscription_details?: { subscription?: unknown } } | null;
  const id = parent?.subscription_details?.subscription;
  return typeof id === "string" ? id : null;
}

/** Registers GET /v1/invoices/:id and GET /v1/invoices (customer, subscription, status). */
export function registerInvoiceRoutes(fake: FakeStripe): FakeStripe {
  return fake
    .route("GET", "/v1/invoices/:id", (request, s) => s.get(request.params.id ?? "", "invoice"))
    .route("GET", "/v1/invoices", (request, s) => {
      const { customer, subscription, status } = request.body;
      return s.list("invoice", request.body, (invoice) => {
        if (typeof customer === "string" && invoice.customer !== customer) return false;
        if (typeof subscription === "string" && invoiceSubscription(invoice) !== subscription)
          return false;
        return typeof status !== "string" || invoice.status === status;
      });
    });
}

export type FakeInvoiceOptions = {
  /** Why Stripe made it: a checkout ("subscription_create") or a renewal (the default). */
  billingReason?: "subscription_create" | "subscription_cycle" | "subscription_update";
  /** Payments tried: 1 by default (the one that paid it, or the one that failed). */
  attemptCount?: number;
  /** The period it pays for; the subscription's current period by default. */
  periodStart?: number;
  periodEnd?: number;
};

/**
 * An invoice for a subscription, in API v23's shape (the subscription under parent), with
 * what a receipt shows: number, amounts, period, when it was paid, and its pages (on the
 * fake's base URL when it has one, where ./fake-stripe-hosted.ts serves them).
 */
export function fakeInvoice(
  fake: FakeStripe,
  subscription: StripeObject,
  status: "paid" | "open" = "paid",
  options: FakeInvoiceOptions = {},
): StripeObject {
  const item = (subscription.items as { data: Record<string, unknown>[] }).data[0] ?? {};
  const price = (item.price ?? {}) as Record<string, unknown>;
  const quantity = Number(item.quantity ?? 1);
  const amount = Number(price.unit_amount ?? 0) * quantity;
  const currency = String(price.currency ?? "usd");
  const paid = status === "paid";
  const start = options.periodStart ?? Number(item.current_period_start ?? fake.now);
  const end = options.periodEnd ?? Number(item.current_period_end ?? fake.now);
  const attempts = options.attemptCount ?? 1;
  const id = fake.newId("in");
  const customer = fake.objects.get(String(subscription.customer));
  const product = fake.objects.get(String(price.product));
  const interval = (price.recurring as { interval?: string } | null)?.interval ?? "month";
  const name = typeof product?.name === "string" ? product.name : "Subscription";
  const pages = fake.baseUrl ?? null;
  return fake.save({
    id,
    object: "invoice",
    customer: subscription.customer,
    customer_email: customer?.email ?? null,
    status,
    created: fake.now,
    number: `FAKE-${String(fake.all("invoice").length + 1).padStart(4, "0")}`,
    currency,
    amount_due: amount,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    subtotal: amount,
    total: amount,
    attempt_count: attempts,
    attempted: attempts > 0,
    next_payment_attempt: paid ? null : fake.now + 3 * DAY,
    billing_reason: options.billingReason ?? "subscription_cycle",
    collection_method: "charge_automatically",
    hosted_invoice_url: `${pages ?? "https://invoice.stripe.com"}/i/${id}`,
    invoice_pdf: pages ? `${pages}/i/${id}/pdf` : `https://pay.stripe.com/invoice/${id}/pdf`,
    period_start: start,
    period_end: end,
    status_transitions: {
      finalized_at: fake.now,
      paid_at: paid ? fake.now : null,
      marked_uncollectible_at: null,
      voided_at: null,
    },
    lines: {
      object: "list",
      data: [
        {
          id: fake.newId("il"),
          object: "line_item",
          invoice: id,
          amount,
          currency,
          // Stripe's wording on its invoices.
          description: `${quantity} × ${name} (at ${formatMoney(Number(price.unit_amount ?? 0), currency)} / ${interval})`,
          period: { start, end },
          quantity,
          pricing: {
            type: "price_details",
            price_details: { price: price.id, product: price.product },
            unit_amount_decimal: String(price.unit_amount ?? 0),
          },
          livemode: false,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${id}/lines`,
    },
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: {
        subscription: subscription.id,
        metadata: subscription.metadata ?? {},
      },
    },
    livemode: false,
  });
}

/**
 * Bills a stored subscription for its current period, as Stripe does at a checkout or a
 * renewal: a new invoice, which becomes the subscription's latest_invoice.
 */
export function billSubscription(
  fake: FakeStripe,
  subscriptionId: string,
  status: "paid" | "open",
  options: FakeInvoiceOptions = {},
): { subscription: StripeObject; invoice: StripeObject } {
  const invoice = fakeInvoice(fake, fake.get(subscriptionId, "subscription"), status, options);
  const subscription = fake.save({
    ...fake.get(subscriptionId, "subscription"),
    latest_invoice: invoice.id,
  });
  return { subscription, invoice };
}

/** An open invoice paid at last (a retry that worked): one more attempt, nothing left due. */
export function payInvoice(fake: FakeStripe, invoiceId: string): StripeObject {
  const invoice = fake.get(invoiceId, "invoice");
  return fake.save({
    ...invoice,
    status: "paid",
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    attempt_count: Number(invoice.attempt_count ?? 0) + 1,
    attempted: true,
    next_payment_attempt: null,
    status_transitions: {
      ...(invoice.status_transitions as Record<string, unknown>),
      paid_at: fake.now,
    },
  });
}
