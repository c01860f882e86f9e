import { searchMembers } from "@briefings/auth";
import { data, Form, Link } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { parseSearchParams, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/members";

const LIMIT = 50;

const querySchema = z.object({
  q: z.string().trim().max(200, { error: "is at most 200 characters" }).optional(),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const { q } = parseSearchParams(new URL(request.url), querySchema);
  const query = q ?? "";
  const members = await searchMembers(await db(), query, LIMIT);
  return data(
    {
      query,
      members: members.map((member) => ({
        id: member.id,
        email: member.email,
        role: member.role,
        emailVerified: member.emailVerified,
        createdAt: member.createdAt.toISOString(),
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Members — Administration" }];

export default function AdminMembers({ loaderData }: Route.ComponentProps) {
  const { query, members } = loaderData;
  return (
    <AdminPage title="Members">
      <Form method="get" role="search" className="mt-4 flex max-w-xl flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="member-search" className="block text-sm font-medium">
            E-mail address contains
          </label>
          <input
            id="member-search"
            name="q"
            type="search"
            defaultValue={query}
            maxLength={200}
            autoComplete="off"
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm"
          />
        </div>
        <button
          type="submit"
          className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
        >
          Search
        </button>
      </Form>
      <p className="mt-3 text-sm">
        {/* A download: a full page request, not a client-side navigation. */}
        <a href="/admin/members/export.csv" download>
          Export every member as CSV
        </a>
      </p>
      {members.length === 0 ? (
        <EmptyState>
          {query ? `No member's e-mail address contains "${query}".` : "There are no members yet."}
        </EmptyState>
      ) : (
        <DataTable
          caption={
            query
              ? `Members whose e-mail address contains "${query}", newest first`
              : "Newest members"
          }
          showCaption
          head={["E-mail address", "Role", "E-mail verified", "Joined"]}
        >
          {members.map((member) => (
            <tr key={member.id}>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/members/${member.id}`} className="break-all">
                  {member.email}
                </Link>
              </th>
              <td className={NOWRAP_CELL}>{member.role}</td>
              <td className={NOWRAP_CELL}>{member.emailVerified ? "Yes" : "No"}</td>
              <td className={NOWRAP_CELL}>
                <time dateTime={isoDate(member.createdAt)}>{formatDate(member.createdAt)}</time>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {members.length === LIMIT ? (
        <p className="mt-2 text-sm text-muted">
          Showing the first {LIMIT}. Narrow the search to see others.
        </p>
      ) : null}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
