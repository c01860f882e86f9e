export * from "./fake-stripe.ts";
