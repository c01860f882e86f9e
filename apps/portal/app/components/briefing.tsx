import {
  BRIEFING_KIND_LABELS,
  type Gate,
  type LockedBriefing,
  type NextStep,
  type UnlockedBriefing,
} from "@briefings/core";
import { Link, useLocation } from "react-router";
import { plural } from "#app/lib/format.ts";
import { GATED_BRIEFING_CLASS, isGated } from "#app/lib/seo.ts";

export type BriefingView = LockedBriefing | (UnlockedBriefing & { html: string });

/**
 * The outer element's classes: `briefing` on every block, and on a gated one (locked or
 * unlocked alike) the class that the page's paywall markup points search engines to.
 */
function blockClassName(gate: Gate, look: string): string {
  return `briefing${isGated(gate) ? ` ${GATED_BRIEFING_CLASS}` : ""} ${look}`;
}

function withheldSummary(briefing: LockedBriefing): string {
  const { sections, sources, words } = briefing.withheld;
  const parts = [plural(sections, "section")];
  if (sources > 0) parts.push(plural(sources, "source"));
  parts.push(words === null ? "sealed text" : plural(words, "word"));
  return parts.join(" · ");
}

/** What the gate asks of this viewer, in the seed page's words. */
function gateExplanation(step: NextStep): string {
  switch (step.action) {
    case "sign-in":
      return "Login is required to unlock the full profile briefing and source notes.";
    case "join":
      return "Open to all readers. Unlock profile briefings after joining and logging in.";
    case "apply":
      return "For owners and management of IP-holding companies. Login required to unlock.";
    case "application-pending":
      return "Your application is under review. You will be e-mailed when it is decided.";
    case "application-needs-info":
      return "The reviewers asked for more information about your application.";
    case "pay":
      return "Your application was approved. Subscribe to unlock.";
    case "request-invitation":
      return "Membership of this tier is by invitation.";
    case "unavailable":
      return "This briefing is not available.";
  }
}

/**
 * Where the next step's button leads. Signing in comes back to this page; a signed-out
 * reader is sent to sign up first, then on to where they were going.
 */
function nextStepHref(step: NextStep, currentPath: string): string | null {
  switch (step.action) {
    case "sign-in":
      return `/sign-in?next=${encodeURIComponent(currentPath)}`;
    case "join":
      return step.signedIn
        ? `/membership#${step.tier.slug}`
        : `/sign-up?next=${encodeURIComponent("/membership")}`;
    case "apply": {
      const applyPath = `/membership/apply/${step.tier.slug}`;
      return step.signedIn ? applyPath : `/sign-up?next=${encodeURIComponent(applyPath)}`;
    }
    case "pay":
    case "request-invitation":
    case "application-pending":
    case "application-needs-info":
      return `/membership#${step.tier.slug}`;
    case "unavailable":
      return null;
  }
}

function LockIcon() {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 16 16"
      className="mr-1 inline-block h-3.5 w-3.5 align-[-2px]"
      fill="currentColor"
    >
      <path d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z" />
    </svg>
  );
}

export function LockedBriefingCard({ briefing }: { briefing: LockedBriefing }) {
  const location = useLocation();
  const href = nextStepHref(briefing.nextStep, `${location.pathname}${location.search}`);
  const headingId = `briefing-${briefing.id}`;
  return (
    <article
      aria-labelledby={headingId}
      className={blockClassName(
        briefing.gate,
        "rounded-lg border border-dashed border-amber-300 bg-amber-50/60 p-5",
      )}
      data-briefing-state="locked"
    >
      <p className="text-xs font-semibold uppercase tracking-wide text-lock">
        <LockIcon />
        {briefing.label}
      </p>
      <h3 id={headingId} className="mt-1 text-lg font-semibold">
        {briefing.title}
      </h3>
      <p className="mt-1 text-sm text-muted">
        {`${BRIEFING_KIND_LABELS[briefing.kind]} · ${withheldSummary(briefing)} withheld`}
      </p>
      <p className="mt-3 text-sm">{gateExplanation(briefing.nextStep)}</p>
      {href ? (
        <p className="mt-4">
          <Link
            to={href}
            className="inline-block rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white no-underline hover:bg-accent-dark hover:text-white"
          >
            {briefing.nextStep.label}
          </Link>
        </p>
      ) : null}
    </article>
  );
}

export function UnlockedBriefingCard({
  briefing,
}: {
  briefing: UnlockedBriefing & { html: string };
}) {
  const headingId = `briefing-${briefing.id}`;
  return (
    <article
      aria-labelledby={headingId}
      className={blockClassName(briefing.gate, "rounded-lg border border-slate-200 bg-white p-5")}
      data-briefing-state="unlocked"
    >
      <p className="text-xs font-semibold uppercase tracking-wide text-accent">
        {briefing.label}
        {briefing.via === "staff" ? " · visible to staff" : null}
      </p>
      <h3 id={headingId} className="mt-1 text-lg font-semibold">
        {briefing.title}
      </h3>
      {briefing.sealed ? (
        <p className="mt-3 text-sm text-muted">
          This premium text is sealed and cannot be shown until the publisher's key is configured.
        </p>
      ) : (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: rendered on the server by markdown-it with raw HTML disabled (decision 006)
        <div className="prose-briefing mt-3" dangerouslySetInnerHTML={{ __html: briefing.html }} />
      )}
      {briefing.sources.length > 0 ? (
        <>
          <h4 className="mt-4 text-sm font-semibold">Source notes</h4>
          <ul className="mt-1 list-disc pl-5 text-sm">
            {briefing.sources.map((source) => (
              <li key={`${source.title}-${source.url}`}>
                {source.url ? (
                  <a href={source.url} rel="noopener noreferrer nofollow">
                    {source.title}
                  </a>
                ) : (
                  source.title
                )}
                {source.note ? <span className="text-muted"> — {source.note}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </article>
  );
}

export function BriefingList({
  briefings,
  heading,
}: {
  briefings: BriefingView[];
  heading: string;
}) {
  if (briefings.length === 0) return null;
  return (
    <section aria-labelledby="briefings-heading" className="mt-10">
      <h2 id="briefings-heading" className="text-xl font-semibold">
        {heading}
      </h2>
      <div className="mt-4 grid gap-4">
        {briefings.map((briefing) =>
          briefing.state === "locked" ? (
            <LockedBriefingCard key={briefing.id} briefing={briefing} />
          ) : (
            <UnlockedBriefingCard key={briefing.id} briefing={briefing} />
          ),
        )}
      </div>
    </section>
  );
}
