import {
  previewRetirement,
  restoreTier,
  retireTier,
  type TierImpact,
  updateTier,
} from "@briefings/auth";
import { STRATEGIC_CIRCLE, tierFormSchema, tierFormValues } from "@briefings/core";
import { countTierHolders, findTierBySlug } from "@briefings/db/queries";
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { TierForm } from "#app/components/admin/tier-form.tsx";
import { TierImpactPanel } from "#app/components/admin/tier-impact.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, Notice, SubmitButton } from "#app/components/forms.tsx";
import {
  auditActor,
  failureReplyOptions,
  PRIVATE_NO_STORE,
  requireRole,
  STAFF_ROLES,
} from "#app/lib/auth.server.ts";
import { db, refreshTiers } from "#app/lib/db.server.ts";
import { formatDate, isoDate, plural } from "#app/lib/format.ts";
import { notFound, parseSearchParams, requireSlug, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/tier";

const querySchema = z.object({
  confirm: z.enum(["retire"], { error: 'must be "retire"' }).optional(),
});

async function findTier(slug: string | undefined) {
  const tier = await findTierBySlug(await db(), requireSlug(slug, "tier"));
  if (!tier) notFound("There is no tier at this address.");
  return tier;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const { confirm } = parseSearchParams(new URL(request.url), querySchema);
  const tier = await findTier(params.slug);
  const database = await db();
  const [holders, retirement] = await Promise.all([
    countTierHolders(database),
    confirm === "retire" && !tier.retiredAt ? previewRetirement(database, tier.slug) : null,
  ]);
  return data(
    {
      tier: {
        slug: tier.slug,
        name: tier.name,
        retiredAt: tier.retiredAt?.toISOString() ?? null,
        holders: holders.get(tier.slug) ?? 0,
      },
      values: tierFormValues(tier),
      retirement,
    },
    { headers: PRIVATE_NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `${loaderData.tier.name} — Tiers — Administration`
      : "Tier — Administration",
  },
];

type ActionAnswer = {
  intent: "save" | "retire" | "restore" | null;
  result: SubmissionResult<string[]> | null;
  formError: string | null;
  /** A change that needs confirming, as previewed now. */
  confirm: TierImpact | null;
};

function answer(body: ActionAnswer, status: number) {
  return data(body, { status, headers: PRIVATE_NO_STORE });
}

const confirmationSchema = z.string().max(200).nullable();

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const tier = await findTier(params.slug);
  const actor = auditActor(context);
  const database = await db();
  const formData = await request.formData();
  const intent = formData.get("intent");
  const confirmation = confirmationSchema.safeParse(formData.get("confirmation"));
  const token = confirmation.success ? confirmation.data : null;

  if (intent === "save") {
    const submission = parseWithZod(formData, { schema: tierFormSchema });
    if (submission.status !== "success") {
      return answer({ intent, result: submission.reply(), formError: null, confirm: null }, 400);
    }
    const result = await updateTier(database, actor, tier.slug, submission.value, token);
    if (result.ok) {
      if (result.changed) refreshTiers();
      throw redirect(`/admin/tiers/${result.slug}?${result.changed ? "saved" : "unchanged"}=1`, {
        status: 303,
        headers: PRIVATE_NO_STORE,
      });
    }
    if ("confirm" in result) {
      // Not an error unless a confirmation was given for a preview that has since changed.
      return answer(
        {
          intent,
          result: submission.reply(),
          formError: result.changed ? result.formError : null,
          confirm: result.confirm,
        },
        result.changed ? 409 : 200,
      );
    }
    return answer(
      {
        intent,
        result: submission.reply(failureReplyOptions(result, [])),
        formError: null,
        confirm: null,
      },
      result.status,
    );
  }

  if (intent === "retire") {
    const result = await retireTier(database, actor, tier.slug, token);
    if (result.ok) {
      refreshTiers();
      throw redirect(`/admin/tiers/${tier.slug}?retired=1`, {
        status: 303,
        headers: PRIVATE_NO_STORE,
      });
    }
    return answer(
      {
        intent,
        result: null,
        formError: result.formError ?? "The tier was not retired.",
        confirm: "confirm" in result ? result.confirm : null,
      },
      result.status,
    );
  }

  if (intent === "restore") {
    const result = await restoreTier(database, actor, tier.slug);
    if (result.ok) {
      refreshTiers();
      throw redirect(`/admin/tiers/${tier.slug}?restored=1`, {
        status: 303,
        headers: PRIVATE_NO_STORE,
      });
    }
    return answer(
      {
        intent,
        result: null,
        formError: result.formError ?? "The tier was not restored.",
        confirm: null,
      },
      result.status,
    );
  }

  return answer(
    {
      intent: null,
      result: null,
      formError: 'Invalid "intent": must be "save", "retire" or "restore"',
      confirm: null,
    },
    400,
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mt-10 max-w-2xl">
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default function AdminTier({ loaderData, actionData }: Route.ComponentProps) {
  const { tier, values, retirement } = loaderData;
  const [searchParams] = useSearchParams();
  const saveAnswer = actionData?.intent === "save" ? actionData : null;
  const retireAnswer = actionData?.intent === "retire" ? actionData : null;
  const restoreAnswer = actionData?.intent === "restore" ? actionData : null;
  const retireConfirm = retireAnswer?.confirm ?? retirement;
  const self = `/admin/tiers/${tier.slug}`;
  return (
    <AdminPage title={tier.name}>
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/tiers">← Back to tiers</Link>
      </p>
      <div className="mt-4 max-w-2xl">
        {searchParams.get("saved") === "1" ? <Notice>The tier was saved.</Notice> : null}
        {searchParams.get("unchanged") === "1" ? (
          <Notice>Nothing was changed: the form held the tier as it was.</Notice>
        ) : null}
        {searchParams.get("retired") === "1" ? (
          <Notice>The tier was retired. Everyone who held it keeps it.</Notice>
        ) : null}
        {searchParams.get("restored") === "1" ? (
          <Notice>The tier was restored: members can join it again.</Notice>
        ) : null}
        {actionData?.intent === null ? <FormError errors={[actionData.formError ?? ""]} /> : null}
      </div>
      <dl className="mt-2 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="font-medium text-muted">Slug</dt>
        <dd className="break-all">{tier.slug}</dd>
        <dt className="font-medium text-muted">Status</dt>
        <dd>
          {tier.retiredAt ? (
            <>
              Retired on{" "}
              <time dateTime={isoDate(tier.retiredAt)}>{formatDate(tier.retiredAt)}</time>
            </>
          ) : (
            "Active"
          )}
        </dd>
        <dt className="font-medium text-muted">Members now</dt>
        <dd>{plural(tier.holders, "member")}</dd>
      </dl>

      <Section id="edit-heading" title="Edit">
        <TierForm
          // A new slug is a new page: its form starts from the saved tier.
          key={tier.slug}
          id="tier-edit"
          defaultValue={values}
          lastResult={saveAnswer?.result}
          submitLabel="Save tier"
          pendingLabel="Saving…"
          slugHint={
            tier.slug === STRATEGIC_CIRCLE
              ? "The article importer puts premium text behind this tier by its slug, so it keeps it."
              : "In addresses such as /membership/apply/gold-circle. Renaming it keeps every member's access, but links to the old address stop working."
          }
          confirm={
            saveAnswer?.confirm
              ? { impact: saveAnswer.confirm, error: saveAnswer.formError, cancelTo: self }
              : null
          }
        />
      </Section>

      <Section id="retire-heading" title={tier.retiredAt ? "Retired" : "Retire"}>
        {tier.retiredAt ? (
          <>
            <p className="mt-2 text-sm">
              This tier is not on the membership page, and nobody can join it, apply for it or be
              granted it. Everyone who held it when it was retired keeps it.
            </p>
            <FormError errors={restoreAnswer?.formError ? [restoreAnswer.formError] : null} />
            <Form method="post" className="mt-3">
              <SubmitButton intent="restore" variant="secondary" pendingLabel="Restoring…">
                Restore {tier.name}
              </SubmitButton>
            </Form>
          </>
        ) : retireConfirm ? (
          <TierImpactPanel
            impact={retireConfirm}
            title={`Confirm: retire ${tier.name}`}
            error={retireAnswer?.formError}
            intro={
              <p>
                A retired tier leaves the membership page; nobody can join it, apply for it or be
                granted it. Nobody loses it: everyone who holds it keeps it, with every briefing it
                opens.
              </p>
            }
          >
            <Form method="post" action={self}>
              <input type="hidden" name="confirmation" value={retireConfirm.token} />
              <SubmitButton intent="retire" variant="danger" pendingLabel="Retiring…">
                Retire {tier.name}
              </SubmitButton>
            </Form>
            <Link to={self}>Cancel</Link>
          </TierImpactPanel>
        ) : (
          <>
            <p className="mt-2 text-sm">
              Retiring takes the tier off the membership page and stops new members; those who hold
              it keep it. You will see who holds it before anything changes.
            </p>
            <FormError errors={retireAnswer?.formError ? [retireAnswer.formError] : null} />
            <Form method="get" className="mt-3">
              <button
                type="submit"
                name="confirm"
                value="retire"
                className="rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-semibold text-red-800 hover:bg-red-50"
              >
                Retire {tier.name}…
              </button>
            </Form>
          </>
        )}
      </Section>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
