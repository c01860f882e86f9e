import { listApplications } from "@briefings/auth";
import { data, Link } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/index";

/** Counted up to this many; more is shown as "1000+". */
const COUNT_CAP = 1000;

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const pending = await listApplications(await db(), ["pending"], COUNT_CAP + 1);
  return data(
    { pending: pending.length > COUNT_CAP ? `${COUNT_CAP}+` : String(pending.length) },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Administration — Briefings" }];

export default function AdminIndex({ loaderData }: Route.ComponentProps) {
  const { pending } = loaderData;
  return (
    <AdminPage title="Administration">
      <ul className="mt-6 grid gap-4 sm:grid-cols-2">
        <li className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 className="text-lg font-semibold">
            <Link to="/admin/applications">Applications</Link>
          </h2>
          <p className="mt-1 text-sm text-muted">
            {pending === "0"
              ? "No application is waiting for a decision."
              : `${pending} ${pending === "1" ? "application is" : "applications are"} waiting for a decision.`}
          </p>
        </li>
        <li className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 className="text-lg font-semibold">
            <Link to="/admin/members">Members</Link>
          </h2>
          <p className="mt-1 text-sm text-muted">
            Find a member by e-mail address; see their tiers, applications and complimentary access.
          </p>
        </li>
      </ul>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
