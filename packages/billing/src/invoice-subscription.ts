import type Stripe from "stripe";

/** An expandable Stripe field's id: the string itself, or the expanded object's id. */
export function idOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "id" in value && typeof value.id === "string")
    return value.id;
  return null;
}

/** The invoice's subscription: under parent.subscription_details since API 2025-03-31, else top-level. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const fromParent = idOf(invoice.parent?.subscription_details?.subscription);
  if (fromParent) return fromParent;
  return idOf((invoice as unknown as { subscription?: unknown }).subscription);
}
