import { formatPrice } from "@briefings/core";
import { Form, Link } from "react-router";
import { SubmitButton } from "#app/components/forms.tsx";
import { formatDate } from "#app/lib/format.ts";

/** A subscription as the account page shows it (the loader names its tier). */
export type AccountSubscription = {
  id: string;
  tierName: string;
  status: string;
  interval: "month" | "year";
  amount: number;
  currency: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
};

export type AccountInvoice = {
  id: string;
  number: string | null;
  status: string;
  amountDue: number;
  amountPaid: number;
  currency: string;
  createdAt: string;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
};

export type AccountBilling = {
  configured: boolean;
  hasAccount: boolean;
  subscriptions: AccountSubscription[];
  invoices: AccountInvoice[];
};

const STATUS_LABELS: Record<string, string> = {
  active: "Active",
  trialing: "Trial",
  past_due: "Payment failed: retrying",
  unpaid: "Unpaid",
  canceled: "Ended",
  incomplete: "Awaiting first payment",
  incomplete_expired: "Not started",
  paused: "Paused",
};

const INVOICE_LABELS: Record<string, string> = {
  paid: "Paid",
  open: "Due",
  uncollectible: "Not collected",
  void: "Void",
};

/** What the subscription does next, in words. */
function nextStep(subscription: AccountSubscription): string {
  const end = formatDate(subscription.currentPeriodEnd);
  switch (subscription.status) {
    case "active":
    case "trialing":
      return subscription.cancelAtPeriodEnd ? `Ends on ${end}` : `Renews on ${end}`;
    case "past_due":
      return "Update your card: access stops if the payment keeps failing";
    case "canceled":
      return subscription.canceledAt ? `Cancelled on ${formatDate(subscription.canceledAt)}` : "";
    default:
      return "";
  }
}

/** Plan, status, next renewal and receipts, with the way to Stripe's customer portal. */
export function BillingSection({
  billing,
  className,
}: {
  billing: AccountBilling;
  className: string;
}) {
  const { subscriptions, invoices } = billing;
  if (subscriptions.length === 0 && invoices.length === 0 && !billing.hasAccount) return null;
  return (
    <section id="billing" aria-labelledby="billing-heading" className={className}>
      <h2 id="billing-heading" className="text-xl font-semibold">
        Subscription and receipts
      </h2>
      {subscriptions.length > 0 ? (
        <ul className="mt-3 space-y-3">
          {subscriptions.map((subscription) => (
            <li
              key={subscription.id}
              className="rounded-md border border-slate-200 bg-white px-4 py-3"
              data-subscription={subscription.status}
              data-subscription-id={subscription.id}
            >
              <p className="font-medium">
                {subscription.tierName}: {formatPrice(subscription.amount, subscription.currency)}{" "}
                {subscription.interval === "month" ? "a month" : "a year"}
              </p>
              <p className="text-sm">
                <span
                  className={
                    subscription.status === "past_due" ? "font-medium text-amber-900" : "text-muted"
                  }
                >
                  {STATUS_LABELS[subscription.status] ?? subscription.status}
                </span>
                {nextStep(subscription) ? ` · ${nextStep(subscription)}` : ""}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2">You have no subscription.</p>
      )}
      {billing.hasAccount ? (
        billing.configured ? (
          <Form method="post" className="mt-4">
            <p className="mb-2 text-sm text-muted">
              Change plan, update your card or cancel on Stripe's secure pages; you come back here
              after.
            </p>
            <SubmitButton intent="manage-billing" variant="secondary" pendingLabel="Opening…">
              Manage subscription and payment
            </SubmitButton>
          </Form>
        ) : (
          <p className="mt-4 text-sm text-muted">
            Payments are not available right now: contact the publisher to change your subscription.
          </p>
        )
      ) : null}
      <h3 className="mt-6 font-medium">Receipts</h3>
      {invoices.length > 0 ? (
        <table className="mt-2 w-full text-left text-sm">
          <caption className="sr-only">Your latest invoices</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-2 pr-3 font-medium">
                Date
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Invoice
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Amount
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Status
              </th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((invoice) => (
              <tr
                key={invoice.id}
                className="border-b border-slate-100"
                data-invoice={invoice.status}
              >
                <td className="py-2 pr-3">{formatDate(invoice.createdAt)}</td>
                <td className="py-2 pr-3">
                  {invoice.hostedInvoiceUrl ? (
                    <a href={invoice.hostedInvoiceUrl} rel="noopener noreferrer" target="_blank">
                      {invoice.number ?? "View"}
                    </a>
                  ) : (
                    (invoice.number ?? "—")
                  )}
                  {invoice.invoicePdf ? (
                    <>
                      {" "}
                      <a href={invoice.invoicePdf} rel="noopener noreferrer" className="text-muted">
                        (PDF)
                      </a>
                    </>
                  ) : null}
                </td>
                <td className="py-2 pr-3">
                  {formatPrice(
                    invoice.status === "paid" ? invoice.amountPaid : invoice.amountDue,
                    invoice.currency,
                  )}
                </td>
                <td className="py-2 pr-3">{INVOICE_LABELS[invoice.status] ?? invoice.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="mt-1 text-sm">No receipts yet.</p>
      )}
      <p className="mt-3 text-sm">
        <Link to="/membership">Membership tiers</Link>
      </p>
    </section>
  );
}
