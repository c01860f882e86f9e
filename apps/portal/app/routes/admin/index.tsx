import { currencyExponent } from "@briefings/core";
import {
  billingOverview,
  countPendingApplications,
  countProfilesByStatus,
  membersPerTier,
  mostReadProfiles,
  mrrOverTime,
  signupsOverTime,
} from "@briefings/db/queries";
import type { ReactNode } from "react";
import { data, Link } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { formatAmount } from "#app/components/admin/billing-status.tsx";
import { BarChart, StepChart } from "#app/components/admin/charts.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { parseSearchParams, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/index";

const MEMBER_DAYS = 90;
const REVENUE_DAYS = 90;
const READING_DAYS = 30;
const MOST_READ = 10;

const querySchema = z.object({
  signups: z.enum(["day", "week"], { error: 'must be "day" or "week"' }).default("week"),
});

/** Minor units as the currency's main unit, for a chart's axis (4083 US cents → 40.83). */
function majorUnitsOf(minor: number, currency: string): number {
  const exponent = currencyExponent(currency);
  return Number((minor / 10 ** exponent).toFixed(exponent));
}

/**
 * The overview. Editors get the editorial part only (profiles by status, the most read);
 * admins and owners also get the members' and the billing numbers, which are neither
 * queried nor sent for an editor.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireRole(context, request, STAFF_ROLES.editor);
  const { signups: bucket } = parseSearchParams(new URL(request.url), querySchema);
  const database = await db();
  const now = new Date();
  const isAdmin = (STAFF_ROLES.admin as readonly string[]).includes(user.role);
  const [profiles, mostRead, members, billing] = await Promise.all([
    countProfilesByStatus(database),
    mostReadProfiles(database, { now, days: READING_DAYS, limit: MOST_READ }),
    isAdmin
      ? Promise.all([
          membersPerTier(database, { now, days: MEMBER_DAYS }),
          signupsOverTime(database, { now, days: MEMBER_DAYS, bucket }),
          countPendingApplications(database),
        ])
      : null,
    isAdmin
      ? Promise.all([billingOverview(database), mrrOverTime(database, { now, days: REVENUE_DAYS })])
      : null,
  ]);
  return data(
    {
      profiles,
      mostRead: mostRead.map(({ slug, name, views }) => ({ slug, name, views })),
      members: members
        ? {
            perTier: members[0],
            signups: { bucket, buckets: members[1] },
            pending: members[2],
          }
        : null,
      billing: billing
        ? {
            subscribers:
              billing[0].byStatus.active +
              billing[0].byStatus.trialing +
              billing[0].byStatus.past_due,
            failedPayments: billing[0].failedPayments,
            mrrNow: billing[0].mrr.map((money) => formatAmount(money.amount, money.currency)),
            days: billing[1].days,
            series: billing[1].series.map((series) => ({
              name: series.currency.toUpperCase(),
              values: series.values.map((minor) => majorUnitsOf(minor, series.currency)),
            })),
          }
        : null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Overview — Administration" }];

function Stat({ label, value, children }: { label: string; value: number; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dt className="text-sm font-medium text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value.toLocaleString("en-GB")}</dd>
      {children ? <dd className="mt-1 text-sm">{children}</dd> : null}
    </div>
  );
}

type Members = NonNullable<Route.ComponentProps["loaderData"]["members"]>;

function MembersSection({ members }: { members: Members }) {
  const { perTier, signups, pending } = members;
  const byWeek = signups.bucket === "week";
  const signupTotal = signups.buckets.reduce((sum, b) => sum + b.signups, 0);
  return (
    <section aria-labelledby="members-heading" className="mt-8">
      <h2 id="members-heading" className="text-xl font-semibold">
        Members
      </h2>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
        <Stat label="Applications waiting" value={pending}>
          <Link to="/admin/applications">Review the queue</Link>
        </Stat>
        {perTier.series.map((tier) => (
          <Stat
            key={tier.tierSlug}
            label={`${tier.tierName} members`}
            value={tier.members.at(-1) ?? 0}
          />
        ))}
        <Stat label={`Sign-ups, last ${MEMBER_DAYS} days`} value={signupTotal} />
      </dl>
      <div className="mt-4 grid gap-4 xl:grid-cols-2">
        <StepChart
          title={`Members per tier, last ${MEMBER_DAYS} days`}
          labels={perTier.days}
          series={perTier.series.map((tier) => ({ name: tier.tierName, values: tier.members }))}
          valueName="members"
        />
        <div>
          <BarChart
            title={byWeek ? "Sign-ups per week" : `Sign-ups per day, last ${MEMBER_DAYS} days`}
            labels={signups.buckets.map((b) => b.start)}
            values={signups.buckets.map((b) => b.signups)}
            valueName="Sign-ups"
            periodName={byWeek ? "Week starting" : "Day"}
          />
          <p className="mt-2 text-sm">
            {byWeek ? (
              <Link to="?signups=day">Show sign-ups per day</Link>
            ) : (
              <Link to="?signups=week">Show sign-ups per week</Link>
            )}
          </p>
        </div>
      </div>
    </section>
  );
}

type Billing = NonNullable<Route.ComponentProps["loaderData"]["billing"]>;

function BillingSection({ billing }: { billing: Billing }) {
  const title = `Monthly recurring revenue, last ${REVENUE_DAYS} days`;
  return (
    <section aria-labelledby="billing-heading" className="mt-8">
      <h2 id="billing-heading" className="text-xl font-semibold">
        Billing
      </h2>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
        <Stat label="Subscribers" value={billing.subscribers}>
          <Link to="/admin/billing">Active, trialing and past due</Link>
        </Stat>
        <Stat label="Failed payments" value={billing.failedPayments}>
          <Link to="/admin/billing#failed-heading">See the failed payments</Link>
        </Stat>
        <div className="col-span-2 rounded-lg border border-slate-200 bg-white p-4">
          <dt className="text-sm font-medium text-muted">Monthly recurring revenue now</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums">
            {billing.mrrNow.length === 0 ? "None" : billing.mrrNow.join(" + ")}
          </dd>
        </div>
      </dl>
      <div className="mt-4 grid gap-4 xl:grid-cols-2">
        {billing.series.length === 0 ? (
          <div>
            <h3 className="text-base font-semibold">{title}</h3>
            <EmptyState>No recurring revenue in the last {REVENUE_DAYS} days.</EmptyState>
          </div>
        ) : (
          <StepChart
            title={title}
            labels={billing.days}
            series={billing.series}
            valueName="revenue per month, in each currency's main unit,"
          />
        )}
      </div>
    </section>
  );
}

type Editorial = Pick<Route.ComponentProps["loaderData"], "profiles" | "mostRead">;

function EditorialSection({ profiles, mostRead }: Editorial) {
  return (
    <section aria-labelledby="profiles-heading" className="mt-8">
      <h2 id="profiles-heading" className="text-xl font-semibold">
        Profiles
      </h2>
      <dl className="mt-3 grid grid-cols-3 gap-3 sm:gap-4">
        <Stat label="Drafts" value={profiles.draft} />
        <Stat label="Scheduled" value={profiles.scheduled} />
        <Stat label="Published" value={profiles.published} />
      </dl>
      <p className="mt-2 text-sm">
        <Link to="/admin/profiles">All profiles</Link>
      </p>
      <h3 id="most-read-heading" className="mt-6 text-lg font-semibold">
        Most read, last {READING_DAYS} days
      </h3>
      <p className="mt-1 text-sm text-muted">
        Page views of published profiles, counted without knowing who read: no accounts, addresses
        or cookies are recorded. Crawlers are left out.
      </p>
      {mostRead.length === 0 ? (
        <EmptyState>No profile has been read in the last {READING_DAYS} days.</EmptyState>
      ) : (
        <DataTable
          caption={`Most read profiles, last ${READING_DAYS} days`}
          head={["#", "Profile", "Views"]}
        >
          {mostRead.map((profile, i) => (
            <tr key={profile.slug} data-most-read={profile.slug}>
              <td className={NOWRAP_CELL}>{i + 1}</td>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/profiles/${profile.slug}`}>{profile.name}</Link>
              </th>
              <td className={`${NOWRAP_CELL} tabular-nums`}>
                {profile.views.toLocaleString("en-GB")}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export default function AdminIndex({ loaderData }: Route.ComponentProps) {
  const { profiles, mostRead, members, billing } = loaderData;
  return (
    <AdminPage title="Overview">
      {members ? <MembersSection members={members} /> : null}
      {billing ? <BillingSection billing={billing} /> : null}
      <EditorialSection profiles={profiles} mostRead={mostRead} />
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
