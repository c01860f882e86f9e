import { type Db, schema } from "@briefings/db/client";
import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { invoiceSubscriptionId } from "./invoice-subscription.ts";

/**
 * Keeping the `invoices` table what Stripe last said, like subscriptions: an invoice is
 * refetched on each of its events, never taken from the payload. Invoices are the member's
 * receipts and the admins' failed payments; they never decide access.
 */

export type InvoiceSyncResult =
  | { ok: true; invoiceId: string; userId: string; status: string }
  | { ok: false; invoiceId: string; error: "invoice_not_found" | "unknown_customer" };

const STATUSES = new Set(["draft", "open", "paid", "uncollectible", "void"]);

function isMissing(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (("code" in error && error.code === "resource_missing") ||
      ("statusCode" in error && error.statusCode === 404))
  );
}

function date(seconds: number | null | undefined): Date | null {
  return typeof seconds === "number" ? new Date(seconds * 1000) : null;
}

/** Refetches an invoice from Stripe and stores it for the member whose customer it bills. */
export async function syncInvoice(
  db: Db,
  stripe: Stripe,
  invoiceId: string,
): Promise<InvoiceSyncResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`invoice:${invoiceId}`}))`);
    let invoice: Stripe.Invoice;
    try {
      invoice = await stripe.invoices.retrieve(invoiceId);
    } catch (error) {
      if (isMissing(error)) return { ok: false, invoiceId, error: "invoice_not_found" };
      throw error;
    }
    return storeInvoice(tx, invoice);
  });
}

/** Stores an invoice just fetched from Stripe (never an event payload's copy). */
export async function storeInvoice(tx: Db, invoice: Stripe.Invoice): Promise<InvoiceSyncResult> {
  const invoiceId = invoice.id ?? "";
  const customerId =
    typeof invoice.customer === "string" ? invoice.customer : (invoice.customer?.id ?? null);
  const [member] = customerId
    ? await tx
        .select({ id: schema.users.id })
        .from(schema.users)
        .where(eq(schema.users.stripeCustomerId, customerId))
        .limit(1)
    : [];
  if (!member) return { ok: false, invoiceId, error: "unknown_customer" };
  const status = STATUSES.has(invoice.status ?? "") ? (invoice.status as string) : "draft";
  const values = {
    userId: member.id,
    subscriptionId: invoiceSubscriptionId(invoice),
    status,
    number: invoice.number ?? null,
    amountDue: invoice.amount_due ?? 0,
    amountPaid: invoice.amount_paid ?? 0,
    currency: invoice.currency ?? "usd",
    attemptCount: invoice.attempt_count ?? 0,
    billingReason: invoice.billing_reason ?? null,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    invoicePdf: invoice.invoice_pdf ?? null,
    periodStart: date(invoice.period_start),
    periodEnd: date(invoice.period_end),
    createdAt: date(invoice.created) ?? new Date(),
    paidAt: date(invoice.status_transitions?.paid_at),
    updatedAt: new Date(),
  };
  await tx
    .insert(schema.invoices)
    .values({ id: invoiceId, ...values })
    .onConflictDoUpdate({ target: schema.invoices.id, set: values });
  return { ok: true, invoiceId, userId: member.id, status };
}
