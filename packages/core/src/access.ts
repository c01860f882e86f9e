import type { Gate } from "./gate.ts";
import type { TierRef } from "./tier.ts";
import { isStaff, type Viewer } from "./viewer.ts";

/** The tiers known to the system, by slug. */
export type TierCatalogue = ReadonlyMap<string, TierRef>;

/**
 * Builds the catalogue from tier records, keeping only the public reference fields:
 * a tier travels inside every locked teaser's next step, so nothing else may ride along.
 */
export function tierCatalogue(
  tiers: Iterable<TierRef & { retiredAt?: Date | null }>,
): TierCatalogue {
  return new Map(
    [...tiers].map(({ slug, name, rank, joinMethod, paid, retired, retiredAt }) => [
      slug,
      { slug, name, rank, joinMethod, paid, retired: Boolean(retired || retiredAt) },
    ]),
  );
}

/**
 * The tier to offer a reader locked out of `gateTier`: that tier, or when it is retired (it
 * takes no new members) the lowest current tier above it, which admits its gates too.
 */
function offeredTier(gateTier: TierRef, tiers: TierCatalogue): TierRef | null {
  if (!gateTier.retired) return gateTier;
  let best: TierRef | null = null;
  for (const tier of tiers.values()) {
    if (tier.retired || tier.rank <= gateTier.rank) continue;
    if (!best || tier.rank < best.rank) best = tier;
  }
  return best;
}

export type NextStep =
  | { action: "sign-in"; label: string }
  | { action: "join"; tier: TierRef; signedIn: boolean; label: string }
  | { action: "apply"; tier: TierRef; signedIn: boolean; label: string }
  | { action: "application-pending"; tier: TierRef; label: string }
  | { action: "application-needs-info"; tier: TierRef; label: string }
  | { action: "pay"; tier: TierRef; label: string }
  | { action: "request-invitation"; tier: TierRef; label: string }
  | { action: "unavailable"; label: string };

export type AccessDecision =
  | { admitted: true; via: "public" | "membership" | "tier" | "staff" }
  | { admitted: false; nextStep: NextStep };

/** Holding a tier admits its own gates and those of every lower-ranked tier. */
function holdsTierOrAbove(viewer: Viewer, gateTier: TierRef, tiers: TierCatalogue): boolean {
  if (viewer.kind !== "member") return false;
  return viewer.tiers.some((slug) => {
    if (slug === gateTier.slug) return true;
    const held = tiers.get(slug);
    // Strictly higher: two tiers of equal rank are different tiers, not one another.
    return held !== undefined && held.rank > gateTier.rank;
  });
}

/**
 * The one access decision. A gate naming a tier the catalogue does not know admits
 * only staff: unknown means closed.
 */
export function decideAccess(viewer: Viewer, gate: Gate, tiers: TierCatalogue): AccessDecision {
  if (gate.kind === "public") return { admitted: true, via: "public" };
  if (isStaff(viewer)) return { admitted: true, via: "staff" };
  if (gate.kind === "members") {
    if (viewer.kind === "member") return { admitted: true, via: "membership" };
    return { admitted: false, nextStep: { action: "sign-in", label: "Sign in to read" } };
  }
  const tier = tiers.get(gate.tier);
  if (!tier)
    return { admitted: false, nextStep: { action: "unavailable", label: "Not available" } };
  if (holdsTierOrAbove(viewer, tier, tiers)) return { admitted: true, via: "tier" };
  const offered = offeredTier(tier, tiers);
  if (!offered)
    return {
      admitted: false,
      nextStep: { action: "unavailable", label: `${tier.name} is no longer offered` },
    };
  return { admitted: false, nextStep: nextStepFor(viewer, offered) };
}

export function canView(viewer: Viewer, gate: Gate, tiers: TierCatalogue): boolean {
  return decideAccess(viewer, gate, tiers).admitted;
}

function nextStepFor(viewer: Viewer, tier: TierRef): NextStep {
  const signedIn = viewer.kind === "member";
  switch (tier.joinMethod) {
    case "open":
      return { action: "join", tier, signedIn, label: `Join ${tier.name}` };
    case "invitation":
      return { action: "request-invitation", tier, label: `${tier.name} is by invitation` };
    case "application": {
      const status = viewer.kind === "member" ? viewer.applications[tier.slug] : undefined;
      if (status === "pending") {
        return { action: "application-pending", tier, label: "Your application is under review" };
      }
      if (status === "needs-info") {
        return {
          action: "application-needs-info",
          tier,
          label: "Your application needs more information",
        };
      }
      if (status === "approved" && tier.paid) {
        return { action: "pay", tier, label: `Subscribe to ${tier.name}` };
      }
      return { action: "apply", tier, signedIn, label: `Join ${tier.name}` };
    }
  }
}
