import {
  type FakeRequest,
  type FakeResponse,
  type FakeStripe,
  FakeStripeError,
  htmlResponse,
  redirectResponse,
  type StripeObject,
} from "./fake-stripe.ts";
import {
  billSubscription,
  formatMoney,
  invoiceSubscription,
  payInvoice,
} from "./fake-stripe-invoices.ts";
import {
  fakeCustomer,
  fakeEvent,
  fakeSubscription,
  nextPeriod,
  periodOf,
  setSubscriptionStatus,
  signedWebhook,
} from "./fake-stripe-subscriptions.ts";

/**
 * The pages Stripe hosts, served by the fake for browser tests, and what Stripe then does on
 * its own: deliver signed webhooks. Plain server-rendered HTML and forms, no JavaScript.
 *
 * - GET/POST /c/pay/:id — Checkout: the price and a "Pay and subscribe" form. Paying makes
 *   the customer (if none), the subscription and its paid invoice, sends the browser to the
 *   success URL, and after a delay delivers invoice.paid, customer.subscription.created and
 *   checkout.session.completed, in that (not chronological) order.
 * - GET /p/session/:id — the customer portal; POST …/subscriptions/:subscription/cancel and
 *   …/keep set or clear cancel_at_period_end and deliver customer.subscription.updated.
 * - GET /i/:id, /i/:id/pdf — an invoice's receipt (hosted_invoice_url, invoice_pdf).
 * - Not Stripe's, for tests: POST /_fake/subscriptions/:id/end (the period ended after a
 *   cancellation), …/fail (a renewal failed: the next period starts past due with an open
 *   invoice), …/renew (a renewal paid, or the failed one paid at last); GET /_fake/deliveries
 *   (every delivery try; ?type= filters); GET /_fake/health and GET / (readiness).
 *
 * Except after a checkout, events are delivered before the answer, so a test sees their
 * effect at once. The fake's `baseUrl` must be set (to what start() answered) for session
 * and invoice URLs to lead here.
 */

export type DeliveryAttempt = {
  eventId: string;
  type: string;
  endpoint: string;
  /** 1 for the first try. */
  attempt: number;
  /** The endpoint's HTTP status; null when it could not be reached (then `error`). */
  status: number | null;
  error?: string;
  /** The start of the endpoint's answer, to see why it refused. */
  response?: string;
  /** ISO time of the try. */
  at: string;
};

export type WebhookOptions = {
  /** Endpoints every event is POSTed to (none: events are only stored). */
  urls: string[];
  /** The endpoints' signing secret (whsec_…). */
  secret: string;
  /** The waits before the second and later tries of a failed delivery: [200, 600] by default. */
  retryDelaysMs?: number[];
  /** Told of every try (the server logs them). */
  onAttempt?: (attempt: DeliveryAttempt) => void;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Delivers events as Stripe does: a POST of the event's JSON, signed, to every endpoint; a
 * failure (unreachable, or not 2xx) is tried again after a short backoff. Every try is kept.
 */
export class WebhookSender {
  /** Every try, in the order made. */
  readonly attempts: DeliveryAttempt[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly scheduled = new Map<NodeJS.Timeout, () => void>();
  private readonly retryDelaysMs: number[];

  constructor(private readonly options: WebhookOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 600];
  }

  /**
   * Delivers the events one after the other in the order given (each to every endpoint, with
   * its retries); resolves when all are done. Never rejects: failures are in `attempts`.
   */
  deliver(events: StripeObject[]): Promise<void> {
    const run = (async () => {
      for (const event of events)
        await Promise.all(this.options.urls.map((url) => this.deliverOne(event, url)));
    })();
    return this.track(run);
  }

  /**
   * Delivers after `delayMs` without waiting: the caller answers first, as Stripe's events
   * reach the site after the browser was sent back to it.
   */
  deliverLater(events: StripeObject[], delayMs: number): void {
    const run = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        this.deliver(events).then(resolve);
      }, delayMs);
      this.scheduled.set(timer, resolve);
    });
    this.track(run);
  }

  /** Resolves once every delivery scheduled or under way has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Drops the deliveries not yet started (on shutdown). */
  cancelScheduled(): void {
    for (const [timer, resolve] of this.scheduled) {
      clearTimeout(timer);
      resolve();
    }
    this.scheduled.clear();
  }

  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    run.finally(() => this.running.delete(run));
    return run;
  }

  private async deliverOne(event: StripeObject, endpoint: string): Promise<void> {
    const payload = JSON.stringify(event);
    for (let attempt = 1; ; attempt++) {
      // Signed afresh on every try, as Stripe does: the signature's timestamp is the try's.
      const { body, signature } = signedWebhook(payload, this.options.secret);
      const record: DeliveryAttempt = {
        eventId: event.id,
        type: String(event.type),
        endpoint,
        attempt,
        status: null,
        at: new Date().toISOString(),
      };
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        record.status = response.status;
        record.response = (await response.text()).slice(0, 500);
      } catch (error) {
        // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a timeout).
        const cause = (error as { cause?: unknown }).cause;
        record.error =
          cause instanceof Error ? cause.message : error instanceof Error ? error.message : "";
      }
      this.attempts.push(record);
      this.options.onAttempt?.(record);
      if (record.status !== null && record.status >= 200 && record.status < 300) return;
      const wait = this.retryDelaysMs[attempt - 1];
      if (wait === undefined) return;
      await sleep(wait);
    }
  }
}

export type HostedOptions = WebhookOptions & {
  /**
   * How long after a paid checkout its events go out: 1500 ms by default, so the site's
   * success page is seen waiting for the confirmation first.
   */
  checkoutDeliveryDelayMs?: number;
};

/**
 * Registers the hosted pages, the test controls and `GET /` and `/_fake/health` (for a
 * readiness probe); answers the sender, whose `attempts` are the deliveries made.
 */
export function registerHostedRoutes(fake: FakeStripe, options: HostedOptions): WebhookSender {
  const webhooks = new WebhookSender(options);
  const checkoutDelay = options.checkoutDeliveryDelayMs ?? 1500;
  const link = (path: string) => `${fake.baseUrl ?? ""}${path}`;

  fake.route("GET", "/", () =>
    page(200, "Fake Stripe", html`<p>A local stand-in for Stripe's API and pages.</p>`),
  );
  fake.route("GET", "/_fake/health", () => ({ status: 200, body: { ok: true } }));

  // Checkout
  fake.route("GET", "/c/pay/:id", (request, s) => {
    const session = find(s, request.params.id, "checkout.session");
    if (!session) return notFoundPage();
    if (session.status !== "open") return closedCheckoutPage(session);
    return checkoutPage(s, session);
  });
  fake.route("POST", "/c/pay/:id", (request, s) => {
    const session = find(s, request.params.id, "checkout.session");
    if (!session) return notFoundPage();
    if (session.status !== "open") return closedCheckoutPage(session);
    const [line] = session.fake_line_items as { price: string; quantity: number }[];
    if (session.mode !== "subscription" || !line)
      return page(400, "Not supported", html`<p>The fake sells subscriptions only.</p>`);
    const customer =
      typeof session.customer === "string"
        ? session.customer
        : fakeCustomer(s, { email: session.customer_email as string | null }).id;
    const created = fakeSubscription(s, {
      customer,
      price: line.price,
      quantity: line.quantity,
      metadata: (session.fake_subscription_data as { metadata: Record<string, string> }).metadata,
    });
    const { subscription, invoice } = billSubscription(s, created.id, "paid", {
      billingReason: "subscription_create",
    });
    const completed = s.save({
      ...session,
      status: "complete",
      payment_status: "paid",
      customer,
      subscription: subscription.id,
      amount_total: invoice.amount_paid,
      currency: invoice.currency,
    });
    // Out of order on purpose: Stripe does not promise an order, and the site must not need one.
    webhooks.deliverLater(
      [
        fakeEvent(s, "invoice.paid", invoice),
        fakeEvent(s, "customer.subscription.created", subscription),
        fakeEvent(s, "checkout.session.completed", completed),
      ],
      checkoutDelay,
    );
    const successUrl = typeof session.success_url === "string" ? session.success_url : null;
    if (!successUrl) return page(200, "Payment complete", html`<p>You are subscribed.</p>`);
    return redirectResponse(successUrl.replaceAll("{CHECKOUT_SESSION_ID}", session.id));
  });

  // Customer portal: changes are delivered before the answer, so a test sees them at once.
  fake.route("GET", "/p/session/:id", (request, s) => {
    const session = find(s, request.params.id, "billing_portal.session");
    return session ? portalPage(s, session) : notFoundPage();
  });
  const portalChange = (cancel: boolean) => async (request: FakeRequest, s: FakeStripe) => {
    const session = find(s, request.params.id, "billing_portal.session");
    const subscription = find(s, request.params.subscription, "subscription");
    if (!session || !subscription || subscription.customer !== session.customer)
      return notFoundPage();
    if (subscription.status === "canceled")
      return page(409, "Already canceled", html`<p>This subscription has ended.</p>`);
    const changed = s.save({
      ...subscription,
      cancel_at_period_end: cancel,
      cancel_at: cancel ? periodOf(subscription).end : null,
      // Stripe records when the cancellation was asked for, and forgets it when undone.
      canceled_at: cancel ? s.now : null,
      cancellation_details: {
        reason: cancel ? "cancellation_requested" : null,
        comment: null,
        feedback: null,
      },
    });
    await webhooks.deliver([fakeEvent(s, "customer.subscription.updated", changed)]);
    return redirectResponse(link(`/p/session/${session.id}`));
  };
  fake.route("POST", "/p/session/:id/subscriptions/:subscription/cancel", portalChange(true));
  fake.route("POST", "/p/session/:id/subscriptions/:subscription/keep", portalChange(false));

  // Receipts (the PDF is the same page: enough for a link to lead somewhere).
  for (const path of ["/i/:id", "/i/:id/pdf"])
    fake.route("GET", path, (request, s) => {
      const invoice = find(s, request.params.id, "invoice");
      return invoice ? receiptPage(s, invoice) : notFoundPage();
    });

  // Test controls: what happens at Stripe later, delivered before the answer.
  /** Delivers a control's events, then answers what changed and how the deliveries went. */
  const control = async (
    events: StripeObject[],
    changed: { subscription: StripeObject; invoice?: StripeObject },
  ): Promise<FakeResponse> => {
    await webhooks.deliver(events);
    const ids = new Set(events.map((event) => event.id));
    return {
      status: 200,
      body: {
        subscription: changed.subscription,
        invoice: changed.invoice ?? null,
        events: events.map((event) => ({ id: event.id, type: event.type })),
        deliveries: webhooks.attempts.filter((attempt) => ids.has(attempt.eventId)),
      },
    };
  };
  fake.route("POST", "/_fake/subscriptions/:id/end", (request, s) => {
    const subscription = live(s, request.params.id);
    const ended = s.save({
      ...subscription,
      status: "canceled",
      ended_at: s.now,
      canceled_at: subscription.canceled_at ?? s.now,
    });
    return control([fakeEvent(s, "customer.subscription.deleted", ended)], { subscription: ended });
  });
  fake.route("POST", "/_fake/subscriptions/:id/fail", (request, s) => {
    const subscription = renewing(s, request.params.id);
    // Stripe starts the new period at the renewal, paid or not, and retries the invoice.
    const period = nextPeriod(subscription);
    setSubscriptionStatus(s, subscription.id, "past_due", {
      periodStart: period.start,
      periodEnd: period.end,
    });
    const billed = billSubscription(s, subscription.id, "open");
    return control(
      [
        fakeEvent(s, "invoice.payment_failed", billed.invoice),
        fakeEvent(s, "customer.subscription.updated", billed.subscription),
      ],
      billed,
    );
  });
  fake.route("POST", "/_fake/subscriptions/:id/renew", (request, s) => {
    const subscription = renewing(s, request.params.id);
    const latest = s.objects.get(String(subscription.latest_invoice));
    let invoice: StripeObject;
    if (latest?.object === "invoice" && latest.status === "open") {
      // A retry of the failed renewal worked: its period had already begun.
      invoice = payInvoice(s, latest.id);
      setSubscriptionStatus(s, subscription.id, "active");
    } else {
      const period = nextPeriod(subscription);
      setSubscriptionStatus(s, subscription.id, "active", {
        periodStart: period.start,
        periodEnd: period.end,
      });
      invoice = billSubscription(s, subscription.id, "paid").invoice;
    }
    const renewed = s.get(subscription.id, "subscription");
    return control(
      [
        fakeEvent(s, "invoice.paid", invoice),
        fakeEvent(s, "customer.subscription.updated", renewed),
      ],
      { subscription: renewed, invoice },
    );
  });
  fake.route("GET", "/_fake/deliveries", (request) => {
    const type = typeof request.body.type === "string" ? request.body.type : null;
    return {
      status: 200,
      body: webhooks.attempts.filter((attempt) => type === null || attempt.type === type),
    };
  });
  return webhooks;
}

function find(fake: FakeStripe, id: string | undefined, kind: string): StripeObject | null {
  const object = fake.objects.get(id ?? "");
  return object?.object === kind ? object : null;
}

/** A subscription a control may change: one that has not ended. */
function live(fake: FakeStripe, id: string | undefined): StripeObject {
  const subscription = fake.get(id ?? "", "subscription");
  if (subscription.status === "canceled")
    throw new FakeStripeError(409, "invalid_request_error", "This subscription has ended.");
  return subscription;
}

/** A subscription that renews at its period's end: live, and not cancelling then. */
function renewing(fake: FakeStripe, id: string | undefined): StripeObject {
  const subscription = live(fake, id);
  if (subscription.cancel_at_period_end === true)
    throw new FakeStripeError(
      409,
      "invalid_request_error",
      "This subscription cancels at the end of its period: end it instead.",
    );
  return subscription;
}

// Pages

/** Rendered markup, which `html` leaves as it is; anything else it escapes. */
class Markup {
  constructor(readonly text: string) {}
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function render(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/** A template of markup whose values are escaped, so a URL or a name cannot break the page. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(strings.reduce((out, part, index) => out + render(values[index - 1]) + part));
}

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1f36; background: #f6f9fc; }
main { max-width: 34rem; margin: 2rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
.test-mode { margin: 0; padding: .25rem; text-align: center; background: #ffde92; font-size: .85rem; }
.amount { font-size: 2rem; font-weight: 600; margin: 0; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; }
dt { color: #697386; } dd { margin: 0; }
section { border-top: 1px solid #e3e8ee; padding-top: 1rem; margin-top: 1rem; }
label { display: block; font-weight: 600; }
input { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; margin-bottom: 1rem; }
button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: 6px;
  background: #635bff; color: #fff; cursor: pointer; }
table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: .25rem 0; }
`;

function page(status: number, title: string, content: Markup): FakeResponse {
  return htmlResponse(
    status,
    html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · fake Stripe</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<p class="test-mode">Test mode: a local fake of Stripe. No money moves.</p>
<main>
<h1>${title}</h1>
${content}
</main>
</body>
</html>
`.text,
  );
}

function notFoundPage(): FakeResponse {
  return page(404, "Not found", html`<p>This link leads nowhere: it may be from another run.</p>`);
}

function closedCheckoutPage(session: StripeObject): FakeResponse {
  const back = session.status === "complete" ? session.success_url : session.cancel_url;
  const url = typeof back === "string" ? back.replaceAll("{CHECKOUT_SESSION_ID}", session.id) : "";
  return page(
    409,
    "This checkout is no longer open",
    html`<p>${session.status === "complete" ? "It has been paid already." : "It has expired."}</p>
${url ? html`<p><a href="${url}">Return to the site</a></p>` : ""}`,
  );
}

function date(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

function priceOf(subscription: StripeObject): StripeObject {
  const item = (subscription.items as { data: { price: StripeObject }[] }).data[0];
  return item?.price ?? ({ id: "", object: "price" } as StripeObject);
}

/** "per month", "every 3 months". */
function perInterval(price: StripeObject): string {
  const recurring = price.recurring as { interval?: string; interval_count?: number } | null;
  const interval = recurring?.interval ?? "month";
  const count = Number(recurring?.interval_count ?? 1);
  return count === 1 ? `per ${interval}` : `every ${count} ${interval}s`;
}

function productName(fake: FakeStripe, price: StripeObject): string {
  const product = fake.objects.get(String(price.product));
  return typeof product?.name === "string" ? product.name : "Subscription";
}

function emailOf(fake: FakeStripe, customer: unknown, fallback?: unknown): string {
  const stored = fake.objects.get(String(customer));
  const email = stored?.email ?? fallback;
  return typeof email === "string" ? email : "";
}

function checkoutPage(fake: FakeStripe, session: StripeObject): FakeResponse {
  const [line] = session.fake_line_items as { price: string; quantity: number }[];
  const price = fake.get(line?.price ?? "", "price");
  const amount = Number(price.unit_amount) * (line?.quantity ?? 1);
  const name = productName(fake, price);
  const email = emailOf(fake, session.customer, session.customer_email);
  const cancel = typeof session.cancel_url === "string" ? session.cancel_url : null;
  return page(
    200,
    `Subscribe to ${name}`,
    html`<p class="amount">${formatMoney(amount, String(price.currency))}</p>
<p>${perInterval(price)}${line && line.quantity > 1 ? ` (${line.quantity} seats)` : ""}</p>
<dl>
<dt>Plan</dt><dd>${name}</dd>
${email ? html`<dt>Email</dt><dd>${email}</dd>` : ""}
</dl>
<form method="post" action="/c/pay/${session.id}">
<label for="card">Card number</label>
<input id="card" name="card" value="4242 4242 4242 4242" readonly aria-describedby="card-note">
<p id="card-note">A test card: nothing is charged.</p>
<button type="submit">Pay and subscribe</button>
</form>
${cancel ? html`<p><a href="${cancel}">Cancel</a></p>` : ""}`,
  );
}

function statusLabel(status: unknown): string {
  const text = String(status).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function portalPage(fake: FakeStripe, session: StripeObject): FakeResponse {
  const subscriptions = fake
    .all("subscription")
    .filter(
      (s) =>
        s.customer === session.customer &&
        !["canceled", "incomplete_expired"].includes(String(s.status)),
    );
  const invoices = fake
    .all("invoice")
    .filter((invoice) => invoice.customer === session.customer)
    .sort((a, b) => Number(b.created) - Number(a.created));
  const email = emailOf(fake, session.customer);
  const back = typeof session.return_url === "string" ? session.return_url : null;
  const sections = subscriptions.map((subscription) => {
    const price = priceOf(subscription);
    const { end } = periodOf(subscription);
    const cancels = subscription.cancel_at_period_end === true;
    const action = `/p/session/${session.id}/subscriptions/${subscription.id}/${cancels ? "keep" : "cancel"}`;
    const heading = `plan-${subscription.id}`;
    return html`<section aria-labelledby="${heading}">
<h2 id="${heading}">${productName(fake, price)}</h2>
<p>${formatMoney(Number(price.unit_amount), String(price.currency))} ${perInterval(price)}</p>
<dl>
<dt>Status</dt><dd>${statusLabel(subscription.status)}</dd>
<dt>Current period ends</dt><dd>${date(end)}</dd>
</dl>
<p><strong>${cancels ? `Cancels on ${date(Number(subscription.cancel_at ?? end))}` : `Renews on ${date(end)}`}</strong></p>
<form method="post" action="${action}">
<button type="submit">${cancels ? "Don't cancel" : "Cancel plan"}</button>
</form>
</section>`;
  });
  return page(
    200,
    "Your subscription",
    html`${email ? html`<p>Signed in as ${email}</p>` : ""}
${sections.length > 0 ? sections : html`<p>You have no active subscription.</p>`}
${
  invoices.length > 0
    ? html`<section aria-labelledby="invoices">
<h2 id="invoices">Invoice history</h2>
<table>
<thead><tr><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead>
<tbody>${invoices.map(
        (invoice) =>
          html`<tr><td><a href="${invoice.hosted_invoice_url}">${date(Number(invoice.created))}</a></td><td>${formatMoney(Number(invoice.amount_due), String(invoice.currency))}</td><td>${statusLabel(invoice.status)}</td></tr>`,
      )}</tbody>
</table>
</section>`
    : ""
}
${back ? html`<p><a href="${back}">Return to Briefings</a></p>` : ""}`,
  );
}

function receiptPage(fake: FakeStripe, invoice: StripeObject): FakeResponse {
  const paid = invoice.status === "paid";
  const paidAt = (invoice.status_transitions as { paid_at?: number | null }).paid_at;
  const currency = String(invoice.currency);
  const lines = (invoice.lines as { data: Record<string, unknown>[] }).data;
  const subscription = invoiceSubscription(invoice);
  return page(
    200,
    paid ? `Receipt ${invoice.number}` : `Invoice ${invoice.number}`,
    html`<p class="amount">${formatMoney(Number(paid ? invoice.amount_paid : invoice.amount_due), currency)}</p>
<p>${paid ? "Paid" : "Due"}</p>
<dl>
<dt>Invoice number</dt><dd>${invoice.number}</dd>
<dt>Status</dt><dd>${statusLabel(invoice.status)}</dd>
${paid && paidAt ? html`<dt>Date paid</dt><dd>${date(paidAt)}</dd>` : ""}
<dt>Period</dt><dd>${date(Number(invoice.period_start))} – ${date(Number(invoice.period_end))}</dd>
<dt>Billed to</dt><dd>${emailOf(fake, invoice.customer, invoice.customer_email)}</dd>
${subscription ? html`<dt>Subscription</dt><dd>${subscription}</dd>` : ""}
</dl>
<table>
<thead><tr><th scope="col">Description</th><th scope="col">Amount</th></tr></thead>
<tbody>${lines.map((line) => html`<tr><td>${line.description}</td><td>${formatMoney(Number(line.amount), currency)}</td></tr>`)}</tbody>
</table>`,
  );
}
