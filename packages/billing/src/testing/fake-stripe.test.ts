import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripe } from "../client.ts";
import { decodeParams, FakeStripe } from "./fake-stripe.ts";

describe("decodeParams", () => {
  it("decodes the SDK's bracket notation", () => {
    const params = decodeParams(
      new URLSearchParams(
        "mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=1&metadata[user_id]=u1&expand[0]=subscription",
      ),
    );
    expect(params).toEqual({
      mode: "subscription",
      line_items: [{ price: "price_1", quantity: "1" }],
      metadata: { user_id: "u1" },
      expand: ["subscription"],
    });
  });
});

describe("the fake Stripe API, through the real SDK", () => {
  const fake = new FakeStripe();
  let stripe: Stripe;
  beforeAll(async () => {
    fake.route("POST", "/v1/customers", (request, s) =>
      s.save({ id: s.newId("cus"), object: "customer", created: s.now, email: request.body.email }),
    );
    fake.route("GET", "/v1/customers/:id", (request, s) =>
      s.get(request.params.id ?? "", "customer"),
    );
    const url = await fake.start();
    stripe = createStripe({ STRIPE_SECRET_KEY: "sk_test_fake", STRIPE_API_URL: url }) as Stripe;
  });
  afterAll(() => fake.stop());

  it("answers in Stripe's shapes, and errors as the SDK's own error types", async () => {
    const customer = await stripe.customers.create({ email: "member@example.org" });
    expect(customer.id).toMatch(/^cus_/);
    expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
    await expect(stripe.customers.retrieve("cus_missing")).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );
  });

  it("answers a repeated idempotency key with the first answer, and refuses it with other parameters", async () => {
    const first = await stripe.customers.create(
      { email: "a@example.org" },
      { idempotencyKey: "k1" },
    );
    const again = await stripe.customers.create(
      { email: "a@example.org" },
      { idempotencyKey: "k1" },
    );
    expect(again.id).toBe(first.id);
    await expect(
      stripe.customers.create({ email: "b@example.org" }, { idempotencyKey: "k1" }),
    ).rejects.toThrow(/same parameters/);
  });
});
