export * from "./fake-stripe.ts";
export * from "./fake-stripe-checkout.ts";
export * from "./fake-stripe-hosted.ts";
export * from "./fake-stripe-invoices.ts";
export * from "./fake-stripe-subscriptions.ts";
