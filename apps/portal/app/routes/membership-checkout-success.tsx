import { listTiers } from "@briefings/db/queries";
import { useEffect, useState } from "react";
import { data, Link, useRevalidator } from "react-router";
import { z } from "zod";
import { PRIVATE_NO_STORE, privateRouteHeaders, requireUser } from "#app/lib/auth.server.ts";
import { memberSubscriptions, stripe } from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate } from "#app/lib/format.ts";
import { logger } from "#app/lib/logger.server.ts";
import type { Route } from "./+types/membership-checkout-success";

/**
 * Where Stripe's checkout returns a member after paying. Arriving here proves nothing (anyone
 * can open this address): access starts when Stripe's webhook has recorded the subscription,
 * so this page says it is waiting, and looks again until it has.
 */

export const meta: Route.MetaFunction = () => [
  { title: "Your subscription — Briefings" },
  { name: "robots", content: "noindex" },
];

/** Stripe's checkout session ids; anything else is ignored. */
const sessionIdSchema = z.string().regex(/^cs_[A-Za-z0-9_]{1,250}$/);

/** How often the page looks again, and for how long before saying it is slow. */
const POLL_MS = 2_000;
const PATIENCE_MS = 60_000;

/** Sessions looked up recently: the page looks again every two seconds while it waits. */
const sessionTiers = new Map<string, { tier: string | null; at: number }>();
const SESSION_CACHE_MS = 10 * 60 * 1000;
const SESSION_CACHE_MAX = 1_000;

/** The tier a checkout session was for, if it is this member's (its client reference). */
async function tierOfSession(sessionId: string, userId: string): Promise<string | null> {
  const key = `${userId}:${sessionId}`;
  const cached = sessionTiers.get(key);
  if (cached && Date.now() - cached.at < SESSION_CACHE_MS) return cached.tier;
  const tier = await lookUpSession(sessionId, userId);
  if (sessionTiers.size >= SESSION_CACHE_MAX) sessionTiers.clear();
  sessionTiers.set(key, { tier, at: Date.now() });
  return tier;
}

async function lookUpSession(sessionId: string, userId: string): Promise<string | null> {
  const sdk = stripe();
  if (!sdk) return null;
  try {
    const session = await sdk.checkout.sessions.retrieve(sessionId);
    if (session.client_reference_id !== userId) return null;
    return session.metadata?.tier_slug ?? null;
  } catch (error) {
    // An unknown or foreign session id is not an error of ours: say which, briefly.
    logger.warn(
      { sessionId, reason: error instanceof Error ? error.message : String(error) },
      "checkout session lookup failed",
    );
    return null;
  }
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  const parsed = sessionIdSchema.safeParse(new URL(request.url).searchParams.get("session_id"));
  const [subscriptions, tiers] = await Promise.all([
    memberSubscriptions(user.id),
    listTiers(await db()),
  ]);
  const paidTiers = tiers.filter((tier) => tier.paid);
  const sessionTier = parsed.success ? await tierOfSession(parsed.data, user.id) : null;
  // The tier paid for: the session's, else the member's most recent subscription's, else the
  // only paid tier.
  const tierSlug =
    sessionTier ??
    subscriptions[0]?.tierSlug ??
    (paidTiers.length === 1 ? (paidTiers[0]?.slug ?? null) : null);
  const tier = tiers.find((candidate) => candidate.slug === tierSlug) ?? null;
  const { viewer } = context;
  const held = tier !== null && viewer.kind === "member" && viewer.tiers.includes(tier.slug);
  const subscription = subscriptions.find((row) => row.tierSlug === tierSlug) ?? null;
  return data(
    {
      tier: tier ? { slug: tier.slug, name: tier.name } : null,
      // Held, and by a subscription that counts: not a grant beside an ended one.
      confirmed:
        held &&
        subscription !== null &&
        ["active", "trialing", "past_due"].includes(subscription.status),
      renewsOn: subscription?.currentPeriodEnd ?? null,
      // This page again, for browsers without JavaScript.
      again: `/membership/checkout/success${parsed.success ? `?session_id=${parsed.data}` : ""}`,
    },
    { headers: PRIVATE_NO_STORE },
  );
}

export const headers = privateRouteHeaders;

/** Looks again every few seconds while waiting; stops when confirmed or after a minute. */
function useWaitForConfirmation(confirmed: boolean): { slow: boolean } {
  const revalidator = useRevalidator();
  const [started] = useState(() => Date.now());
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (confirmed) return;
    const timer = setInterval(() => {
      if (Date.now() - started > PATIENCE_MS) {
        setSlow(true);
        clearInterval(timer);
        return;
      }
      if (revalidator.state === "idle") void revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [confirmed, revalidator, started]);
  return { slow };
}

export default function CheckoutSuccess({ loaderData }: Route.ComponentProps) {
  const { tier, confirmed, renewsOn, again } = loaderData;
  const { slow } = useWaitForConfirmation(confirmed);
  const name = tier?.name ?? "your membership";
  return (
    <div className="max-w-2xl">
      <h1 className="text-3xl font-semibold tracking-tight">
        {confirmed ? `Welcome to ${name}` : "Finishing your subscription"}
      </h1>
      {/* One live region, so screen readers hear the change from waiting to confirmed. */}
      <div
        aria-live="polite"
        className="mt-4"
        data-checkout-state={confirmed ? "confirmed" : "waiting"}
      >
        {confirmed ? (
          <>
            <p className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              Stripe has confirmed your subscription: {name} briefings are unlocked on every
              profile.
              {renewsOn ? ` It renews on ${formatDate(renewsOn)}.` : ""}
            </p>
            <p className="mt-4 flex flex-wrap gap-3">
              <Link
                to="/profiles"
                className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white no-underline hover:bg-accent-dark hover:text-white"
              >
                Read the briefings
              </Link>
              <Link to="/account#billing">Your subscription</Link>
            </p>
          </>
        ) : (
          <>
            <p className="flex items-center gap-2">
              <span
                aria-hidden="true"
                className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-accent motion-reduce:animate-none"
              />
              Waiting for Stripe to confirm your payment. Access to {name} starts as soon as it
              does, usually within a few seconds.
            </p>
            {slow ? (
              <p className="mt-3 text-sm">
                This is taking longer than usual. Nothing more is needed from you: your access
                starts when Stripe confirms, and <Link to="/account#billing">your account</Link>{" "}
                will show the subscription.
              </p>
            ) : null}
            <noscript>
              <p className="mt-3 text-sm">
                <a href={again}>Check again</a> in a few seconds.
              </p>
            </noscript>
          </>
        )}
      </div>
    </div>
  );
}
