import Stripe from "stripe";
import type { BillingEnv } from "./env.ts";

/**
 * The Stripe SDK, configured from the settings; null when no secret key is set (the portal
 * then runs without payments). STRIPE_API_URL points it at another server (the tests' fake).
 */
export function createStripe(
  env: Pick<BillingEnv, "STRIPE_SECRET_KEY" | "STRIPE_API_URL">,
): Stripe | null {
  if (!env.STRIPE_SECRET_KEY) return null;
  const base = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : null;
  return new Stripe(env.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}
