import { createTier } from "@briefings/auth";
import { TIER_FORM_LIMITS, tierFormSchema } from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Link, redirect } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { TierForm, type TierFormDefaults } from "#app/components/admin/tier-form.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import {
  auditActor,
  failureReplyOptions,
  PRIVATE_NO_STORE,
  requireRole,
  STAFF_ROLES,
} from "#app/lib/auth.server.ts";
import { db, refreshTiers } from "#app/lib/db.server.ts";
import { routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/tier-new";

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const tiers = await listTiers(await db());
  // The next free rank above every tier: a new tier starts at the top.
  const top = Math.max(0, ...tiers.map((tier) => tier.rank));
  const defaults: TierFormDefaults = {
    slug: "",
    name: "",
    description: "",
    audience: "",
    rank: top < TIER_FORM_LIMITS.rankMax ? String(top + 1) : "",
    joinMethod: "open",
    benefits: "",
    paid: false,
    priceMonthly: "",
    priceYearly: "",
    currency: "USD",
  };
  return data({ defaults }, { headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "New tier — Tiers — Administration" }];

export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const submission = parseWithZod(await request.formData(), { schema: tierFormSchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400, headers: PRIVATE_NO_STORE });
  }
  const result = await createTier(await db(), auditActor(context), submission.value);
  if (!result.ok) {
    return data(submission.reply(failureReplyOptions(result, [])), {
      status: result.status,
      headers: PRIVATE_NO_STORE,
    });
  }
  refreshTiers();
  throw redirect(`/admin/tiers?created=${encodeURIComponent(result.slug)}`, {
    status: 303,
    headers: PRIVATE_NO_STORE,
  });
}

export default function NewTier({ loaderData, actionData }: Route.ComponentProps) {
  return (
    <AdminPage title="New tier">
      <p className="mt-2 max-w-2xl text-sm text-muted">
        <Link to="/admin/tiers">← Back to tiers</Link>. A new tier appears on the membership page at
        once. It takes nobody's access away: holders of higher-ranked tiers pass its gates too.
      </p>
      <TierForm
        id="tier-new"
        defaultValue={loaderData.defaults}
        lastResult={actionData}
        submitLabel="Create tier"
        pendingLabel="Creating…"
      />
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
