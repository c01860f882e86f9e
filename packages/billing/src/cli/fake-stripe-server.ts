/**
 * The fake Stripe as a server of its own, for the browser tests (like their mail catcher):
 * the portal's STRIPE_API_URL points at it, its checkout and customer portal pages are what
 * the browser pays and cancels on, and it delivers signed webhooks to the portal.
 *
 *   npm run fake-stripe -w @briefings/billing
 *   npx tsx packages/billing/src/cli/fake-stripe-server.ts
 *
 * Settings:
 * - FAKE_STRIPE_PORT (required): it listens on http://127.0.0.1:<port>, which is also the
 *   base of its pages' URLs.
 * - FAKE_STRIPE_WEBHOOK_SECRET (required): the secret deliveries are signed with (the
 *   portal's STRIPE_WEBHOOK_SECRET).
 * - FAKE_STRIPE_WEBHOOK_URL: where events are delivered, one URL or several separated by
 *   commas; unset, events are only stored (GET /v1/events).
 * - FAKE_STRIPE_DELIVERY_DELAY_MS: how long after a paid checkout its events go out (1500).
 *
 * GET /_fake/health answers 200 once it listens; GET /_fake/deliveries lists the deliveries.
 * It logs one line when ready and one per delivery attempt. Exit code 2 on bad settings.
 */
import { z } from "zod";
import { FakeStripe } from "../testing/fake-stripe.ts";
import { registerCheckoutRoutes } from "../testing/fake-stripe-checkout.ts";
import { type DeliveryAttempt, registerHostedRoutes } from "../testing/fake-stripe-hosted.ts";
import { registerInvoiceRoutes } from "../testing/fake-stripe-invoices.ts";
import { registerSubscriptionRoutes } from "../testing/fake-stripe-subscriptions.ts";

const envSchema = z.object({
  FAKE_STRIPE_PORT: z.coerce.number().int().min(1).max(65_535),
  FAKE_STRIPE_WEBHOOK_SECRET: z.string().trim().min(1),
  FAKE_STRIPE_WEBHOOK_URL: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((url) => url.trim())
        .filter((url) => url !== ""),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
  FAKE_STRIPE_DELIVERY_DELAY_MS: z.coerce.number().int().min(0).optional(),
});

function readEnv(source: NodeJS.ProcessEnv) {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  console.error(`fake-stripe: invalid settings: ${issues.join("; ")}`);
  process.exit(2);
}

function describe(attempt: DeliveryAttempt): string {
  const outcome = attempt.status === null ? `unreachable (${attempt.error})` : attempt.status;
  return `webhook ${attempt.type} ${attempt.eventId} → ${attempt.endpoint}, try ${attempt.attempt}: ${outcome}`;
}

const env = readEnv(process.env);
// A long-lived server: its clock runs, so what is made a minute later is a minute newer.
const fake = new FakeStripe({ clock: "wall" });
registerSubscriptionRoutes(fake);
registerCheckoutRoutes(fake);
registerInvoiceRoutes(fake);
const webhooks = registerHostedRoutes(fake, {
  urls: env.FAKE_STRIPE_WEBHOOK_URL,
  secret: env.FAKE_STRIPE_WEBHOOK_SECRET,
  ...(env.FAKE_STRIPE_DELIVERY_DELAY_MS !== undefined
    ? { checkoutDeliveryDelayMs: env.FAKE_STRIPE_DELIVERY_DELAY_MS }
    : {}),
  onAttempt: (attempt) => console.log(describe(attempt)),
});
try {
  fake.baseUrl = await fake.start({ port: env.FAKE_STRIPE_PORT });
} catch (error) {
  console.error(`fake-stripe: cannot listen on port ${env.FAKE_STRIPE_PORT}: ${String(error)}`);
  process.exit(1);
}
const endpoints = env.FAKE_STRIPE_WEBHOOK_URL.join(", ") || "nowhere";
console.log(`fake Stripe listening on ${fake.baseUrl}, delivering webhooks to ${endpoints}`);

async function stop() {
  webhooks.cancelScheduled();
  // A browser may hold a connection open: do not wait on it for long.
  await Promise.race([fake.stop(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  process.exit(0);
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
