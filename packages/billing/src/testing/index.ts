export * from "./fake-stripe.ts";
export * from "./fake-stripe-checkout.ts";
export * from "./fake-stripe-subscriptions.ts";
