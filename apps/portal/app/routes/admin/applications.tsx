import { listApplicationQueuePage, queueOrder } from "@briefings/auth";
import { APPLICATION_STATUSES, type ApplicationStatus } from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { data, Link } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Notice } from "#app/components/forms.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import type { Route } from "./+types/applications";

const LIMIT = 50;

const STATUS_LABELS: Record<ApplicationStatus, string> = {
  pending: "Pending",
  "needs-info": "Needs info",
  approved: "Approved",
  rejected: "Rejected",
};

const DECIDED_NOTICES: Record<ApplicationStatus, string> = {
  pending: "The application is back in the queue.",
  approved: "The application was approved; the applicant has been e-mailed.",
  rejected: "The application was rejected; the applicant has been e-mailed the reason.",
  "needs-info":
    "The applicant has been asked for more information; the application returns here when they update it.",
};

const querySchema = z.object({
  status: z
    .enum(APPLICATION_STATUSES, {
      error: `must be one of ${APPLICATION_STATUSES.join(", ")}`,
    })
    .default("pending"),
  after: z.string().max(500, { error: "is not a page cursor" }).optional(),
  // The notice after a decision; anything else is ignored rather than refused.
  decided: z.enum(APPLICATION_STATUSES).optional().catch(undefined),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const { status, after, decided } = parseSearchParams(new URL(request.url), querySchema);
  const database = await db();
  const [page, tiers] = await Promise.all([
    withCursor(() => listApplicationQueuePage(database, status, { after, limit: LIMIT })),
    listTiers(database),
  ]);
  const tierNames = new Map(tiers.map((tier) => [tier.slug, tier.name]));
  return data(
    {
      status,
      decided: decided ?? null,
      oldestFirst: queueOrder(status) === "oldest",
      firstPage: after === undefined,
      next: page.next,
      items: page.items.map((item) => ({
        id: item.id,
        organisation: item.organisation,
        applicantEmail: item.applicantEmail,
        tier: tierNames.get(item.tierSlug) ?? item.tierSlug,
        submittedAt: item.submittedAt.toISOString(),
        decidedAt: item.decidedAt?.toISOString() ?? null,
        notes: item.notes,
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Applications — Administration" }];

function statusHref(status: ApplicationStatus, after?: string): string {
  const params = new URLSearchParams();
  if (status !== "pending") params.set("status", status);
  if (after) params.set("after", after);
  const query = params.toString();
  return query ? `/admin/applications?${query}` : "/admin/applications";
}

export default function AdminApplications({ loaderData }: Route.ComponentProps) {
  const { status, decided, items, next, firstPage, oldestFirst } = loaderData;
  const decidedColumn = status === "approved" || status === "rejected";
  return (
    <AdminPage title="Applications">
      <div className="mt-4">{decided ? <Notice>{DECIDED_NOTICES[decided]}</Notice> : null}</div>
      <nav aria-label="Applications by status" className="mt-2">
        <ul className="flex flex-wrap gap-2 text-sm">
          {APPLICATION_STATUSES.map((value) => (
            <li key={value}>
              <Link
                to={statusHref(value)}
                aria-current={value === status ? "page" : undefined}
                className={
                  value === status
                    ? "inline-block rounded-full bg-ink px-3 py-1 font-medium text-white no-underline hover:text-white"
                    : "inline-block rounded-full border border-slate-300 bg-white px-3 py-1 font-medium text-ink no-underline hover:bg-slate-50"
                }
              >
                {STATUS_LABELS[value]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {items.length === 0 ? (
        <EmptyState>
          {!firstPage
            ? "No more applications."
            : status === "pending"
              ? "No application is waiting for a decision."
              : `No application is ${STATUS_LABELS[status].toLowerCase()}.`}
        </EmptyState>
      ) : (
        <DataTable
          caption={`${STATUS_LABELS[status]} applications, ${oldestFirst ? "oldest" : "newest"} first`}
          showCaption
          head={[
            "Organisation",
            "Applicant",
            "Tier",
            "Submitted",
            ...(decidedColumn ? ["Decided"] : []),
            "Notes",
          ]}
        >
          {items.map((item) => (
            <tr key={item.id} data-application-row={item.id}>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/applications/${item.id}`}>{item.organisation}</Link>
              </th>
              <td className={`${CELL} break-all`}>{item.applicantEmail}</td>
              <td className={NOWRAP_CELL}>{item.tier}</td>
              <td className={NOWRAP_CELL}>
                <time dateTime={isoDate(item.submittedAt)}>{formatDate(item.submittedAt)}</time>
              </td>
              {decidedColumn ? (
                <td className={NOWRAP_CELL}>
                  {item.decidedAt ? (
                    <time dateTime={isoDate(item.decidedAt)}>{formatDate(item.decidedAt)}</time>
                  ) : (
                    "—"
                  )}
                </td>
              ) : null}
              <td className={NOWRAP_CELL}>
                {item.notes === 0 ? (
                  <span className="text-muted">
                    0<span className="sr-only"> notes</span>
                  </span>
                ) : (
                  <Link to={`/admin/applications/${item.id}#notes`}>
                    {item.notes}
                    <span className="sr-only">
                      {" "}
                      {item.notes === 1 ? "note" : "notes"} on {item.organisation}
                    </span>
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav aria-label="Pages" className="mt-4 flex flex-wrap gap-4 text-sm">
        {!firstPage ? <Link to={statusHref(status)}>← First page</Link> : null}
        {next ? <Link to={statusHref(status, next)}>Next page →</Link> : null}
      </nav>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
