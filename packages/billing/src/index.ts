export * from "./checkout.ts";
export * from "./client.ts";
export * from "./env.ts";
export * from "./portal-session.ts";
export * from "./prices.ts";
export * from "./reconcile.ts";
export * from "./sync-subscription.ts";
export * from "./webhook.ts";
