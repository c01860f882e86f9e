import type { ApplicationStatus } from "@briefings/core";
import type { ReactNode } from "react";
import { Form, Link } from "react-router";
import { FormError, SubmitButton } from "#app/components/forms.tsx";
import { formatDate } from "#app/lib/format.ts";

/** Paying for a paid tier: what can be bought, and the member's subscription to it. */
export type PaymentStanding = {
  /** Stripe is set up and the tier has prices there. */
  available: boolean;
  prices: { interval: "month" | "year"; label: string }[];
  subscription: {
    status: string;
    cancelAtPeriodEnd: boolean;
    currentPeriodEnd: string;
  } | null;
};

/** What this viewer can do about one tier, as the membership page's loader worked it out. */
export type TierStanding =
  | { kind: "anonymous" }
  | {
      kind: "open";
      held: boolean;
      /** The name of a higher tier the member holds, which includes this one. */
      includedBy: string | null;
      emailVerified: boolean;
    }
  | {
      kind: "application";
      held: boolean;
      emailVerified: boolean;
      application: {
        status: ApplicationStatus;
        reviewerMessage: string | null;
        submittedAt: string;
      } | null;
      /** Null for a tier that is not paid. */
      payment: PaymentStanding | null;
    }
  | { kind: "invitation"; held: boolean };

export type TierRefForActions = { slug: string; name: string; joinMethod: string };

const LINK_BUTTON =
  "inline-block rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white no-underline hover:bg-accent-dark hover:text-white";
const SECONDARY_LINK =
  "inline-block rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-ink no-underline hover:bg-slate-50";

function Status({
  children,
  tone = "info",
}: {
  children: ReactNode;
  tone?: "info" | "ok" | "warn";
}) {
  const colours = {
    info: "border-sky-200 bg-sky-50 text-sky-950",
    ok: "border-emerald-200 bg-emerald-50 text-emerald-950",
    warn: "border-amber-300 bg-amber-50 text-amber-950",
  }[tone];
  return <div className={`mt-2 rounded-md border px-3 py-2 text-sm ${colours}`}>{children}</div>;
}

/** The reviewer's words, as plain text with its line breaks. */
function ReviewerMessage({ label, message }: { label: string; message: string | null }) {
  if (!message) return null;
  return (
    <div className="mt-2">
      <p className="font-medium">{label}</p>
      <p className="mt-1 whitespace-pre-wrap">{message}</p>
    </div>
  );
}

function SignUpOrIn({ verb }: { verb: string }) {
  const next = encodeURIComponent("/membership");
  return (
    <>
      <p className="text-sm">Create a free account or sign in to {verb}.</p>
      <p className="mt-2 flex flex-wrap gap-2">
        <a href={`/sign-up?next=${next}`} className={LINK_BUTTON}>
          Sign up
        </a>
        <a href={`/sign-in?next=${next}`} className={SECONDARY_LINK}>
          Sign in
        </a>
      </p>
    </>
  );
}

function VerifyFirst({ what }: { what: string }) {
  return (
    <Status tone="warn">
      Verify your e-mail address to {what}: follow the link we e-mailed you, or send a new one from{" "}
      <Link to="/account">your account</Link>.
    </Status>
  );
}

function JoinOrLeave({
  tier,
  standing,
}: {
  tier: TierRefForActions;
  standing: Extract<TierStanding, { kind: "open" }>;
}) {
  if (standing.held) {
    return (
      <>
        <Status tone="ok">You are a member of {tier.name}.</Status>
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer font-medium text-muted hover:text-ink">
            Leave {tier.name}…
          </summary>
          <Form method="post" className="mt-2">
            <p className="mb-2">
              Leaving locks {tier.name} briefings again. You can join again at any time.
            </p>
            <input type="hidden" name="tier" value={tier.slug} />
            <SubmitButton intent="leave" variant="danger" pendingLabel="Leaving…">
              Leave {tier.name}
            </SubmitButton>
          </Form>
        </details>
      </>
    );
  }
  return (
    <>
      {standing.includedBy ? (
        <Status tone="ok">Your {standing.includedBy} membership already includes this tier.</Status>
      ) : null}
      {standing.emailVerified ? (
        <Form method="post" className="mt-3">
          <input type="hidden" name="tier" value={tier.slug} />
          <SubmitButton intent="join" pendingLabel="Joining…">
            Join {tier.name}
          </SubmitButton>
        </Form>
      ) : (
        <VerifyFirst what={`join ${tier.name}`} />
      )}
    </>
  );
}

function ApplicationState({
  tier,
  standing,
}: {
  tier: TierRefForActions;
  standing: Extract<TierStanding, { kind: "application" }>;
}) {
  const applyHref = `/membership/apply/${tier.slug}`;
  const application = standing.application;
  if (standing.payment) {
    const payment = (
      <PaymentState
        tier={tier}
        held={standing.held}
        approved={application?.status === "approved"}
        payment={standing.payment}
      />
    );
    if (standing.held || application?.status === "approved") return payment;
  }
  if (application?.status === "approved") {
    return <Status tone="ok">Approved — you have access to {tier.name}.</Status>;
  }
  if (standing.held) {
    return <Status tone="ok">You have access to {tier.name}.</Status>;
  }
  if (application?.status === "pending") {
    return (
      <Status>
        <p className="font-medium">Your application is under review.</p>
        <p className="mt-1">
          Submitted on {formatDate(application.submittedAt)}. You will be e-mailed when it is
          decided.
        </p>
      </Status>
    );
  }
  if (application?.status === "needs-info") {
    return (
      <>
        <Status tone="warn">
          <p>The reviewers asked for more information about your application.</p>
          <ReviewerMessage label="Their message:" message={application.reviewerMessage} />
        </Status>
        <p className="mt-3">
          <Link to={applyHref} className={LINK_BUTTON}>
            Update your application
          </Link>
        </p>
      </>
    );
  }
  return (
    <>
      {application?.status === "rejected" ? (
        <Status tone="warn">
          <p>Your application was not approved.</p>
          <ReviewerMessage label="The reviewer's reason:" message={application.reviewerMessage} />
        </Status>
      ) : null}
      {standing.emailVerified ? (
        <p className="mt-3">
          <Link to={applyHref} className={LINK_BUTTON}>
            {application?.status === "rejected" ? "Apply again" : `Apply for ${tier.name}`}
          </Link>
        </p>
      ) : (
        <VerifyFirst what={`apply for ${tier.name}`} />
      )}
    </>
  );
}

/**
 * A paid tier after approval: subscribe (to Stripe's checkout), or the subscription's state
 * with the way to manage it. Access itself follows Stripe's webhook, never this page.
 */
function PaymentState({
  tier,
  held,
  approved,
  payment,
}: {
  tier: TierRefForActions;
  held: boolean;
  approved: boolean;
  payment: PaymentStanding;
}) {
  const subscription = payment.subscription;
  const manage = (
    <p className="mt-3">
      <Link to="/account#billing" className={SECONDARY_LINK}>
        Manage your subscription
      </Link>
    </p>
  );
  if (subscription?.status === "past_due") {
    return (
      <>
        <Status tone="warn">
          <p className="font-medium">Your last payment for {tier.name} failed.</p>
          <p className="mt-1">
            Stripe is retrying your card. Update it to keep reading: access stops if the payment
            does not go through soon.
          </p>
        </Status>
        {manage}
      </>
    );
  }
  if (subscription && ["incomplete", "unpaid", "paused"].includes(subscription.status)) {
    return (
      <>
        <Status tone="warn">
          <p className="font-medium">Your {tier.name} subscription is waiting on a payment.</p>
          <p className="mt-1">Finish or cancel it before subscribing again.</p>
        </Status>
        {manage}
      </>
    );
  }
  if (held) {
    const active = subscription?.status === "active" || subscription?.status === "trialing";
    return (
      <>
        <Status tone="ok">
          <p>You have access to {tier.name}.</p>
          {active && subscription ? (
            <p className="mt-1">
              {subscription.cancelAtPeriodEnd
                ? `Your subscription ends on ${formatDate(subscription.currentPeriodEnd)}.`
                : `Renews on ${formatDate(subscription.currentPeriodEnd)}.`}
            </p>
          ) : null}
        </Status>
        {active ? manage : null}
      </>
    );
  }
  if (!approved) return null;
  if (!payment.available) {
    return (
      <Status>
        <p className="font-medium">Your application is approved.</p>
        <p className="mt-1">
          Payment is not set up yet, so {tier.name} cannot be bought here: the publisher will give
          you access and let you know.
        </p>
      </Status>
    );
  }
  const lapsed = subscription !== null;
  return (
    <>
      <Status tone="ok">
        <p className="font-medium">
          {lapsed ? `Your ${tier.name} subscription has ended.` : "Your application is approved."}
        </p>
        <p className="mt-1">Subscribe to start reading {tier.name} briefings.</p>
      </Status>
      <Form method="post" className="mt-3">
        <input type="hidden" name="tier" value={tier.slug} />
        <fieldset>
          <legend className="text-sm font-medium">Billing</legend>
          {payment.prices.map((price, index) => (
            <label key={price.interval} className="mt-1 flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="interval"
                value={price.interval}
                defaultChecked={index === 0}
                required
              />
              {price.interval === "month" ? "Monthly" : "Yearly"}: {price.label}
            </label>
          ))}
        </fieldset>
        <div className="mt-3">
          <SubmitButton intent="checkout" pendingLabel="Opening checkout…">
            Continue to payment
          </SubmitButton>
        </div>
        <p className="mt-2 text-xs text-muted">
          Payment is taken by Stripe. Cancel any time from your account.
        </p>
      </Form>
    </>
  );
}

/** The part of a tier's card that says what this viewer can do next. */
export function TierActions({
  tier,
  standing,
  formError,
}: {
  tier: TierRefForActions;
  standing: TierStanding;
  formError?: string | null;
}) {
  let body: ReactNode;
  switch (standing.kind) {
    case "anonymous":
      body = (
        <SignUpOrIn
          verb={
            tier.joinMethod === "application"
              ? `apply for ${tier.name}`
              : tier.joinMethod === "open"
                ? `join ${tier.name}`
                : "read member briefings"
          }
        />
      );
      break;
    case "open":
      body = <JoinOrLeave tier={tier} standing={standing} />;
      break;
    case "application":
      body = <ApplicationState tier={tier} standing={standing} />;
      break;
    case "invitation":
      body = standing.held ? (
        <Status tone="ok">You are a member of {tier.name}.</Status>
      ) : (
        <p className="text-sm">Membership is by invitation from the publisher.</p>
      );
      break;
  }
  return (
    <div className="mt-5 border-t border-slate-200 pt-4" data-tier-actions={tier.slug}>
      <FormError errors={formError ? [formError] : null} />
      {body}
    </div>
  );
}
