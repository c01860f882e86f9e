import { type ReactNode, useEffect, useRef } from "react";
import { Link } from "react-router";
import { plural } from "#app/lib/format.ts";

/** A preview as the server sends it (auth's TierImpact; browser code does not import auth). */
export type TierImpactView = {
  kind: "ranks" | "retire";
  affectedCount: number;
  affected: { userId: string; email: string; tiers: string[] }[];
  gainingCount: number;
  tiers: { slug: string; name: string; before: number; after: number }[];
  token: string;
};

/**
 * The confirmation step of a re-rank or a retirement: who is affected (a count, the first
 * members by e-mail with links to their pages) and the form that confirms exactly this
 * preview. It takes focus when it appears, so a keyboard or screen reader user lands on it.
 */
export function TierImpactPanel({
  impact,
  title,
  intro,
  error,
  children,
}: {
  impact: TierImpactView;
  title: string;
  intro: ReactNode;
  /** Why it is asked again (the preview changed since it was shown), if it is. */
  error?: string | null;
  /** The confirming form and the way back. */
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new preview (token) takes focus again.
  useEffect(() => {
    heading.current?.focus();
  }, [impact.token]);
  const retire = impact.kind === "retire";
  const more = impact.affectedCount - impact.affected.length;
  return (
    <section
      aria-labelledby="tier-impact-heading"
      className="mt-6 max-w-3xl rounded-lg border border-amber-300 bg-amber-50 p-4"
      data-tier-impact
    >
      <h2
        id="tier-impact-heading"
        ref={heading}
        tabIndex={-1}
        className="text-lg font-semibold focus:outline-none"
      >
        {title}
      </h2>
      {error ? (
        <p role="alert" className="mt-2 text-sm font-medium text-red-800">
          {error}
        </p>
      ) : null}
      <div className="mt-2 text-sm">{intro}</div>
      <p className="mt-3 text-sm font-medium" data-affected-count={impact.affectedCount}>
        {impact.affectedCount === 0
          ? retire
            ? "Nobody holds this tier now."
            : "No member loses access to anything."
          : retire
            ? `${plural(impact.affectedCount, "member")} ${impact.affectedCount === 1 ? "holds" : "hold"} this tier now and will keep it.`
            : `${plural(impact.affectedCount, "member")} would lose access to briefings they read now.`}
      </p>
      {impact.affected.length > 0 ? (
        <ul className="mt-2 space-y-1 text-sm" aria-label="Affected members">
          {impact.affected.map((member) => (
            <li key={member.userId} className="break-all">
              <Link to={`/admin/members/${member.userId}`}>{member.email}</Link>
              {retire ? null : (
                <span className="text-muted"> — loses {member.tiers.join(", ")}</span>
              )}
            </li>
          ))}
          {more > 0 ? <li className="text-muted">and {plural(more, "more member")}</li> : null}
        </ul>
      ) : null}
      {!retire && impact.gainingCount > 0 ? (
        <p className="mt-3 text-sm">
          {plural(impact.gainingCount, "member")} would gain access to more briefings.
        </p>
      ) : null}
      <div className="mt-4 flex flex-wrap items-center gap-3">{children}</div>
    </section>
  );
}

/** The ranks a re-rank leaves, the moved tiers marked. */
export function RankChanges({ tiers }: { tiers: TierImpactView["tiers"] }) {
  return (
    <ol className="mt-2 list-inside list-decimal space-y-0.5 text-sm" aria-label="New order">
      {tiers.map((tier) => (
        <li key={tier.slug}>
          {tier.name}{" "}
          {tier.before === tier.after ? (
            <span className="text-muted">(rank {tier.after})</span>
          ) : (
            <strong>
              (rank {tier.before} → {tier.after})
            </strong>
          )}
        </li>
      ))}
    </ol>
  );
}
