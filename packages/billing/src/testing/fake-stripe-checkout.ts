import {
  type FakeStripe,
  FakeStripeError,
  notFound,
  type Params,
  type StripeObject,
} from "./fake-stripe.ts";

/**
 * The fake's catalogue, checkout and billing portal endpoints: products, prices (with
 * lookup keys and transfer_lookup_key), Checkout Sessions and customer portal sessions.
 * Customers and subscriptions are registered by another module (or by a test): a checkout
 * or portal session only checks that the customer it names is among the fake's objects.
 * With a base URL, a session's `url` is the fake's own page (./fake-stripe-hosted.ts).
 */

const bool = (value: unknown) => value === true || value === "true";
const record = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
/** An array parameter: `a[0]=x&a[1]=y` (the SDK) or `a[]=x` (curl) decode differently. */
const list = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : value && typeof value === "object"
      ? Object.values(value).map(String)
      : typeof value === "string"
        ? [value]
        : [];

function required(body: Params, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "")
    throw new FakeStripeError(400, "invalid_request_error", `Missing required param: ${name}.`);
  return value;
}

export function registerCheckoutRoutes(fake: FakeStripe): FakeStripe {
  // Products
  fake.route("GET", "/v1/products", (request, s) =>
    s.list("product", request.body, (product) =>
      request.body.active === undefined ? true : product.active === bool(request.body.active),
    ),
  );
  fake.route("POST", "/v1/products", (request, s) =>
    s.save({
      id: s.newId("prod"),
      object: "product",
      active: request.body.active === undefined ? true : bool(request.body.active),
      created: s.now,
      updated: s.now,
      name: required(request.body, "name"),
      description: request.body.description ?? null,
      metadata: record(request.body.metadata),
      livemode: false,
    }),
  );
  fake.route("GET", "/v1/products/:id", (request, s) => s.get(request.params.id ?? "", "product"));
  fake.route("POST", "/v1/products/:id", (request, s) => {
    const product = s.get(request.params.id ?? "", "product");
    const { body } = request;
    return s.save({
      ...product,
      ...(typeof body.name === "string" ? { name: body.name } : {}),
      ...(body.active !== undefined ? { active: bool(body.active) } : {}),
      ...(body.metadata !== undefined
        ? { metadata: { ...record(product.metadata), ...record(body.metadata) } }
        : {}),
      updated: s.now,
    });
  });

  // Prices
  fake.route("GET", "/v1/prices", (request, s) => {
    const keys = request.body.lookup_keys === undefined ? null : list(request.body.lookup_keys);
    const { product, active } = request.body;
    return s.list("price", request.body, (price) => {
      if (keys && !keys.includes(String(price.lookup_key))) return false;
      if (typeof product === "string" && price.product !== product) return false;
      if (active !== undefined && price.active !== bool(active)) return false;
      return true;
    });
  });
  fake.route("POST", "/v1/prices", (request, s) => {
    const { body } = request;
    const product = s.get(required(body, "product"), "product");
    const currency = required(body, "currency").toLowerCase();
    const amount = Number(required(body, "unit_amount"));
    if (!Number.isInteger(amount) || amount < 0)
      throw new FakeStripeError(400, "invalid_request_error", "Invalid integer: unit_amount");
    const recurring = record(body.recurring);
    if (recurring.interval && !["day", "week", "month", "year"].includes(recurring.interval))
      throw new FakeStripeError(400, "invalid_request_error", "Invalid recurring[interval]");
    const key = typeof body.lookup_key === "string" ? body.lookup_key : null;
    if (key) {
      const holders = s.all("price").filter((price) => price.lookup_key === key);
      if (holders.length > 0 && !bool(body.transfer_lookup_key))
        throw new FakeStripeError(
          400,
          "invalid_request_error",
          `A price (\`${holders[0]?.id}\`) already uses that lookup key.`,
        );
      for (const holder of holders) s.save({ ...holder, lookup_key: null });
    }
    return s.save({
      id: s.newId("price"),
      object: "price",
      active: true,
      created: s.now,
      currency,
      unit_amount: amount,
      type: recurring.interval ? "recurring" : "one_time",
      recurring: recurring.interval
        ? {
            interval: recurring.interval,
            interval_count: Number(recurring.interval_count ?? 1),
            usage_type: "licensed",
          }
        : null,
      lookup_key: key,
      product: product.id,
      metadata: record(body.metadata),
      livemode: false,
    });
  });
  fake.route("GET", "/v1/prices/:id", (request, s) => s.get(request.params.id ?? "", "price"));
  fake.route("POST", "/v1/prices/:id", (request, s) => {
    const price = s.get(request.params.id ?? "", "price");
    return s.save({
      ...price,
      ...(request.body.active !== undefined ? { active: bool(request.body.active) } : {}),
    });
  });

  // Checkout Sessions
  fake.route("POST", "/v1/checkout/sessions", (request, s) => {
    const { body } = request;
    const mode = required(body, "mode");
    const items = Array.isArray(body.line_items) ? (body.line_items as Params[]) : [];
    if (items.length === 0)
      throw new FakeStripeError(
        400,
        "invalid_request_error",
        "Missing required param: line_items.",
      );
    for (const item of items) {
      const price = s.get(String(item.price ?? ""), "price");
      if (!price.active)
        throw new FakeStripeError(
          400,
          "invalid_request_error",
          `The price specified is inactive: ${price.id}`,
        );
      if (mode === "subscription" && price.type !== "recurring")
        throw new FakeStripeError(
          400,
          "invalid_request_error",
          "In subscription mode, every price must be recurring.",
        );
    }
    const customer = typeof body.customer === "string" ? body.customer : null;
    if (customer) customerOf(s, customer);
    const id = s.newId("cs_test");
    return s.save({
      id,
      object: "checkout.session",
      mode,
      status: "open",
      payment_status: "unpaid",
      created: s.now,
      expires_at: body.expires_at ? Number(body.expires_at) : s.now + 24 * 3600,
      customer,
      customer_email: body.customer_email ?? null,
      client_reference_id: body.client_reference_id ?? null,
      metadata: record(body.metadata),
      success_url: body.success_url ?? null,
      cancel_url: body.cancel_url ?? null,
      subscription: null,
      /** Not Stripe's: the fake keeps what the session sells, for tests (Stripe expands line_items). */
      fake_line_items: items.map((item) => ({
        price: String(item.price),
        quantity: Number(item.quantity ?? 1),
      })),
      fake_subscription_data: {
        metadata: record(record(body.subscription_data as unknown).metadata),
      },
      url: `${s.baseUrl ?? "https://checkout.stripe.com"}/c/pay/${id}`,
      livemode: false,
    });
  });
  fake.route("GET", "/v1/checkout/sessions", (request, s) =>
    s.list(
      "checkout.session",
      request.body,
      (session) =>
        (request.body.customer === undefined || session.customer === request.body.customer) &&
        (request.body.status === undefined || session.status === request.body.status),
    ),
  );
  fake.route("POST", "/v1/checkout/sessions/:id/expire", (request, s) => {
    const session = s.get(request.params.id ?? "", "checkout.session");
    if (session.status !== "open")
      throw new FakeStripeError(
        400,
        "invalid_request_error",
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
      );
    return s.save({ ...session, status: "expired" });
  });
  fake.route("GET", "/v1/checkout/sessions/:id", (request, s) =>
    s.get(request.params.id ?? "", "checkout.session"),
  );

  // Customer portal
  fake.route("POST", "/v1/billing_portal/sessions", (request, s) => {
    const customer = customerOf(s, required(request.body, "customer"));
    const id = s.newId("bps");
    return s.save({
      id,
      object: "billing_portal.session",
      created: s.now,
      customer: customer.id,
      return_url: request.body.return_url ?? null,
      url: `${s.baseUrl ?? "https://billing.stripe.com"}/p/session/${id}`,
      livemode: false,
    });
  });
  return fake;
}

function customerOf(fake: FakeStripe, id: string): StripeObject {
  const customer = fake.objects.get(id);
  if (customer?.object !== "customer" || customer.deleted) notFound("customer", id);
  return customer;
}
