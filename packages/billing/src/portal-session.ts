import { users } from "@briefings/db/schema";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import type { BillingContext, BillingResult } from "./checkout.ts";

/**
 * The member's Stripe customer portal (change card, switch interval, cancel, invoices), with
 * a way back to their account page. A member who never checked out has no Stripe customer and
 * nothing to manage there.
 */
export async function createPortalSession(
  context: BillingContext,
  userId: string,
): Promise<BillingResult> {
  const { db, stripe } = context;
  const appUrl = context.appUrl.replace(/\/+$/, "");
  const [user] = await db
    .select({ customerId: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user?.customerId) return { ok: false, status: 404, message: "no billing account to manage" };
  if (!stripe) return { ok: false, status: 503, message: "payment is not set up" };
  try {
    const session = await stripe.billingPortal.sessions.create({
      customer: user.customerId,
      return_url: `${appUrl}/account`,
    });
    return { ok: true, url: session.url };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError)
      return {
        ok: false,
        status: 502,
        message: "the payment service could not be reached: try again in a moment",
      };
    throw error;
  }
}
