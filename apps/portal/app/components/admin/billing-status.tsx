import { formatPrice } from "@briefings/core";
import type { ReactNode } from "react";

/**
 * How the back office names billing states and amounts: Stripe's subscription and invoice
 * statuses in words, and amounts with their currency (minor units in, "US$49.00" out).
 */

const SUBSCRIPTION_STATUS_LABELS: Record<string, string> = {
  active: "Active",
  trialing: "Trialing",
  past_due: "Past due",
  canceled: "Canceled",
  unpaid: "Unpaid",
  incomplete: "Incomplete",
  incomplete_expired: "Incomplete (expired)",
  paused: "Paused",
};

const INVOICE_STATUS_LABELS: Record<string, string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  uncollectible: "Uncollectible",
  void: "Void",
};

/** A label for a Stripe subscription status; unknown ones are shown as they are. */
export function subscriptionStatusLabel(status: string): string {
  return SUBSCRIPTION_STATUS_LABELS[status] ?? status;
}

/** A label for a Stripe invoice status; unknown ones are shown as they are. */
export function invoiceStatusLabel(status: string): string {
  return INVOICE_STATUS_LABELS[status] ?? status;
}

/** "US$49.00 a month", or the amount alone without an interval. */
export function formatAmount(minor: number, currency: string, interval?: "month" | "year"): string {
  const amount = formatPrice(minor, currency);
  if (interval === undefined) return amount;
  return `${amount} ${interval === "year" ? "a year" : "a month"}`;
}

const TONES: Record<string, string> = {
  active: "bg-emerald-50 text-emerald-900",
  trialing: "bg-sky-50 text-sky-900",
  past_due: "bg-amber-50 text-amber-900",
  unpaid: "bg-red-50 text-red-800",
};

/** A subscription's status, with "cancels at period end" when it is set to. */
export function SubscriptionStatus({
  status,
  cancelAtPeriodEnd = false,
}: {
  status: string;
  cancelAtPeriodEnd?: boolean;
}) {
  const canceling = cancelAtPeriodEnd && status !== "canceled";
  return (
    <span
      data-subscription-status={canceling ? "canceling" : status}
      className={`rounded px-1.5 py-0.5 font-medium ${TONES[status] ?? "bg-slate-100 text-slate-800"}`}
    >
      {subscriptionStatusLabel(status)}
      {canceling ? ", cancels at period end" : ""}
    </span>
  );
}

/** A link to a page of Stripe's (an invoice, the dashboard), only ever to an https address. */
export function StripeLink({ href, children }: { href: string | null; children: ReactNode }) {
  const safe = href?.startsWith("https://") ? href : null;
  if (safe === null) return null;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}
