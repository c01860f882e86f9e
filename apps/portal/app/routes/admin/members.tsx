import { searchMembersPage } from "@briefings/auth";
import { ROLES } from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { data, Form, Link } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate, plural } from "#app/lib/format.ts";
import { routeHeaders, withCursor } from "#app/lib/http.server.ts";
import type { Route } from "./+types/members";
import { filterQuery, parseMemberFilters } from "./members-filters.server.ts";

const LIMIT = 50;

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const database = await db();
  const tiers = await listTiers(database);
  const { search, values, filtered } = parseMemberFilters(new URL(request.url), tiers);
  const page = await withCursor(() => searchMembersPage(database, search, LIMIT));
  const tierName = (slug: string) => tiers.find((tier) => tier.slug === slug)?.name ?? slug;
  return data(
    {
      values,
      filtered,
      total: page.total,
      paged: search.after !== undefined,
      members: page.members.map((member) => ({
        id: member.id,
        email: member.email,
        role: member.role,
        status: member.suspendedAt ? "Suspended" : member.emailVerified ? "Active" : "Unverified",
        suspendedAt: member.suspendedAt?.toISOString() ?? null,
        tiers: member.tiers.map(tierName),
        createdAt: member.createdAt.toISOString(),
      })),
      tierChoices: tiers.map((tier) => ({
        value: tier.slug,
        label: tier.retiredAt ? `${tier.name} (retired)` : tier.name,
      })),
      firstPageHref: `/admin/members${filterQuery(values)}`,
      nextPageHref: page.nextCursor
        ? `/admin/members${filterQuery(values, { after: page.nextCursor })}`
        : null,
      exportHref: `/admin/members/export.csv${filterQuery(values)}`,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Members — Administration" }];

const INPUT =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm";

const STATUS_CHOICES = [
  { value: "active", label: "Active" },
  { value: "unverified", label: "Unverified e-mail" },
  { value: "suspended", label: "Suspended" },
] as const;

function FilterSelect({
  id,
  name,
  label,
  value,
  anyLabel,
  choices,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  anyLabel: string;
  choices: readonly { value: string; label: string }[];
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value} className={INPUT}>
        <option value="">{anyLabel}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function AdminMembers({ loaderData }: Route.ComponentProps) {
  const {
    values,
    filtered,
    total,
    paged,
    members,
    tierChoices,
    firstPageHref,
    nextPageHref,
    exportHref,
  } = loaderData;
  return (
    <AdminPage title="Members">
      <p className="mt-2 text-sm">
        <Link to="/admin/members/import">Import members from a CSV file</Link>
      </p>
      <Form
        method="get"
        role="search"
        aria-label="Filter members"
        className="mt-4 grid max-w-5xl gap-3 sm:grid-cols-2 lg:grid-cols-3"
        // Fresh fields whenever the filters change by a link (clear, back), not only by the form.
        key={JSON.stringify(values)}
      >
        <div className="sm:col-span-2 lg:col-span-3">
          <label htmlFor="member-search" className="block text-sm font-medium">
            E-mail address contains
          </label>
          <input
            id="member-search"
            name="q"
            type="search"
            defaultValue={values.q}
            maxLength={200}
            autoComplete="off"
            className={INPUT}
          />
        </div>
        <FilterSelect
          id="member-tier"
          name="tier"
          label="Tier held now"
          value={values.tier}
          anyLabel="Any (or none)"
          choices={[{ value: "none", label: "No tier" }, ...tierChoices]}
        />
        <FilterSelect
          id="member-status"
          name="status"
          label="Status"
          value={values.status}
          anyLabel="Any status"
          choices={STATUS_CHOICES}
        />
        <FilterSelect
          id="member-role"
          name="role"
          label="Role"
          value={values.role}
          anyLabel="Any role"
          choices={ROLES.map((role) => ({ value: role, label: role }))}
        />
        <fieldset className="sm:col-span-2 lg:col-span-3">
          <legend className="text-sm font-medium">Signed up (UTC days, both included)</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            <div>
              <label htmlFor="member-from" className="block text-sm text-muted">
                From
              </label>
              <input
                id="member-from"
                name="from"
                type="date"
                defaultValue={values.from}
                className={INPUT}
              />
            </div>
            <div>
              <label htmlFor="member-to" className="block text-sm text-muted">
                To
              </label>
              <input
                id="member-to"
                name="to"
                type="date"
                defaultValue={values.to}
                className={INPUT}
              />
            </div>
          </div>
        </fieldset>
        <div className="flex flex-wrap items-center gap-4 sm:col-span-2 lg:col-span-3">
          <button
            type="submit"
            className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
          >
            Show members
          </button>
          {filtered ? <Link to="/admin/members">Clear the filters</Link> : null}
        </div>
      </Form>

      <div className="mt-6 flex flex-wrap items-baseline justify-between gap-3">
        <p className="text-sm font-medium" role="status" data-member-count={total}>
          {filtered
            ? `${plural(total, "member")} ${total === 1 ? "matches" : "match"} these filters`
            : `${plural(total, "member")} in all`}
        </p>
        {total > 0 ? (
          <p className="text-sm">
            {/* A download: a full page request, not a client-side navigation. */}
            <a href={exportHref} download>
              {filtered
                ? `Export these ${plural(total, "member")} as CSV`
                : "Export every member as CSV"}
            </a>
          </p>
        ) : null}
      </div>

      {members.length === 0 ? (
        <EmptyState>
          {filtered ? "No member matches these filters." : "There are no members yet."}
        </EmptyState>
      ) : (
        <DataTable
          caption={
            filtered ? "Members matching the filters, newest first" : "Members, newest first"
          }
          head={["E-mail address", "Status", "Role", "Tiers held now", "Joined"]}
        >
          {members.map((member) => (
            <tr key={member.id} data-member-status={member.status.toLowerCase()}>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/members/${member.id}`} className="break-all">
                  {member.email}
                </Link>
              </th>
              <td className={NOWRAP_CELL}>
                {member.status === "Suspended" ? (
                  <span className="rounded bg-red-50 px-1.5 py-0.5 font-medium text-red-800">
                    Suspended
                    {member.suspendedAt ? (
                      <span className="sr-only"> since {formatDate(member.suspendedAt)}</span>
                    ) : null}
                  </span>
                ) : (
                  member.status
                )}
              </td>
              <td className={NOWRAP_CELL}>{member.role}</td>
              <td className={CELL}>{member.tiers.length > 0 ? member.tiers.join(", ") : "—"}</td>
              <td className={NOWRAP_CELL}>
                <time dateTime={isoDate(member.createdAt)}>{formatDate(member.createdAt)}</time>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {paged || nextPageHref ? (
        <nav aria-label="Pages of members" className="mt-4 flex flex-wrap gap-6 text-sm">
          {paged ? <Link to={firstPageHref}>← First page</Link> : null}
          {nextPageHref ? <Link to={nextPageHref}>Next {LIMIT} members →</Link> : null}
        </nav>
      ) : null}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
