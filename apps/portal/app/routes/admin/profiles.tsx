import { PROFILE_STATUSES } from "@briefings/core";
import { listProfilesForEditing } from "@briefings/db/queries";
import { data, Form, Link } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { StatusBadge } from "#app/components/admin/profile-status.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate } from "#app/lib/format.ts";
import { parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import { PRIVATE } from "#app/lib/profile-editor.server.ts";
import type { Route } from "./+types/profiles";

const LIMIT = 50;

const querySchema = z.object({
  q: z.string().trim().max(200, { error: "is at most 200 characters" }).optional(),
  status: z
    .enum(PROFILE_STATUSES, { error: "must be draft, scheduled or published" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  after: z.string().max(500).optional(),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const filters = parseSearchParams(new URL(request.url), querySchema);
  const database = await db();
  const page = await withCursor(() => listProfilesForEditing(database, filters, LIMIT));
  return data({ filters, ...page }, { headers: PRIVATE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Profiles — Administration" }];

export default function AdminProfiles({ loaderData }: Route.ComponentProps) {
  const { filters, items, next } = loaderData;
  const nextParams = new URLSearchParams();
  if (filters.q) nextParams.set("q", filters.q);
  if (filters.status) nextParams.set("status", filters.status);
  if (next) nextParams.set("after", next);
  return (
    <AdminPage title="Profiles">
      <p className="mt-3">
        <Link
          to="/admin/profiles/new"
          className="inline-flex rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white no-underline hover:bg-accent-dark hover:text-white"
        >
          New profile
        </Link>
      </p>
      <Form method="get" role="search" className="mt-4 flex flex-wrap items-end gap-3">
        <div className="min-w-0 flex-1">
          <label htmlFor="profile-search" className="block text-sm font-medium">
            Name or address contains
          </label>
          <input
            id="profile-search"
            name="q"
            type="search"
            defaultValue={filters.q ?? ""}
            maxLength={200}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm"
          />
        </div>
        <div>
          <label htmlFor="profile-status" className="block text-sm font-medium">
            Status
          </label>
          <select
            id="profile-status"
            name="status"
            defaultValue={filters.status ?? ""}
            className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm"
          >
            <option value="">Any</option>
            {PROFILE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
        >
          Filter
        </button>
      </Form>
      {items.length === 0 ? (
        <EmptyState>
          {filters.q || filters.status
            ? "No profile matches these filters."
            : "There are no profiles yet: create the first one."}
        </EmptyState>
      ) : (
        <DataTable
          caption="Profiles, last edited first"
          head={["Name", "Status", "Version", "Updated", "Published"]}
        >
          {items.map((profile) => (
            <tr key={profile.id}>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/profiles/${profile.id}`}>{profile.name}</Link>
                <div className="text-xs font-normal text-muted">/profiles/{profile.slug}</div>
              </th>
              <td className={NOWRAP_CELL}>
                <StatusBadge status={profile.status} />
              </td>
              <td className={NOWRAP_CELL}>{profile.version}</td>
              <td className={NOWRAP_CELL}>{formatDate(profile.updatedAt)}</td>
              <td className={NOWRAP_CELL}>
                {profile.status === "draft" ? "—" : formatDate(profile.publishedAt)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {next ? (
        <p className="mt-4">
          <Link to={`?${nextParams}`}>Next page</Link>
        </p>
      ) : null}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
