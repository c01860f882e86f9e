import { handleStripeWebhook } from "@briefings/billing";
import { stripe, webhookSecret } from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { logger } from "#app/lib/logger.server.ts";
import type { Route } from "./+types/stripe";

/**
 * Stripe's webhook endpoint (POST /webhooks/stripe). The signature is checked over the raw
 * body exactly as received, so the body is read as bytes here and nothing parses it first.
 * The origin check exempts /webhooks/: Stripe is not a browser, its signature is the proof.
 */

/** Stripe's events are a few kilobytes; anything far larger is not one. */
const MAX_BODY_BYTES = 512 * 1024;

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** The body as bytes, or null when it is larger than the limit (read no further). */
async function readBody(request: Request): Promise<Buffer | null> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) return null;
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function action({ request }: Route.ActionArgs) {
  if (request.method !== "POST")
    return reply(405, { received: false, error: "Stripe webhooks are POSTed." });
  const sdk = stripe();
  const secret = webhookSecret();
  if (!sdk || !secret)
    return reply(503, {
      received: false,
      error:
        "Billing is not configured here: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are needed.",
    });
  if (!request.headers.get("Stripe-Signature"))
    return reply(400, { received: false, error: "Missing Stripe-Signature header." });
  const body = await readBody(request);
  if (body === null)
    return reply(413, { received: false, error: `The body is over ${MAX_BODY_BYTES} bytes.` });
  const result = await handleStripeWebhook(
    { db: await db(), stripe: sdk, webhookSecret: secret },
    body,
    request.headers.get("Stripe-Signature"),
  );
  const summary = result.body.received
    ? {
        eventId: result.body.eventId,
        type: result.body.type,
        outcome: result.body.outcome,
        subscriptionId: result.body.subscriptionId,
      }
    : { error: result.body.error };
  if (result.status === 500) logger.error(summary, "stripe webhook failed: Stripe will retry");
  else if (result.status === 400) logger.warn(summary, "stripe webhook refused");
  else if (result.body.received && result.body.outcome === "rejected")
    logger.warn({ ...summary, message: result.body.message }, "stripe webhook not applied");
  else logger.info(summary, "stripe webhook");
  return reply(result.status, result.body);
}

/** A GET is not a delivery: say what this address is for. */
export function loader() {
  return reply(405, { received: false, error: "Stripe webhooks are POSTed." });
}
