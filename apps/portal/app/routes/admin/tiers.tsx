import { previewTierMove, reorderTiers, type TierImpact } from "@briefings/auth";
import { formatPrice, SLUG_PATTERN } from "@briefings/core";
import { countTierHolders, listTiers } from "@briefings/db/queries";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { RankChanges, TierImpactPanel } from "#app/components/admin/tier-impact.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, Notice, SubmitButton } from "#app/components/forms.tsx";
import { auditActor, PRIVATE_NO_STORE, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db, refreshTiers } from "#app/lib/db.server.ts";
import { formatDate, plural } from "#app/lib/format.ts";
import { parseSearchParams, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/tiers";

const JOIN_METHOD_LABELS = {
  open: "Open (one click)",
  application: "By application",
  invitation: "By invitation",
} as const;

const slug = z
  .string()
  .max(200, { error: "is not a tier" })
  .regex(SLUG_PATTERN, { error: "is not a tier" });

const querySchema = z.object({
  move: slug.optional(),
  direction: z.enum(["up", "down"], { error: 'must be "up" or "down"' }).optional(),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const { move, direction } = parseSearchParams(new URL(request.url), querySchema);
  const database = await db();
  const [tiers, holders] = await Promise.all([listTiers(database), countTierHolders(database)]);
  let proposal: { order: string[]; impact: TierImpact } | null = null;
  let moveError: string | null = null;
  if (move && direction) {
    const preview = await previewTierMove(database, move, direction);
    const name = tiers.find((tier) => tier.slug === move)?.name;
    if (preview) proposal = preview;
    else
      moveError = name
        ? `${name} is already ${direction === "up" ? "first" : "last"}.`
        : "There is no such tier to move.";
  }
  return data(
    {
      tiers: tiers.map((tier) => ({
        slug: tier.slug,
        name: tier.name,
        rank: tier.rank,
        joinMethod: JOIN_METHOD_LABELS[tier.joinMethod],
        paid: tier.paid,
        prices: [
          tier.priceMonthly
            ? `${formatPrice(tier.priceMonthly, tier.currency ?? "usd")} a month`
            : null,
          tier.priceYearly
            ? `${formatPrice(tier.priceYearly, tier.currency ?? "usd")} a year`
            : null,
        ].filter((price): price is string => price !== null),
        holders: holders.get(tier.slug) ?? 0,
        retiredAt: tier.retiredAt?.toISOString() ?? null,
      })),
      move: proposal && move && direction ? { slug: move, direction, ...proposal } : null,
      moveError,
    },
    { headers: PRIVATE_NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "Tiers — Administration" }];

const reorderSchema = z.object({
  order: z
    .array(slug, { error: "must list the tiers" })
    .min(1, { error: "must list the tiers" })
    .max(1000, { error: "must list the tiers" }),
  confirmation: z.string().max(200, { error: "is not a preview's token" }),
});

export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const formData = await request.formData();
  if (formData.get("intent") !== "reorder") {
    return data(
      { formError: 'Invalid "intent": must be "reorder"', confirm: null },
      { status: 400, headers: PRIVATE_NO_STORE },
    );
  }
  const parsed = reorderSchema.safeParse({
    order: formData.getAll("order"),
    confirmation: formData.get("confirmation") ?? "",
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return data(
      {
        formError: `Invalid "${String(issue?.path[0] ?? "form")}": ${issue?.message ?? "bad value"}`,
        confirm: null,
      },
      { status: 400, headers: PRIVATE_NO_STORE },
    );
  }
  const result = await reorderTiers(
    await db(),
    auditActor(context),
    parsed.data.order,
    parsed.data.confirmation,
  );
  if (result.ok) {
    refreshTiers();
    throw redirect(`/admin/tiers?${result.changed ? "reordered" : "unchanged"}=1`, {
      status: 303,
      headers: PRIVATE_NO_STORE,
    });
  }
  return data(
    {
      formError: result.formError ?? "The order was not changed.",
      confirm: "confirm" in result ? { order: parsed.data.order, impact: result.confirm } : null,
    },
    { status: result.status, headers: PRIVATE_NO_STORE },
  );
}

function MoveButtons({
  slug,
  name,
  first,
  last,
}: {
  slug: string;
  name: string;
  first: boolean;
  last: boolean;
}) {
  // A GET form: the move is only proposed here; it is confirmed on the preview.
  return (
    <Form method="get" preventScrollReset className="flex gap-2">
      <input type="hidden" name="move" value={slug} />
      {first ? null : (
        <button
          type="submit"
          name="direction"
          value="up"
          aria-label={`Move ${name} up (lower rank)`}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50"
        >
          ↑ Up
        </button>
      )}
      {last ? null : (
        <button
          type="submit"
          name="direction"
          value="down"
          aria-label={`Move ${name} down (higher rank)`}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50"
        >
          ↓ Down
        </button>
      )}
    </Form>
  );
}

export default function AdminTiers({ loaderData, actionData }: Route.ComponentProps) {
  const { tiers, move, moveError } = loaderData;
  const [searchParams] = useSearchParams();
  // A refused confirmation answers with the preview as it is now; else the page's own.
  const proposal = actionData?.confirm ?? move;
  const movedName = move ? tiers.find((tier) => tier.slug === move.slug)?.name : null;
  const created = tiers.find((tier) => tier.slug === searchParams.get("created"))?.name;
  return (
    <AdminPage title="Tiers">
      <p className="mt-2 max-w-2xl text-sm text-muted">
        Membership tiers, lowest rank first. A tier admits the gates of every tier of lower rank.
        Re-ranking or retiring a tier first shows who is affected.
      </p>
      <p className="mt-3 text-sm">
        <Link to="/admin/tiers/new" className="font-semibold">
          Create a tier
        </Link>
      </p>
      <div className="mt-4 max-w-2xl">
        {searchParams.get("reordered") === "1" ? <Notice>The new order is saved.</Notice> : null}
        {searchParams.get("unchanged") === "1" ? (
          <Notice>The order was already as proposed; nothing changed.</Notice>
        ) : null}
        {created ? <Notice>{created} was created.</Notice> : null}
        {moveError ? <FormError errors={[moveError]} /> : null}
        {!proposal && actionData?.formError ? <FormError errors={[actionData.formError]} /> : null}
      </div>

      {proposal ? (
        <TierImpactPanel
          impact={proposal.impact}
          title="Confirm the new order"
          error={actionData?.confirm ? actionData.formError : null}
          intro={
            <>
              {move && movedName ? (
                <p>
                  {movedName} moves{" "}
                  {move.direction === "up" ? "up, to a lower" : "down, to a higher"} rank. Nothing
                  changes until you confirm. The order it leaves:
                </p>
              ) : (
                <p>Nothing changes until you confirm. The order it leaves:</p>
              )}
              <RankChanges tiers={proposal.impact.tiers} />
            </>
          }
        >
          <Form method="post" action="/admin/tiers">
            {proposal.order.map((slug) => (
              <input key={slug} type="hidden" name="order" value={slug} />
            ))}
            <input type="hidden" name="confirmation" value={proposal.impact.token} />
            <SubmitButton intent="reorder" pendingLabel="Saving the order…">
              Confirm new order
            </SubmitButton>
          </Form>
          <Link to="/admin/tiers">Cancel</Link>
        </TierImpactPanel>
      ) : null}

      {tiers.length === 0 ? (
        <EmptyState>
          There are no tiers yet. <Link to="/admin/tiers/new">Create the first one</Link>.
        </EmptyState>
      ) : (
        <DataTable
          caption="Tiers, lowest rank first"
          head={["Rank", "Tier", "How one joins", "Price", "Members now", "Status", "Order"]}
        >
          {tiers.map((tier, index) => (
            <tr key={tier.slug} data-tier={tier.slug}>
              <td className={NOWRAP_CELL}>{tier.rank}</td>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/tiers/${tier.slug}`}>{tier.name}</Link>
                <span className="block text-xs font-normal text-muted">{tier.slug}</span>
              </th>
              <td className={NOWRAP_CELL}>{tier.joinMethod}</td>
              <td className={CELL}>
                {tier.paid
                  ? tier.prices.length > 0
                    ? tier.prices.map((price) => (
                        <span key={price} className="block whitespace-nowrap">
                          {price}
                        </span>
                      ))
                    : "Paid (no price set)"
                  : "Free"}
              </td>
              <td className={NOWRAP_CELL}>{plural(tier.holders, "member")}</td>
              <td className={NOWRAP_CELL}>
                {tier.retiredAt ? `Retired ${formatDate(tier.retiredAt)}` : "Active"}
              </td>
              <td className={NOWRAP_CELL}>
                <MoveButtons
                  slug={tier.slug}
                  name={tier.name}
                  first={index === 0}
                  last={index === tiers.length - 1}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
