import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripe } from "../client.ts";
import { FakeStripe, type StripeObject } from "./fake-stripe.ts";
import { registerCheckoutRoutes } from "./fake-stripe-checkout.ts";
import { registerHostedRoutes, WebhookSender } from "./fake-stripe-hosted.ts";
import { registerInvoiceRoutes } from "./fake-stripe-invoices.ts";
import { fakeEvent, registerSubscriptionRoutes } from "./fake-stripe-subscriptions.ts";

const SECRET = "whsec_hosted_pages_test";
const APP = "http://portal.test";
const DAY = 24 * 60 * 60;

/** The site's webhook endpoint: checks every delivery with the real SDK, as the portal does. */
type Endpoint = {
  url: string;
  /** The deliveries whose signature held, in the order they arrived. */
  events: Stripe.Event[];
  contentTypes: (string | undefined)[];
  /** How many of the next deliveries to answer 500. */
  failNext: number;
  close: () => Promise<void>;
};

async function startEndpoint(): Promise<Endpoint> {
  const verifier = new Stripe("sk_test_x");
  const endpoint: Endpoint = {
    url: "",
    events: [],
    contentTypes: [],
    failNext: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (endpoint.failNext > 0) {
      endpoint.failNext -= 1;
      res.writeHead(500).end("down for a moment");
      return;
    }
    try {
      const signature = String(req.headers["stripe-signature"]);
      endpoint.events.push(verifier.webhooks.constructEvent(body, signature, SECRET));
      endpoint.contentTypes.push(req.headers["content-type"]);
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"received":true}');
    } catch (error) {
      res.writeHead(400).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  return endpoint;
}

/** Waits (polls) until `find` answers something, for what arrives after an answer. */
async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const objectOf = (event: Stripe.Event) => event.data.object as unknown as StripeObject;

/** The action of the form whose button says `label`, as a browser would post it. */
function formAction(page: string, label: string, base: string): string {
  const forms = page.split("<form").slice(1);
  const form = forms.find((markup) => markup.includes(`>${label}</button>`));
  const action = form ? /action="([^"]+)"/.exec(form)?.[1] : undefined;
  if (!action) throw new Error(`No form with a "${label}" button`);
  return new URL(action.replace(/&amp;/g, "&"), base).toString();
}

describe("the fake's hosted pages and webhook deliveries", () => {
  const fake = new FakeStripe();
  let endpoint: Endpoint;
  let webhooks: WebhookSender;
  let stripe: Stripe;
  let base: string;
  let price: Stripe.Price;

  beforeAll(async () => {
    endpoint = await startEndpoint();
    registerSubscriptionRoutes(fake);
    registerCheckoutRoutes(fake);
    registerInvoiceRoutes(fake);
    webhooks = registerHostedRoutes(fake, {
      urls: [endpoint.url],
      secret: SECRET,
      checkoutDeliveryDelayMs: 20,
      retryDelaysMs: [10, 30],
    });
    base = await fake.start();
    fake.baseUrl = base;
    stripe = createStripe({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_URL: base }) as Stripe;
    const product = await stripe.products.create({ name: "Alliance" });
    price = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 900,
      recurring: { interval: "month" },
    });
  });
  afterAll(async () => {
    await webhooks.settled();
    await fake.stop();
    await endpoint.close();
  });

  /** A checkout session as the portal creates one, for a new customer. */
  async function openCheckout(email: string) {
    const customer = await stripe.customers.create({ email });
    const metadata = { user_id: `user-${customer.id}`, tier_slug: "alliance" };
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      client_reference_id: metadata.user_id,
      metadata,
      subscription_data: { metadata },
      success_url: `${APP}/membership/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${APP}/membership`,
    });
    return { customer, session, metadata };
  }

  /** Pays a new checkout and waits for its three events: a member with a subscription. */
  async function subscribe(email: string) {
    const opened = await openCheckout(email);
    const before = endpoint.events.length;
    await fetch(opened.session.url ?? "", { method: "POST", redirect: "manual" });
    await waitFor(() => (endpoint.events.length >= before + 3 ? true : undefined), "3 events");
    const session = await stripe.checkout.sessions.retrieve(opened.session.id);
    return { ...opened, subscriptionId: String(session.subscription) };
  }

  it("shows the checkout page a session's url leads to: the price, the e-mail, a form to pay and a way back", async () => {
    const { session } = await openCheckout("reader@example.org");
    expect(session.url).toBe(`${base}/c/pay/${session.id}`);
    const response = await fetch(session.url ?? "");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain("<h1>Subscribe to Alliance</h1>");
    expect(page).toContain("$9.00");
    expect(page).toContain("per month");
    expect(page).toContain("reader@example.org");
    expect(page).toContain(`<form method="post" action="/c/pay/${session.id}">`);
    expect(page).toContain(">Pay and subscribe</button>");
    expect(page).toContain(`<a href="${APP}/membership">Cancel</a>`);
    expect((await fetch(`${base}/c/pay/cs_test_missing`)).status).toBe(404);
  });

  it("pays: an active subscription with the session's metadata and a paid invoice, the browser sent to the success URL, then the three events signed and out of order", async () => {
    const { session, customer, metadata } = await openCheckout("payer@example.org");
    const before = endpoint.events.length;
    const response = await fetch(session.url ?? "", { method: "POST", redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      `${APP}/membership/checkout/success?session_id=${session.id}`,
    );

    const completed = await stripe.checkout.sessions.retrieve(session.id);
    expect(completed).toMatchObject({
      status: "complete",
      payment_status: "paid",
      customer: customer.id,
    });
    const subscription = await stripe.subscriptions.retrieve(String(completed.subscription));
    expect(subscription).toMatchObject({ status: "active", customer: customer.id, metadata });
    expect(subscription.items.data[0]?.price.id).toBe(price.id);
    const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
    expect(invoice).toMatchObject({
      status: "paid",
      amount_paid: 900,
      billing_reason: "subscription_create",
      customer: customer.id,
    });

    const events = await waitFor(
      () => (endpoint.events.length >= before + 3 ? endpoint.events.slice(before) : undefined),
      "the checkout's events",
    );
    expect(events.map((event) => event.type)).toEqual([
      "invoice.paid",
      "customer.subscription.created",
      "checkout.session.completed",
    ]);
    expect(endpoint.contentTypes.slice(before)).toEqual(Array(3).fill("application/json"));
    const [paid, created, done] = events.map(objectOf);
    expect(paid?.id).toBe(invoice.id);
    expect(created).toMatchObject({ id: subscription.id, status: "active", metadata });
    expect(done).toMatchObject({
      id: session.id,
      client_reference_id: metadata.user_id,
      subscription: subscription.id,
      customer: customer.id,
    });
  });

  it("refuses to pay a completed checkout again (409), and delivers nothing more", async () => {
    const { session } = await subscribe("twice@example.org");
    const attempts = webhooks.attempts.length;
    const again = await fetch(session.url ?? "", { method: "POST", redirect: "manual" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("It has been paid already.");
    expect((await fetch(session.url ?? "")).status).toBe(409);
    await webhooks.settled();
    expect(webhooks.attempts.length).toBe(attempts);
  });

  it("keeps invoices a receipt can be made from: read, listed by customer, subscription and status, paged, with a receipt page", async () => {
    const { customer, subscriptionId } = await subscribe("receipts@example.org");
    await fetch(`${base}/_fake/subscriptions/${subscriptionId}/renew`, { method: "POST" });
    const listed = await stripe.invoices.list({ customer: customer.id, limit: 1 });
    expect(listed.has_more).toBe(true);
    const all = await stripe.invoices.list({ customer: customer.id }).autoPagingToArray({
      limit: 10,
    });
    expect(all.map((invoice) => invoice.billing_reason)).toEqual([
      "subscription_cycle",
      "subscription_create",
    ]);
    const bySubscription = await stripe.invoices.list({ subscription: subscriptionId });
    expect(bySubscription.data).toHaveLength(2);
    expect((await stripe.invoices.list({ customer: customer.id, status: "open" })).data).toEqual(
      [],
    );

    const [renewal, first] = all;
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    const item = subscription.items.data[0];
    expect(first).toMatchObject({
      number: expect.stringMatching(/^FAKE-\d{4}$/),
      amount_due: 900,
      amount_paid: 900,
      attempt_count: 1,
      customer_email: "receipts@example.org",
      hosted_invoice_url: `${base}/i/${first?.id}`,
      invoice_pdf: `${base}/i/${first?.id}/pdf`,
      status_transitions: { paid_at: fake.now },
    });
    expect(renewal).toMatchObject({
      period_start: item?.current_period_start,
      period_end: item?.current_period_end,
    });
    expect(renewal?.number).not.toBe(first?.number);
    const receipt = await fetch(first?.hosted_invoice_url ?? "");
    expect(receipt.status).toBe(200);
    const text = await receipt.text();
    expect(text).toContain(`<h1>Receipt ${first?.number}</h1>`);
    expect(text).toContain("$9.00");
    expect(text).toContain("1 × Alliance (at $9.00 / month)");
    expect((await fetch(first?.invoice_pdf ?? "")).status).toBe(200);
    await expect(stripe.invoices.retrieve("in_missing")).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });

  it("cancels at the period's end from the customer portal, and takes it back, delivering each change before answering", async () => {
    const { customer, subscriptionId } = await subscribe("portal@example.org");
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: `${APP}/account`,
    });
    expect(portal.url).toBe(`${base}/p/session/${portal.id}`);
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain("<h1>Your subscription</h1>");
    expect(page).toContain("$9.00 per month");
    expect(page).toContain("Active");
    expect(page).toContain(`<a href="${APP}/account">Return to Briefings</a>`);
    expect(page).not.toContain("Cancels on");

    const before = endpoint.events.length;
    const cancel = await fetch(formAction(page, "Cancel plan", base), {
      method: "POST",
      redirect: "manual",
    });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe(portal.url);
    const canceling = await stripe.subscriptions.retrieve(subscriptionId);
    const end = canceling.items.data[0]?.current_period_end;
    expect(canceling).toMatchObject({
      status: "active",
      cancel_at_period_end: true,
      cancel_at: end,
    });
    expect(endpoint.events.slice(before).map((event) => event.type)).toEqual([
      "customer.subscription.updated",
    ]);
    expect(objectOf(endpoint.events[before] as Stripe.Event)).toMatchObject({
      id: subscriptionId,
      cancel_at_period_end: true,
    });

    const after = await (await fetch(portal.url)).text();
    expect(after).toMatch(/Cancels on \d{1,2} \w+ \d{4}/);
    const keep = await fetch(formAction(after, "Don&#39;t cancel", base), {
      method: "POST",
      redirect: "manual",
    });
    expect(keep.status).toBe(303);
    expect(await stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
    });
    expect(endpoint.events.slice(before).map(objectOf)).toMatchObject([
      { cancel_at_period_end: true },
      { cancel_at_period_end: false },
    ]);
  });

  it("plays what happens at Stripe later: a renewal failing, then paid, the next one paid, the end after a cancellation", async () => {
    const { subscriptionId } = await subscribe("later@example.org");
    const control = async (action: string) => {
      const before = endpoint.events.length;
      const response = await fetch(`${base}/_fake/subscriptions/${subscriptionId}/${action}`, {
        method: "POST",
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        invoice: StripeObject | null;
        deliveries: { status: number }[];
      };
      expect(body.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
      const delivered = endpoint.events.slice(before);
      return { body, types: delivered.map((event) => event.type) };
    };
    const start = await stripe.subscriptions.retrieve(subscriptionId);
    const firstEnd = Number(start.items.data[0]?.current_period_end);

    const failed = await control("fail");
    expect(failed.types).toEqual(["invoice.payment_failed", "customer.subscription.updated"]);
    const pastDue = await stripe.subscriptions.retrieve(subscriptionId);
    expect(pastDue.status).toBe("past_due");
    expect(pastDue.items.data[0]?.current_period_start).toBe(firstEnd);
    const open = await stripe.invoices.retrieve(String(pastDue.latest_invoice));
    expect(open).toMatchObject({ status: "open", attempt_count: 1, amount_paid: 0 });

    const retried = await control("renew");
    expect(retried.types).toEqual(["invoice.paid", "customer.subscription.updated"]);
    expect(retried.body.invoice).toMatchObject({ id: open.id, status: "paid", attempt_count: 2 });
    const recovered = await stripe.subscriptions.retrieve(subscriptionId);
    expect(recovered.status).toBe("active");
    expect(recovered.items.data[0]?.current_period_start).toBe(firstEnd);

    const renewed = await control("renew");
    expect(renewed.types).toEqual(["invoice.paid", "customer.subscription.updated"]);
    const next = await stripe.subscriptions.retrieve(subscriptionId);
    expect(next.items.data[0]?.current_period_start).toBe(firstEnd + 30 * DAY);
    expect(next.latest_invoice).toBe(renewed.body.invoice?.id);

    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    expect(
      (await fetch(`${base}/_fake/subscriptions/${subscriptionId}/renew`, { method: "POST" }))
        .status,
    ).toBe(409);
    const ended = await control("end");
    expect(ended.types).toEqual(["customer.subscription.deleted"]);
    expect(await stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      status: "canceled",
      ended_at: fake.now,
    });
    expect(
      (await fetch(`${base}/_fake/subscriptions/${subscriptionId}/end`, { method: "POST" })).status,
    ).toBe(409);
  });

  it("tries a refused delivery again, keeps every try, and lists them at /_fake/deliveries", async () => {
    const { subscriptionId } = await subscribe("retry@example.org");
    endpoint.failNext = 2;
    const before = endpoint.events.length;
    const response = await fetch(`${base}/_fake/subscriptions/${subscriptionId}/end`, {
      method: "POST",
    });
    const { deliveries } = (await response.json()) as {
      deliveries: { attempt: number; status: number; endpoint: string; type: string }[];
    };
    expect(deliveries).toMatchObject([
      { attempt: 1, status: 500, endpoint: endpoint.url, type: "customer.subscription.deleted" },
      { attempt: 2, status: 500 },
      { attempt: 3, status: 200 },
    ]);
    expect(endpoint.events.slice(before).map((event) => event.type)).toEqual([
      "customer.subscription.deleted",
    ]);
    const listed = (await (
      await fetch(`${base}/_fake/deliveries?type=customer.subscription.deleted`)
    ).json()) as { eventId: string; status: number }[];
    expect(listed.slice(-3).map((delivery) => delivery.status)).toEqual([500, 500, 200]);
    expect((await fetch(`${base}/_fake/health`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it("gives up on an endpoint it cannot reach after three tries", async () => {
    const closed = await startEndpoint();
    await closed.close();
    const sender = new WebhookSender({ urls: [closed.url], secret: SECRET, retryDelaysMs: [5, 5] });
    const event = fakeEvent(fake, "invoice.paid", { id: "in_x", object: "invoice" });
    await sender.deliver([event]);
    expect(sender.attempts).toMatchObject([
      { eventId: event.id, attempt: 1, status: null, error: expect.stringMatching(/ECONNREFUSED/) },
      { attempt: 2, status: null },
      { attempt: 3, status: null },
    ]);
  });
});

describe("npm run fake-stripe", () => {
  const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const tsx = path.resolve(packageDir, "../../node_modules/.bin/tsx");

  /** Starts the server and answers its process and the lines it printed so far. */
  function run(env: Record<string, string>) {
    const child = spawn(tsx, ["src/cli/fake-stripe-server.ts"], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (chunk) => {
      output.stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output.stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { child, output, exited };
  }

  it("listens on the port it is given, answers its health check, and stops on SIGTERM", async () => {
    const port = await freePort();
    const server = run({
      FAKE_STRIPE_PORT: String(port),
      FAKE_STRIPE_WEBHOOK_SECRET: SECRET,
      FAKE_STRIPE_WEBHOOK_URL: "http://127.0.0.1:1/a, http://127.0.0.1:1/b",
    });
    try {
      await waitFor(
        () => (server.output.stdout.includes("listening") ? true : undefined),
        "the server",
        20_000,
      );
      expect(server.output.stdout).toContain(
        `fake Stripe listening on http://127.0.0.1:${port}, delivering webhooks to http://127.0.0.1:1/a, http://127.0.0.1:1/b`,
      );
      expect((await fetch(`http://127.0.0.1:${port}/_fake/health`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  }, 30_000);

  it("exits 2 without its required settings", async () => {
    const server = run({ FAKE_STRIPE_PORT: "not a port" });
    expect(await server.exited).toBe(2);
    expect(server.output.stderr).toMatch(/FAKE_STRIPE_PORT/);
    expect(server.output.stderr).toMatch(/FAKE_STRIPE_WEBHOOK_SECRET/);
  }, 30_000);
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
