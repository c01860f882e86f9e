import { listAudit } from "@briefings/auth";
import { data, Form, Link } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { parseSearchParams, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/audit";

const LIMIT = 50;

const querySchema = z.object({
  action: z
    .string()
    .trim()
    .max(100, { error: "is at most 100 characters" })
    .regex(/^[a-z0-9.-]+$/, { error: "is an action name such as grant.create" })
    .optional(),
  actor: z.uuid({ error: "is not an account id" }).optional(),
  target: z.string().trim().max(200, { error: "is at most 200 characters" }).optional(),
  before: z.coerce.number().int().positive({ error: "is not a page position" }).optional(),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const filters = parseSearchParams(new URL(request.url), querySchema);
  const rows = await listAudit(
    await db(),
    { action: filters.action, actorId: filters.actor, targetId: filters.target },
    { before: filters.before, limit: LIMIT + 1 },
  );
  const page = rows.slice(0, LIMIT);
  return data(
    {
      filters: {
        action: filters.action ?? "",
        actor: filters.actor ?? "",
        target: filters.target ?? "",
      },
      entries: page.map((row) => ({
        seq: row.seq,
        at: row.at.toISOString(),
        actor: row.actor,
        actorId: row.actorId,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        before: row.before === null ? null : JSON.stringify(row.before, null, 1),
        after: row.after === null ? null : JSON.stringify(row.after, null, 1),
        ipAddress: row.ipAddress,
      })),
      olderThan: rows.length > LIMIT ? (page.at(-1)?.seq ?? null) : null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Audit log — Administration" }];

const INPUT =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm";

export default function AdminAudit({ loaderData }: Route.ComponentProps) {
  const { filters, entries, olderThan } = loaderData;
  const older = new URLSearchParams(
    Object.entries({ ...filters, before: String(olderThan ?? "") }).filter(([, v]) => v !== ""),
  );
  return (
    <AdminPage title="Audit log">
      <p className="mt-2 max-w-3xl text-muted">
        Every action taken by an admin or editor, newest first: who, when, from where, and what
        changed. The log cannot be edited, from here or anywhere else.
      </p>
      <Form method="get" className="mt-4 grid max-w-4xl gap-3 sm:grid-cols-4 sm:items-end">
        <div>
          <label htmlFor="audit-action" className="block text-sm font-medium">
            Action
          </label>
          <input
            id="audit-action"
            name="action"
            defaultValue={filters.action}
            placeholder="grant.create"
            className={INPUT}
          />
        </div>
        <div>
          <label htmlFor="audit-actor" className="block text-sm font-medium">
            Actor (account id)
          </label>
          <input id="audit-actor" name="actor" defaultValue={filters.actor} className={INPUT} />
        </div>
        <div>
          <label htmlFor="audit-target" className="block text-sm font-medium">
            Target id
          </label>
          <input id="audit-target" name="target" defaultValue={filters.target} className={INPUT} />
        </div>
        <button
          type="submit"
          className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
        >
          Filter
        </button>
      </Form>
      {entries.length === 0 ? (
        <EmptyState>No recorded action matches.</EmptyState>
      ) : (
        <DataTable
          caption="Recorded actions, newest first"
          head={["When", "Who", "Action", "Target", "Before", "After"]}
        >
          {entries.map((entry) => (
            <tr key={entry.seq} data-audit-action={entry.action}>
              <td className={NOWRAP_CELL}>
                <time dateTime={entry.at}>{entry.at.replace("T", " ").slice(0, 19)} UTC</time>
              </td>
              <td className={CELL}>
                {entry.actorId ? (
                  <Link to={`?actor=${entry.actorId}`} className="break-all">
                    {entry.actor}
                  </Link>
                ) : (
                  entry.actor
                )}
                {entry.ipAddress ? (
                  <span className="block text-xs text-muted">{entry.ipAddress}</span>
                ) : null}
              </td>
              <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                {entry.action}
              </th>
              <td className={CELL}>
                <span className="text-xs text-muted">{entry.targetType}</span>{" "}
                <Link to={`?target=${encodeURIComponent(entry.targetId)}`} className="break-all">
                  {entry.targetId}
                </Link>
              </td>
              <td className={CELL}>
                {entry.before ? (
                  <pre className="whitespace-pre-wrap text-xs">{entry.before}</pre>
                ) : (
                  "—"
                )}
              </td>
              <td className={CELL}>
                {entry.after ? (
                  <pre className="whitespace-pre-wrap text-xs">{entry.after}</pre>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {olderThan !== null ? (
        <p className="mt-4">
          <Link to={`?${older.toString()}`}>Older entries →</Link>
        </p>
      ) : null}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
