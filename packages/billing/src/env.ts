import { z } from "zod";

const optional = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const envSchema = z.object({
  /** Stripe's secret key (sk_test_… or sk_live_…); unset, paid tiers say payment is not set up. */
  STRIPE_SECRET_KEY: optional,
  /** The signing secret of the webhook endpoint (whsec_…). */
  STRIPE_WEBHOOK_SECRET: optional,
  /**
   * Where the Stripe API is (tests point the real SDK at a local fake); unset: Stripe's own.
   * An http(s) URL, e.g. http://127.0.0.1:12111.
   */
  STRIPE_API_URL: optional.refine((value) => value === undefined || /^https?:\/\//.test(value), {
    message: "STRIPE_API_URL must be an http(s) URL",
  }),
});

export type BillingEnv = z.infer<typeof envSchema>;

/** The billing settings, read once from the environment and checked. */
export function readBillingEnv(source: NodeJS.ProcessEnv = process.env): BillingEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new Error(
      `Invalid billing settings: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}
