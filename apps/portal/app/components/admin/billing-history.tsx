import { formatDateTime } from "#app/components/account/format.ts";
import {
  formatAmount,
  invoiceStatusLabel,
  StripeLink,
  SubscriptionStatus,
  subscriptionStatusLabel,
} from "#app/components/admin/billing-status.tsx";
import { DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { formatDate, isoDate } from "#app/lib/format.ts";

/** A member's billing as the admin's member page receives it (dates as ISO strings). */
export type MemberBillingView = {
  stripeCustomerId: string | null;
  subscriptions: {
    id: string;
    tierName: string;
    status: string;
    interval: "month" | "year";
    amount: number;
    currency: string;
    currentPeriodEnd: string;
    cancelAtPeriodEnd: boolean;
  }[];
  invoices: {
    id: string;
    number: string | null;
    status: string;
    amountDue: number;
    amountPaid: number;
    currency: string;
    createdAt: string;
    hostedInvoiceUrl: string | null;
  }[];
  changes: {
    id: number;
    at: string;
    tierName: string;
    status: string;
    monthlyAmount: number;
    currency: string;
    cancelAtPeriodEnd: boolean;
  }[];
};

/** Stripe's dashboard page of a customer (the ids are Stripe's: cus_…). */
function customerUrl(id: string): string {
  return `https://dashboard.stripe.com/customers/${encodeURIComponent(id)}`;
}

/**
 * The member page's billing: the Stripe customer, the subscriptions, the invoices and the
 * timeline of changes Stripe reported, newest first.
 */
export function MemberBillingSection({ billing }: { billing: MemberBillingView }) {
  const { stripeCustomerId, subscriptions, invoices, changes } = billing;
  const empty = subscriptions.length === 0 && invoices.length === 0 && changes.length === 0;
  return (
    <>
      {stripeCustomerId ? (
        <p className="mt-2 text-sm">
          Stripe customer:{" "}
          <StripeLink href={customerUrl(stripeCustomerId)}>
            <span className="font-mono">{stripeCustomerId}</span>
            <span className="sr-only"> (opens Stripe's dashboard)</span>
          </StripeLink>
        </p>
      ) : null}
      {empty ? (
        <EmptyState>No billing history.</EmptyState>
      ) : (
        <>
          <h3 className="mt-6 text-lg font-semibold">Subscriptions</h3>
          {subscriptions.length === 0 ? (
            <EmptyState>No subscriptions.</EmptyState>
          ) : (
            <DataTable
              caption="Subscriptions, newest first"
              head={[
                "Tier",
                "Status",
                "Interval",
                "Amount",
                "Period ends",
                "Cancels at period end",
              ]}
            >
              {subscriptions.map((subscription) => (
                <tr key={subscription.id} data-member-subscription={subscription.status}>
                  <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                    {subscription.tierName}
                  </th>
                  <td className={NOWRAP_CELL}>
                    <SubscriptionStatus status={subscription.status} />
                  </td>
                  <td className={NOWRAP_CELL}>
                    {subscription.interval === "year" ? "Yearly" : "Monthly"}
                  </td>
                  <td className={`${NOWRAP_CELL} tabular-nums`}>
                    {formatAmount(
                      subscription.amount,
                      subscription.currency,
                      subscription.interval,
                    )}
                  </td>
                  <td className={NOWRAP_CELL}>
                    <time dateTime={isoDate(subscription.currentPeriodEnd)}>
                      {formatDate(subscription.currentPeriodEnd)}
                    </time>
                  </td>
                  <td className={NOWRAP_CELL}>{subscription.cancelAtPeriodEnd ? "Yes" : "No"}</td>
                </tr>
              ))}
            </DataTable>
          )}

          <h3 className="mt-6 text-lg font-semibold">Invoices</h3>
          {invoices.length === 0 ? (
            <EmptyState>No invoices.</EmptyState>
          ) : (
            <DataTable
              caption="Invoices, newest first"
              head={["Number", "Date", "Amount", "Status", "Invoice"]}
            >
              {invoices.map((invoice) => (
                <tr key={invoice.id} data-member-invoice={invoice.status}>
                  <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                    {invoice.number ?? "—"}
                  </th>
                  <td className={NOWRAP_CELL}>
                    <time dateTime={isoDate(invoice.createdAt)}>
                      {formatDate(invoice.createdAt)}
                    </time>
                  </td>
                  <td className={`${NOWRAP_CELL} tabular-nums`}>
                    {formatAmount(
                      invoice.status === "paid" ? invoice.amountPaid : invoice.amountDue,
                      invoice.currency,
                    )}
                  </td>
                  <td className={NOWRAP_CELL}>{invoiceStatusLabel(invoice.status)}</td>
                  <td className={NOWRAP_CELL}>
                    {invoice.hostedInvoiceUrl ? (
                      <StripeLink href={invoice.hostedInvoiceUrl}>
                        View invoice
                        <span className="sr-only"> {invoice.number ?? ""} on Stripe</span>
                      </StripeLink>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}

          <h3 className="mt-6 text-lg font-semibold">Changes</h3>
          {changes.length === 0 ? (
            <EmptyState>No changes recorded.</EmptyState>
          ) : (
            <ol className="mt-3 space-y-2 text-sm" aria-label="Subscription changes, newest first">
              {changes.map((change) => (
                <li
                  key={change.id}
                  className="border-l-2 border-slate-200 pl-3"
                  data-member-change={change.status}
                >
                  <time dateTime={isoDate(change.at)} className="font-medium">
                    {formatDateTime(change.at)}
                  </time>
                  : {change.tierName}, {subscriptionStatusLabel(change.status)},{" "}
                  {formatAmount(change.monthlyAmount, change.currency, "month")}
                  {change.cancelAtPeriodEnd ? ", set to cancel at period end" : ""}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}
