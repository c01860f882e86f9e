import { joinTier, latestApplication, leaveTier } from "@briefings/auth";
import { createCheckoutSession } from "@briefings/billing";
import { formatPrice, slugSchema, type Tier } from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { data, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { FormError, Notice } from "#app/components/forms.tsx";
import {
  type PaymentStanding,
  TierActions,
  type TierStanding,
} from "#app/components/membership/tier-actions.tsx";
import { requireUser } from "#app/lib/auth.server.ts";
import { billingConfigured, billingDeps, memberSubscriptions } from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { cacheHeaders, routeHeaders } from "#app/lib/http.server.ts";
import { basicPageMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/membership";

// Notices in the query string (?joined=1) are not canonical.
export const meta: Route.MetaFunction = ({ matches }) =>
  basicPageMeta(originFromMatches(matches), {
    path: "/membership",
    title: "Membership — Briefings",
    socialTitle: "Membership",
    description:
      "What each membership tier unlocks and how to join: Strategic Circle and Leadership Alliance.",
  });

const NO_STORE = { "Cache-Control": "private, no-store" };

export async function loader({ context }: Route.LoaderArgs) {
  const { viewer, user } = context;
  const database = await db();
  const tiers = (await listTiers(database)).filter((tier) => !tier.retiredAt);
  const held = new Set(viewer.kind === "member" ? viewer.tiers : []);
  // Paid tiers take payment only with Stripe set up and the tier's prices made there.
  const stripePrices = new Map(
    (
      await database.query.tiers.findMany({
        columns: { slug: true, stripePriceMonthly: true, stripePriceYearly: true },
      })
    ).map((row) => [row.slug, row]),
  );
  const subscriptions = user ? await memberSubscriptions(user.id) : [];

  function paymentOf(tier: Tier): PaymentStanding | null {
    if (!tier.paid) return null;
    const ids = stripePrices.get(tier.slug);
    const currency = tier.currency ?? "usd";
    const prices = [
      tier.priceMonthly && ids?.stripePriceMonthly
        ? {
            interval: "month" as const,
            label: `${formatPrice(tier.priceMonthly, currency)} a month`,
          }
        : null,
      tier.priceYearly && ids?.stripePriceYearly
        ? { interval: "year" as const, label: `${formatPrice(tier.priceYearly, currency)} a year` }
        : null,
    ].filter((price) => price !== null);
    const subscription = subscriptions.find((row) => row.tierSlug === tier.slug) ?? null;
    return {
      available: billingConfigured() && prices.length > 0,
      prices,
      subscription: subscription
        ? {
            status: subscription.status,
            cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
            currentPeriodEnd: subscription.currentPeriodEnd,
          }
        : null,
    };
  }

  async function standingOf(tier: Tier): Promise<TierStanding> {
    if (viewer.kind === "anonymous" || !user) return { kind: "anonymous" };
    const isHeld = held.has(tier.slug);
    switch (tier.joinMethod) {
      case "open": {
        const higher = tiers.find((other) => other.rank > tier.rank && held.has(other.slug));
        return {
          kind: "open",
          held: isHeld,
          includedBy: higher?.name ?? null,
          emailVerified: user.emailVerified,
        };
      }
      case "application": {
        const latest = await latestApplication(database, user.id, tier.slug);
        return {
          kind: "application",
          held: isHeld,
          emailVerified: user.emailVerified,
          // Only what the applicant needs to see about their own application.
          application: latest
            ? {
                status: latest.status,
                reviewerMessage: latest.reviewerMessage,
                submittedAt: latest.submittedAt.toISOString(),
              }
            : null,
          payment: paymentOf(tier),
        };
      }
      case "invitation":
        return { kind: "invitation", held: isHeld };
    }
  }

  const cards = await Promise.all(
    tiers.map(async (tier) => ({
      tier: {
        slug: tier.slug,
        name: tier.name,
        audience: tier.audience,
        description: tier.description,
        benefits: tier.benefits,
        joinMethod: tier.joinMethod,
      },
      standing: await standingOf(tier),
    })),
  );
  return data({ cards, signedIn: viewer.kind === "member" }, { headers: cacheHeaders(viewer) });
}

export const headers: Route.HeadersFunction = routeHeaders;

const membershipActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.enum(["join", "leave"]), tier: slugSchema }),
    z.object({
      intent: z.literal("checkout"),
      tier: slugSchema,
      interval: z.enum(["month", "year"], { error: 'must be "month" or "year"' }),
    }),
  ],
  { error: 'must be "join", "leave" or "checkout"' },
);

export async function action({ request, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const formData = await request.formData();
  const parsed = membershipActionSchema.safeParse({
    intent: formData.get("intent") ?? undefined,
    tier: formData.get("tier") ?? undefined,
    interval: formData.get("interval") ?? undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "form";
    return data(
      { tier: null, formError: `Invalid "${field}": ${issue?.message ?? "bad value"}` },
      { status: 400, headers: NO_STORE },
    );
  }
  const { intent, tier } = parsed.data;
  if (parsed.data.intent === "checkout") {
    // To Stripe's checkout page; access follows once Stripe's webhook records the payment.
    const deps = await billingDeps();
    const result = deps
      ? await createCheckoutSession(deps, {
          userId: user.id,
          tierSlug: tier,
          interval: parsed.data.interval,
        })
      : ({ ok: false, status: 503, message: "payment is not set up yet" } as const);
    if (!result.ok)
      return data(
        { tier, formError: `Checkout could not start: ${result.message}.` },
        { status: result.status, headers: NO_STORE },
      );
    throw redirect(result.url, { status: 303, headers: NO_STORE });
  }
  const database = await db();
  const result =
    intent === "join"
      ? await joinTier(database, user.id, tier)
      : await leaveTier(database, user.id, tier);
  if (!result.ok) {
    return data(
      { tier, formError: result.formError ?? "That did not work. Please try again." },
      { status: result.status, headers: NO_STORE },
    );
  }
  const notice = intent === "join" ? "joined" : "left";
  throw redirect(`/membership?${notice}=1#${tier}`, { status: 303, headers: NO_STORE });
}

const HOW_TO_JOIN = {
  open: "Free. Sign in and join with one click.",
  application:
    "Apply with your organisation, your role and evidence of its IP holdings (AS numbers, prefixes, registry handles). After an admin approves the application, subscribe monthly or yearly.",
  invitation: "By invitation from the publisher.",
} as const;

const NOTICES = {
  verified: "Your e-mail address is verified. You can now join and apply for membership tiers.",
  joined: "You joined. Its briefings are now unlocked on every profile.",
  left: "You left. Its briefings are locked again; you can join again at any time.",
  applied: "Thank you: your application was submitted and is under review.",
  "checkout-canceled":
    "Checkout was cancelled: nothing was charged. You can subscribe whenever you like.",
} as const;

export default function Membership({ loaderData, actionData }: Route.ComponentProps) {
  const { cards, signedIn } = loaderData;
  const [searchParams] = useSearchParams();
  const notices = (Object.keys(NOTICES) as (keyof typeof NOTICES)[]).filter(
    (key) => searchParams.get(key) === "1",
  );
  return (
    <>
      <h1 className="text-3xl font-semibold tracking-tight">Membership</h1>
      <p className="mt-2 max-w-3xl text-muted">
        Every profile summary and news item is public. Briefings go deeper: each sits behind a gate,
        and the tiers below unlock them. A higher tier includes everything below it.
      </p>
      <div className="mt-6 max-w-3xl">
        {notices.map((key) => (
          <Notice key={key}>{NOTICES[key]}</Notice>
        ))}
        {actionData && actionData.tier === null ? (
          <FormError errors={[actionData.formError]} />
        ) : null}
      </div>
      <ol className="mt-4 grid gap-6 lg:grid-cols-3">
        <li id="members" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-xl font-semibold">Member</h2>
          <p className="mt-1 text-sm text-muted">Any signed-in reader</p>
          <p className="mt-4">Member briefings: the deeper profile context and its source notes.</p>
          <p className="mt-4 text-sm font-medium">How to get it</p>
          <p className="text-sm">Create a free account and sign in.</p>
          {signedIn ? (
            <div className="mt-5 border-t border-slate-200 pt-4">
              <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-950">
                You are signed in: member briefings are unlocked.
              </p>
            </div>
          ) : (
            <TierActions
              tier={{ slug: "members", name: "Member", joinMethod: "account" }}
              standing={{ kind: "anonymous" }}
            />
          )}
        </li>
        {cards.map(({ tier, standing }) => (
          <li
            key={tier.slug}
            id={tier.slug}
            className="flex flex-col rounded-lg border border-slate-200 bg-white p-6"
          >
            <h2 id={`tier-${tier.slug}`} className="text-xl font-semibold">
              {tier.name}
            </h2>
            <p className="mt-1 text-sm text-muted">{tier.audience}</p>
            <p className="mt-4">{tier.description}</p>
            {tier.benefits.length > 0 ? (
              <>
                <p className="mt-4 text-sm font-medium">What it unlocks</p>
                <ul className="mt-1 list-disc pl-5 text-sm">
                  {tier.benefits.map((benefit) => (
                    <li key={benefit}>{benefit}</li>
                  ))}
                </ul>
              </>
            ) : null}
            <p className="mt-4 text-sm font-medium">How to get it</p>
            <p className="text-sm">{HOW_TO_JOIN[tier.joinMethod]}</p>
            <TierActions
              tier={tier}
              standing={standing}
              formError={actionData?.tier === tier.slug ? actionData.formError : null}
            />
          </li>
        ))}
      </ol>
    </>
  );
}
