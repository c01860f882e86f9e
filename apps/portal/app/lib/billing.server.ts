import { type BillingEnv, createStripe, readBillingEnv } from "@briefings/billing";
import type Stripe from "stripe";
import { appUrl } from "./auth.server.ts";
import { db } from "./db.server.ts";

/**
 * Billing's settings and Stripe client, made once per process. Without STRIPE_SECRET_KEY the
 * portal runs without payments: paid tiers say payment is not set up and admins grant
 * access instead. Without STRIPE_WEBHOOK_SECRET no webhook is believed (answered 503), so
 * subscriptions would only change through `npm run billing:reconcile`.
 */

let settings: BillingEnv | undefined;
let client: Stripe | null | undefined;

function billingEnv(): BillingEnv {
  settings ??= readBillingEnv();
  return settings;
}

/** The Stripe SDK, or null when no secret key is set. */
export function stripe(): Stripe | null {
  if (client === undefined) client = createStripe(billingEnv());
  return client;
}

/** Whether paid tiers can take payments here. */
export function billingConfigured(): boolean {
  return stripe() !== null;
}

/** The webhook endpoint's signing secret, or null when unset. */
export function webhookSecret(): string | null {
  return billingEnv().STRIPE_WEBHOOK_SECRET ?? null;
}

/** What checkout and the customer portal need: the database, Stripe, the public origin. */
export async function billingDeps(): Promise<{
  db: Awaited<ReturnType<typeof db>>;
  stripe: Stripe;
  appUrl: string;
} | null> {
  const sdk = stripe();
  if (!sdk) return null;
  return { db: await db(), stripe: sdk, appUrl: appUrl() };
}

/** A subscription as the member's own pages show it. */
export type MemberSubscription = {
  id: string;
  tierSlug: string;
  status: string;
  interval: "month" | "year";
  amount: number;
  currency: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  pastDueSince: string | null;
};

/** A receipt (or an unpaid invoice) as the member's account page lists it. */
export type MemberInvoice = {
  id: string;
  number: string | null;
  status: string;
  amountDue: number;
  amountPaid: number;
  currency: string;
  createdAt: string;
  paidAt: string | null;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
};

/** How many receipts the account page lists; the customer portal has them all. */
const RECEIPTS_SHOWN = 12;

/** The member's subscriptions, the ones that still matter first, newest first. */
export async function memberSubscriptions(userId: string): Promise<MemberSubscription[]> {
  const rows = await (await db()).query.subscriptions.findMany({
    where: (subscriptions, { eq }) => eq(subscriptions.userId, userId),
    orderBy: (subscriptions, { desc }) => [desc(subscriptions.createdAt)],
  });
  const holding = new Set(["active", "trialing", "past_due"]);
  return rows
    .map((row) => ({
      id: row.id,
      tierSlug: row.tierSlug,
      status: row.status,
      interval: row.interval,
      amount: row.amount,
      currency: row.currency,
      currentPeriodEnd: row.currentPeriodEnd.toISOString(),
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      canceledAt: row.canceledAt?.toISOString() ?? null,
      pastDueSince: row.pastDueSince?.toISOString() ?? null,
    }))
    .sort((a, b) => Number(holding.has(b.status)) - Number(holding.has(a.status)));
}

/** The member's latest invoices, newest first. */
export async function memberInvoices(userId: string): Promise<MemberInvoice[]> {
  const rows = await (await db()).query.invoices.findMany({
    where: (invoices, { and, eq, ne }) =>
      and(eq(invoices.userId, userId), ne(invoices.status, "draft")),
    orderBy: (invoices, { desc }) => [desc(invoices.createdAt)],
    limit: RECEIPTS_SHOWN,
  });
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    status: row.status,
    amountDue: row.amountDue,
    amountPaid: row.amountPaid,
    currency: row.currency,
    createdAt: row.createdAt.toISOString(),
    paidAt: row.paidAt?.toISOString() ?? null,
    hostedInvoiceUrl: row.hostedInvoiceUrl,
    invoicePdf: row.invoicePdf,
  }));
}

/** Whether a member has a Stripe customer (something to manage in the customer portal). */
export async function hasBillingAccount(userId: string): Promise<boolean> {
  const user = await (await db()).query.users.findFirst({
    where: (users, { eq }) => eq(users.id, userId),
    columns: { stripeCustomerId: true },
  });
  return Boolean(user?.stripeCustomerId);
}
