import { invalidateUserSessions, listUserSessions, resendVerification } from "@briefings/auth";
import { createPortalSession } from "@briefings/billing";
import { getDigestPreference, listTiers } from "@briefings/db/queries";
import { data, Form, Link, redirect } from "react-router";
import { AccountPage } from "#app/components/account/account-form.tsx";
import { BillingSection } from "#app/components/account/billing-section.tsx";
import { applicationStatusLabel, formatDateTime } from "#app/components/account/format.ts";
import { ACCOUNT_NOTICES, noticesFor } from "#app/components/account/notices.ts";
import { DigestForm } from "#app/components/digest-form.tsx";
import { FormError, Notice, SubmitButton } from "#app/components/forms.tsx";
import {
  accountDeps,
  failureHeaders,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  requireUser,
} from "#app/lib/auth.server.ts";
import {
  billingConfigured,
  billingDeps,
  hasBillingAccount,
  memberInvoices,
  memberSubscriptions,
} from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { saveDigestChoice } from "#app/lib/digest.server.ts";
import type { Route } from "./+types/index";

export const meta: Route.MetaFunction = () => [
  { title: "Your account — Briefings" },
  { name: "robots", content: "noindex" },
];

/** An http(s) address, or null: never a javascript: or data: link. */
function webUrl(value: string | null): string | null {
  return value && /^https?:\/\//i.test(value) ? value : null;
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user, sessionId } = requireUser(context, request);
  const database = await db();
  const [sessions, tiers, subscriptions, invoices, hasAccount, digest] = await Promise.all([
    listUserSessions(database, user.id),
    listTiers(database),
    memberSubscriptions(user.id),
    memberInvoices(user.id),
    hasBillingAccount(user.id),
    getDigestPreference(database, user.id),
  ]);
  const tierName = (slug: string) => tiers.find((tier) => tier.slug === slug)?.name ?? slug;
  const { viewer } = context;
  const member = viewer.kind === "member" ? viewer : null;
  return data(
    {
      email: user.email,
      emailVerified: user.emailVerified,
      tiers: (member?.tiers ?? []).map((slug) => ({ slug, name: tierName(slug) })),
      applications: Object.entries(member?.applications ?? {}).map(([slug, status]) => ({
        slug,
        name: tierName(slug),
        status: applicationStatusLabel(status),
      })),
      // Only what the list shows: session ids stay on the server.
      sessions: sessions.map((session, index) => ({
        key: index,
        device: session.device,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        current: session.id === sessionId,
      })),
      billing: {
        configured: billingConfigured(),
        hasAccount,
        subscriptions: subscriptions.map(({ pastDueSince: _, tierSlug, ...subscription }) => ({
          ...subscription,
          tierName: tierName(tierSlug),
        })),
        invoices: invoices.map(({ paidAt: _, ...invoice }) => ({
          ...invoice,
          // Links from Stripe, shown only as web addresses.
          hostedInvoiceUrl: webUrl(invoice.hostedInvoiceUrl),
          invoicePdf: webUrl(invoice.invoicePdf),
        })),
      },
      notices: noticesFor(ACCOUNT_NOTICES, new URL(request.url).searchParams),
      digestFrequency: digest.frequency,
    },
    { headers: PRIVATE_NO_STORE },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  const { user, sessionId } = requireUser(context, request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "digest") return saveDigestChoice(user.id, form);
  if (intent === "sign-out-others") {
    await invalidateUserSessions(await db(), user.id, sessionId);
    return redirect("/account?others-signed-out=1", { headers: PRIVATE_NO_STORE });
  }
  if (intent === "resend-verification") {
    const result = await resendVerification(await accountDeps(), user.id, {
      ipAddress: context.clientIp,
    });
    if (!result.ok) {
      return data(
        { formError: result.formError ?? "The link could not be sent." },
        { status: result.status, headers: failureHeaders(result) },
      );
    }
    return redirect("/account?verification-sent=1", { headers: PRIVATE_NO_STORE });
  }
  if (intent === "manage-billing") {
    // To Stripe's customer portal, which returns to this page.
    const deps = await billingDeps();
    const result = deps
      ? await createPortalSession(deps, user.id)
      : ({ ok: false, status: 503, message: "payments are not available right now" } as const);
    if (!result.ok)
      return data(
        { formError: `Your subscription cannot be managed: ${result.message}.` },
        { status: result.status, headers: PRIVATE_NO_STORE },
      );
    return redirect(result.url, { status: 303, headers: PRIVATE_NO_STORE });
  }
  return data({ formError: "Unknown action." }, { status: 400, headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

const SECTION = "mt-8 border-t border-slate-200 pt-6";

export default function Account({ loaderData, actionData }: Route.ComponentProps) {
  const { email, emailVerified, tiers, applications, sessions, notices, billing, digestFrequency } =
    loaderData;
  const others = sessions.filter((session) => !session.current).length;
  return (
    <AccountPage title="Your account" wide>
      {notices.map((notice) => (
        <Notice key={notice}>{notice}</Notice>
      ))}
      <FormError errors={actionData && "formError" in actionData ? [actionData.formError] : null} />

      <section aria-labelledby="address-heading">
        <h2 id="address-heading" className="text-xl font-semibold">
          E-mail address
        </h2>
        <p className="mt-2">
          <span className="font-medium" data-account-email>
            {email}
          </span>{" "}
          {emailVerified ? (
            <span className="ml-1 rounded bg-emerald-100 px-2 py-0.5 text-sm text-emerald-900">
              Verified
            </span>
          ) : (
            <span className="ml-1 rounded bg-amber-100 px-2 py-0.5 text-sm text-amber-900">
              Not verified
            </span>
          )}
        </p>
        {emailVerified ? null : (
          <Form method="post" className="mt-3">
            <p className="mb-3 text-sm text-muted">
              Open the link we sent you to verify your address. Lost it?
            </p>
            <SubmitButton intent="resend-verification" variant="secondary" pendingLabel="Sending…">
              Send a new verification link
            </SubmitButton>
          </Form>
        )}
        <ul className="mt-4 space-y-1 text-sm">
          <li>
            <Link to="/account/email">Change e-mail address</Link>
          </li>
          <li>
            <Link to="/account/password">Change password</Link>
          </li>
        </ul>
      </section>

      <section aria-labelledby="membership-heading" className={SECTION}>
        <h2 id="membership-heading" className="text-xl font-semibold">
          Membership
        </h2>
        {tiers.length > 0 ? (
          <ul className="mt-2 list-disc pl-5">
            {tiers.map((tier) => (
              <li key={tier.slug}>{tier.name}</li>
            ))}
          </ul>
        ) : (
          <p className="mt-2">You read member briefings; you hold no tier yet.</p>
        )}
        {applications.length > 0 ? (
          <>
            <h3 className="mt-4 font-medium">Applications</h3>
            <ul className="mt-1 list-disc pl-5">
              {applications.map((application) => (
                <li key={application.slug}>
                  {application.name}: {application.status}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p className="mt-3 text-sm">
          <Link to="/membership">See the tiers and how to join</Link>
        </p>
      </section>

      <BillingSection billing={billing} className={SECTION} />

      <section aria-labelledby="digest-heading" className={SECTION}>
        <h2 id="digest-heading" className="text-xl font-semibold">
          Following and digests
        </h2>
        <p className="mt-2 text-sm">
          See what changed in the profiles and topics you follow on your{" "}
          <Link to="/watchlist">watchlist</Link>.
        </p>
        <div className="mt-3">
          <DigestForm
            frequency={digestFrequency}
            emailVerified={emailVerified}
            result={actionData && "digest" in actionData ? actionData.digest : null}
          />
        </div>
      </section>

      <section aria-labelledby="sessions-heading" className={SECTION}>
        <h2 id="sessions-heading" className="text-xl font-semibold">
          Where you are signed in
        </h2>
        <ul className="mt-3 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
          {sessions.map((session) => (
            <li key={session.key} className="px-4 py-3" data-session>
              <p className="font-medium">
                {session.device}
                {session.current ? (
                  <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-sm font-normal">
                    This device
                  </span>
                ) : null}
              </p>
              <p className="text-sm text-muted">
                Signed in {formatDateTime(session.createdAt)} · last used{" "}
                {formatDateTime(session.lastUsedAt)}
              </p>
            </li>
          ))}
        </ul>
        <div className="mt-4 flex flex-wrap gap-3">
          {others > 0 ? (
            <Form method="post">
              <SubmitButton
                intent="sign-out-others"
                variant="secondary"
                pendingLabel="Signing out…"
              >
                Sign out of other devices
              </SubmitButton>
            </Form>
          ) : null}
          <Form method="post" action="/sign-out">
            <SubmitButton intent="everywhere" variant="secondary" pendingLabel="Signing out…">
              Sign out everywhere
            </SubmitButton>
          </Form>
        </div>
      </section>

      <section aria-labelledby="data-heading" className={SECTION}>
        <h2 id="data-heading" className="text-xl font-semibold">
          Your data
        </h2>
        <ul className="mt-2 space-y-1 text-sm">
          <li>
            <a href="/account/export" download>
              Download my data
            </a>{" "}
            <span className="text-muted">(JSON)</span>
          </li>
          <li>
            <Link to="/account/delete" className="text-red-700">
              Delete my account
            </Link>
          </li>
        </ul>
      </section>
    </AccountPage>
  );
}
