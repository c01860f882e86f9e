import type { Db } from "@briefings/db/client";
import {
  billingOverview,
  getBillingSettings,
  InvalidBillingSettingsError,
  listCancellations,
  listFailedPayments,
  listSubscribers,
  recordAudit,
  SUBSCRIBER_FILTERS,
  type SubscriberFilter,
  updateBillingSettings,
} from "@briefings/db/queries";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import {
  BillingSettingsForm,
  billingSettingsSchema,
} from "#app/components/admin/billing-settings-form.tsx";
import {
  formatAmount,
  StripeLink,
  SubscriptionStatus,
  subscriptionStatusLabel,
} from "#app/components/admin/billing-status.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Notice } from "#app/components/forms.tsx";
import { auditActor, PRIVATE_NO_STORE, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { billingConfigured } from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate, plural } from "#app/lib/format.ts";
import { parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import type { Route } from "./+types/billing";

const LIMIT = 50;

const FILTER_LABELS: Record<SubscriberFilter, string> = {
  active: "Active",
  canceling: "Active, cancels at period end",
  trialing: "Trialing",
  past_due: "Past due",
  canceled: "Canceled",
  unpaid: "Unpaid",
  incomplete: "Incomplete",
  incomplete_expired: "Incomplete (expired)",
  paused: "Paused",
};

const cursor = z.string().max(1000, { error: "is not a page position" });

const querySchema = z.object({
  status: z
    .enum(SUBSCRIBER_FILTERS, { error: `must be one of ${SUBSCRIBER_FILTERS.join(", ")}` })
    .optional(),
  after: cursor.optional(),
  failedAfter: cursor.optional(),
  canceledAfter: cursor.optional(),
});

type Query = z.infer<typeof querySchema>;

/** This page's address with the status filter kept and at most one list moved on. */
function pageHref(query: Pick<Query, "status">, page: Omit<Query, "status"> = {}, hash = "") {
  const params = new URLSearchParams(
    Object.entries({ status: query.status, ...page }).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
  const search = params.toString();
  return `/admin/billing${search ? `?${search}` : ""}${hash}`;
}

/**
 * Billing for admins and owners: the numbers, the subscribers, the failed payments, the
 * cancellations and the grace period. Stripe's ids stay on the server except for links to
 * Stripe's own pages.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const query = parseSearchParams(new URL(request.url), querySchema);
  const database = await db();
  const [overview, subscribers, failed, cancellations, settings] = await Promise.all([
    billingOverview(database),
    withCursor(() =>
      listSubscribers(database, { status: query.status, after: query.after, limit: LIMIT }),
    ),
    withCursor(() => listFailedPayments(database, { after: query.failedAfter, limit: LIMIT })),
    withCursor(() => listCancellations(database, { after: query.canceledAfter, limit: LIMIT })),
    getBillingSettings(database),
  ]);
  const { byStatus } = overview;
  return data(
    {
      configured: billingConfigured(),
      overview: {
        active: byStatus.active,
        trialing: byStatus.trialing,
        pastDue: byStatus.past_due,
        canceling: overview.canceling,
        failedPayments: overview.failedPayments,
        mrr: overview.mrr.map((money) => ({
          currency: money.currency.toUpperCase(),
          amount: formatAmount(money.amount, money.currency),
        })),
      },
      status: query.status ?? "",
      subscribers: {
        total: subscribers.total,
        paged: query.after !== undefined,
        firstPageHref: pageHref(query, {}, "#subscribers-heading"),
        nextPageHref: subscribers.nextCursor
          ? pageHref(query, { after: subscribers.nextCursor }, "#subscribers-heading")
          : null,
        rows: subscribers.rows.map((row) => ({
          key: row.id,
          userId: row.userId,
          email: row.email,
          tier: row.tierName,
          status: row.status,
          cancelAtPeriodEnd: row.cancelAtPeriodEnd,
          amount: formatAmount(row.amount, row.currency, row.interval),
          currentPeriodEnd: row.currentPeriodEnd.toISOString(),
          createdAt: row.createdAt.toISOString(),
        })),
      },
      failed: {
        total: failed.total,
        paged: query.failedAfter !== undefined,
        firstPageHref: pageHref(query, {}, "#failed-heading"),
        nextPageHref: failed.nextCursor
          ? pageHref(query, { failedAfter: failed.nextCursor }, "#failed-heading")
          : null,
        rows: failed.rows.map((row) => ({
          key: row.id,
          userId: row.userId,
          email: row.email,
          number: row.number,
          invoiceStatus: row.status,
          amountDue: formatAmount(row.amountDue, row.currency),
          attempts: row.attemptCount,
          subscriptionStatus: row.subscriptionStatus,
          hostedInvoiceUrl: row.hostedInvoiceUrl,
          createdAt: row.createdAt.toISOString(),
        })),
      },
      cancellations: {
        total: cancellations.total,
        paged: query.canceledAfter !== undefined,
        firstPageHref: pageHref(query, {}, "#cancellations-heading"),
        nextPageHref: cancellations.nextCursor
          ? pageHref(query, { canceledAfter: cancellations.nextCursor }, "#cancellations-heading")
          : null,
        rows: cancellations.rows.map((row) => ({
          key: row.id,
          userId: row.userId,
          email: row.email,
          tier: row.tierName,
          kind: row.kind,
          canceledAt: row.canceledAt.toISOString(),
          currentPeriodEnd: row.currentPeriodEnd.toISOString(),
        })),
      },
      settings: {
        pastDueGraceDays: settings.pastDueGraceDays,
        updatedAt: settings.updatedAt?.toISOString() ?? null,
      },
    },
    { headers: PRIVATE_NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Billing — Administration" }];

/** Saves the grace period, audited in the transaction that changes it. */
export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: billingSettingsSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply() }, { status: 400, headers: PRIVATE_NO_STORE });
  }
  const actor = auditActor(context);
  const database = await db();
  let changed: boolean;
  try {
    changed = await database.transaction(async (tx) => {
      const change = await updateBillingSettings(tx, submission.value);
      // Saving the value already set changes nothing, and records nothing.
      if (change.changed) {
        // A transaction is a database handle for recordAudit (the cast drizzle needs).
        await recordAudit(tx as unknown as Db, actor, {
          action: "billing.settings.update",
          targetType: "billing_settings",
          targetId: "1",
          before: { pastDueGraceDays: change.before.pastDueGraceDays },
          after: { pastDueGraceDays: change.after.pastDueGraceDays },
        });
      }
      return change.changed;
    });
  } catch (error) {
    // The schema checks the same range first; the query's own check is the last word.
    if (error instanceof InvalidBillingSettingsError) {
      return data(
        { result: submission.reply({ fieldErrors: { [error.field]: [error.message] } }) },
        { status: 400, headers: PRIVATE_NO_STORE },
      );
    }
    throw error;
  }
  throw redirect(`/admin/billing?${changed ? "saved" : "unchanged"}=1#settings-heading`, {
    status: 303,
    headers: PRIVATE_NO_STORE,
  });
}

/** One number of the overview; `name` marks it for tests (data-billing-stat). */
function Stat({
  name,
  label,
  value,
  children,
}: {
  name: string;
  label: string;
  value: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4" data-billing-stat={name}>
      <dt className="text-sm font-medium text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {children ? <dd className="mt-1 text-sm">{children}</dd> : null}
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mt-10">
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Pages({
  label,
  paged,
  firstPageHref,
  nextPageHref,
  nextLabel,
}: {
  label: string;
  paged: boolean;
  firstPageHref: string;
  nextPageHref: string | null;
  nextLabel: string;
}) {
  if (!paged && !nextPageHref) return null;
  return (
    <nav aria-label={label} className="mt-4 flex flex-wrap gap-6 text-sm">
      {paged ? <Link to={firstPageHref}>← First page</Link> : null}
      {nextPageHref ? <Link to={nextPageHref}>{nextLabel}</Link> : null}
    </nav>
  );
}

function MemberLink({ userId, email }: { userId: string; email: string }) {
  return (
    <Link to={`/admin/members/${userId}`} className="break-all">
      {email}
    </Link>
  );
}

function When({ value }: { value: string }) {
  return <time dateTime={isoDate(value)}>{formatDate(value)}</time>;
}

export default function AdminBilling({ loaderData, actionData }: Route.ComponentProps) {
  const { configured, overview, status, subscribers, failed, cancellations, settings } = loaderData;
  const [searchParams] = useSearchParams();
  return (
    <AdminPage title="Billing">
      {configured ? null : (
        <p
          className="mt-4 max-w-3xl rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
          data-billing-not-configured
        >
          Stripe is not configured: paid tiers cannot take payments; grant access from a member's
          page instead.
        </p>
      )}

      <Section id="overview-heading" title="Overview">
        <dl className="mt-3 grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-3">
          <Stat
            name="active"
            label="Active subscribers"
            value={overview.active.toLocaleString("en-GB")}
          >
            Including those canceling at period end
          </Stat>
          <Stat
            name="trialing"
            label="Trialing"
            value={overview.trialing.toLocaleString("en-GB")}
          />
          <Stat name="past-due" label="Past due" value={overview.pastDue.toLocaleString("en-GB")} />
          <Stat
            name="canceling"
            label="Canceling at period end"
            value={overview.canceling.toLocaleString("en-GB")}
          />
          <Stat
            name="failed"
            label="Failed payments"
            value={overview.failedPayments.toLocaleString("en-GB")}
          />
          <Stat
            name="mrr"
            label="Monthly recurring revenue"
            value={
              overview.mrr.length === 0 ? (
                "None"
              ) : (
                <ul>
                  {overview.mrr.map((money) => (
                    <li key={money.currency} data-mrr={money.currency}>
                      {money.amount}
                    </li>
                  ))}
                </ul>
              )
            }
          >
            Active and past-due subscriptions, per month (a yearly price counts a twelfth).
          </Stat>
        </dl>
      </Section>

      <Section id="subscribers-heading" title="Subscribers">
        <Form
          method="get"
          aria-label="Filter subscribers"
          className="mt-3 flex flex-wrap items-end gap-3"
          key={status}
        >
          <div>
            <label htmlFor="billing-status" className="block text-sm font-medium">
              Status
            </label>
            <select
              id="billing-status"
              name="status"
              defaultValue={status}
              className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm"
            >
              <option value="">Any status</option>
              {SUBSCRIBER_FILTERS.map((filter) => (
                <option key={filter} value={filter}>
                  {FILTER_LABELS[filter]}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
          >
            Show subscribers
          </button>
          {status ? <Link to="/admin/billing">Clear the filter</Link> : null}
        </Form>
        <p className="mt-4 text-sm font-medium" data-subscriber-count={subscribers.total}>
          {status
            ? `${plural(subscribers.total, "subscription")}: ${FILTER_LABELS[status as SubscriberFilter] ?? status}`
            : `${plural(subscribers.total, "subscription")} in all`}
        </p>
        {subscribers.rows.length === 0 ? (
          <EmptyState>
            {status ? "No subscription has this status." : "No subscribers yet."}
          </EmptyState>
        ) : (
          <DataTable
            caption="Subscriptions, newest first"
            head={["Member", "Tier", "Status", "Price", "Current period ends", "Started"]}
          >
            {subscribers.rows.map((row) => (
              <tr key={row.key} data-subscriber={row.email}>
                <th scope="row" className={`${CELL} font-medium`}>
                  <MemberLink userId={row.userId} email={row.email} />
                </th>
                <td className={NOWRAP_CELL}>{row.tier}</td>
                <td className={NOWRAP_CELL}>
                  <SubscriptionStatus
                    status={row.status}
                    cancelAtPeriodEnd={row.cancelAtPeriodEnd}
                  />
                </td>
                <td className={`${NOWRAP_CELL} tabular-nums`}>{row.amount}</td>
                <td className={NOWRAP_CELL}>
                  <When value={row.currentPeriodEnd} />
                </td>
                <td className={NOWRAP_CELL}>
                  <When value={row.createdAt} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pages
          label="Pages of subscribers"
          paged={subscribers.paged}
          firstPageHref={subscribers.firstPageHref}
          nextPageHref={subscribers.nextPageHref}
          nextLabel={`Next ${LIMIT} subscribers →`}
        />
      </Section>

      <Section id="failed-heading" title="Failed payments">
        <p className="mt-2 max-w-3xl text-sm text-muted">
          Invoices Stripe tried to collect and could not, still open (Stripe retries the card) or
          given up as uncollectible, newest first.
        </p>
        {failed.rows.length === 0 ? (
          <EmptyState>No failed payments.</EmptyState>
        ) : (
          <DataTable
            caption={`Failed payments, newest first (${failed.total} in all)`}
            head={["Member", "Invoice", "Amount due", "Attempts", "Subscription", "Created"]}
          >
            {failed.rows.map((row) => (
              <tr key={row.key} data-failed-payment={row.email}>
                <th scope="row" className={`${CELL} font-medium`}>
                  <MemberLink userId={row.userId} email={row.email} />
                </th>
                <td className={NOWRAP_CELL}>
                  {row.hostedInvoiceUrl ? (
                    <StripeLink href={row.hostedInvoiceUrl}>
                      {row.number ?? "Invoice"}
                      <span className="sr-only"> (opens Stripe's invoice page)</span>
                    </StripeLink>
                  ) : (
                    (row.number ?? "—")
                  )}{" "}
                  <span className="text-xs text-muted">
                    {row.invoiceStatus === "open" ? "open" : "uncollectible"}
                  </span>
                </td>
                <td className={`${NOWRAP_CELL} tabular-nums`}>{row.amountDue}</td>
                <td className={`${NOWRAP_CELL} tabular-nums`}>{row.attempts}</td>
                <td className={NOWRAP_CELL}>
                  {row.subscriptionStatus ? subscriptionStatusLabel(row.subscriptionStatus) : "—"}
                </td>
                <td className={NOWRAP_CELL}>
                  <When value={row.createdAt} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pages
          label="Pages of failed payments"
          paged={failed.paged}
          firstPageHref={failed.firstPageHref}
          nextPageHref={failed.nextPageHref}
          nextLabel={`Next ${LIMIT} failed payments →`}
        />
      </Section>

      <Section id="cancellations-heading" title="Cancellations">
        <p className="mt-2 max-w-3xl text-sm text-muted">
          Subscriptions canceled, or set to cancel at the end of the period paid for (access lasts
          until then), most recent first.
        </p>
        {cancellations.rows.length === 0 ? (
          <EmptyState>No cancellations.</EmptyState>
        ) : (
          <DataTable
            caption={`Cancellations, most recent first (${cancellations.total} in all)`}
            head={["Member", "Tier", "Cancellation", "Canceled on", "Period ends"]}
          >
            {cancellations.rows.map((row) => (
              <tr key={row.key} data-cancellation={row.email} data-cancellation-kind={row.kind}>
                <th scope="row" className={`${CELL} font-medium`}>
                  <MemberLink userId={row.userId} email={row.email} />
                </th>
                <td className={NOWRAP_CELL}>{row.tier}</td>
                <td className={NOWRAP_CELL}>
                  {row.kind === "canceled" ? "Canceled" : "Cancels at period end"}
                </td>
                <td className={NOWRAP_CELL}>
                  <When value={row.canceledAt} />
                </td>
                <td className={NOWRAP_CELL}>
                  <When value={row.currentPeriodEnd} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pages
          label="Pages of cancellations"
          paged={cancellations.paged}
          firstPageHref={cancellations.firstPageHref}
          nextPageHref={cancellations.nextPageHref}
          nextLabel={`Next ${LIMIT} cancellations →`}
        />
      </Section>

      <Section id="settings-heading" title="Settings">
        <div className="mt-3 max-w-xl">
          {searchParams.get("saved") === "1" ? (
            <Notice>The billing settings were saved.</Notice>
          ) : null}
          {searchParams.get("unchanged") === "1" ? (
            <Notice>Nothing changed: the billing settings were already so.</Notice>
          ) : null}
        </div>
        <p className="mt-2 text-sm text-muted">
          {settings.updatedAt ? (
            <>
              Last saved <When value={settings.updatedAt} />.
            </>
          ) : (
            "Never saved: the defaults apply."
          )}
        </p>
        <BillingSettingsForm
          key={settings.pastDueGraceDays}
          pastDueGraceDays={settings.pastDueGraceDays}
          lastResult={actionData?.result}
        />
      </Section>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
