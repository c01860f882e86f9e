import { z } from "zod";
import { decideAccess, type TierCatalogue, tierCatalogue } from "./access.ts";
import { tierGate } from "./gate.ts";
import type { Viewer } from "./viewer.ts";

export const tierJoinMethodSchema = z.enum(["open", "application", "invitation"]);
export type TierJoinMethod = z.infer<typeof tierJoinMethodSchema>;

/** A slug: lowercase letters and digits in runs joined by single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const slugSchema = z
  .string()
  .min(1, { error: "slug is required" })
  .max(200, { error: "slug is at most 200 characters" })
  .regex(SLUG_PATTERN, {
    error: "slug may contain only lowercase letters, digits and single hyphens",
  });

export const tierSchema = z.object({
  slug: slugSchema,
  name: z.string().min(1).max(100),
  rank: z.number().int().min(1).max(1000),
  description: z.string().max(2000),
  audience: z.string().max(500),
  joinMethod: tierJoinMethodSchema,
  /** A short list of what the tier unlocks, shown on the membership page. */
  benefits: z.array(z.string().max(300)).max(20),
  paid: z.boolean(),
  /**
   * Prices in the currency's minor unit (cents for USD), for the billing of paid tiers;
   * absent or null: no price of that kind. Optional so that code which only reads a tier's
   * place and gates can build one without them.
   */
  priceMonthly: z.number().int().positive().nullable().optional(),
  priceYearly: z.number().int().positive().nullable().optional(),
  /** An ISO 4217 code, lower-case as the payment provider writes it ("usd"). */
  currency: z
    .string()
    .regex(/^[a-z]{3}$/)
    .optional(),
  retiredAt: z.date().nullable().default(null),
});
export type Tier = z.infer<typeof tierSchema>;
export type TierRef = Pick<Tier, "slug" | "name" | "rank" | "joinMethod" | "paid"> & {
  /** A retired tier takes no new members; its holders keep it. */
  retired?: boolean;
};

export const STRATEGIC_CIRCLE = "strategic-circle";
export const LEADERSHIP_ALLIANCE = "leadership-alliance";

/** The tiers shipped by default, as the seed page describes them. */
export const DEFAULT_TIERS: Tier[] = [
  {
    slug: STRATEGIC_CIRCLE,
    name: "Strategic Circle",
    rank: 1,
    description: "Open to all readers. Unlock profile briefings after joining and logging in.",
    audience: "Any signed-in reader",
    joinMethod: "open",
    benefits: [
      "Strategic Circle profile briefings",
      "Premium analysis on news articles",
      "Everything open to signed-in members",
    ],
    paid: false,
    retiredAt: null,
  },
  {
    slug: LEADERSHIP_ALLIANCE,
    name: "Leadership Alliance",
    rank: 2,
    description:
      "For owners and management of IP-holding companies: organisations that hold IP address space or AS numbers.",
    audience: "Owners and management of IP-holding companies",
    joinMethod: "application",
    benefits: [
      "Leadership Alliance briefings with full source notes",
      "Everything in Strategic Circle",
      "Monthly or yearly subscription after approval",
    ],
    paid: true,
    // Demo prices: 49.00 a month or 490.00 a year, in cents.
    priceMonthly: 4900,
    priceYearly: 49000,
    currency: "usd",
    retiredAt: null,
  },
];

// ---------------------------------------------------------------------------------------
// What a change to the catalogue does to members: which tier gates a set of held tiers
// passes, before and after. Computed with decideAccess itself, so it cannot drift from the
// rule that admits readers.

/** The tier gates (by tier slug) a member holding `held` passes under `tiers`' ranks. */
export function admittedTierGates(held: readonly string[], tiers: TierCatalogue): string[] {
  // A plain member: staff pass every gate whatever they hold, but what is asked here is
  // what the tiers themselves give.
  const viewer: Viewer = {
    kind: "member",
    userId: "",
    role: "member",
    tiers: held,
    applications: {},
  };
  return [...tiers.keys()]
    .filter((slug) => decideAccess(viewer, tierGate(slug), tiers).admitted)
    .sort();
}

/** The tier gates passed under `before` and no longer under `after`: what a change takes away. */
export function lostTierGates(
  held: readonly string[],
  before: TierCatalogue,
  after: TierCatalogue,
): string[] {
  const kept = new Set(admittedTierGates(held, after));
  return admittedTierGates(held, before).filter((slug) => !kept.has(slug));
}

/** The tier gates passed under `after` and not under `before`: what a change opens. */
export function gainedTierGates(
  held: readonly string[],
  before: TierCatalogue,
  after: TierCatalogue,
): string[] {
  return lostTierGates(held, after, before);
}

/** The catalogue with some tiers' ranks replaced. */
export function withRanks(tiers: TierCatalogue, ranks: ReadonlyMap<string, number>): TierCatalogue {
  return tierCatalogue(
    [...tiers.values()].map((tier) => ({ ...tier, rank: ranks.get(tier.slug) ?? tier.rank })),
  );
}

type Ranked = Pick<Tier, "slug" | "rank">;

/** Slugs from the lowest rank to the highest (ties by slug, so the order is stable). */
export function rankOrder(tiers: Iterable<Ranked>): string[] {
  return [...tiers]
    .sort((a, b) => a.rank - b.rank || a.slug.localeCompare(b.slug))
    .map((tier) => tier.slug);
}

/**
 * `order` with `slug` moved one place towards the lowest rank ("up", as the list shows
 * rank 1 first) or the highest ("down"); null when it cannot move that way.
 */
export function moveInOrder(
  order: readonly string[],
  slug: string,
  direction: "up" | "down",
): string[] | null {
  const from = order.indexOf(slug);
  const to = direction === "up" ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= order.length) return null;
  const moved = [...order];
  [moved[from], moved[to]] = [moved[to] as string, moved[from] as string];
  return moved;
}

/**
 * The ranks that put the tiers in `order` (lowest first): the ranks in use, handed out
 * again in the new order, each at least one above the previous, so they stay positive and
 * distinct and a swap of two neighbours changes only their two ranks. Null when `order`
 * is not exactly the tiers' slugs.
 */
export function ranksForOrder(
  tiers: readonly Ranked[],
  order: readonly string[],
): Map<string, number> | null {
  const slugs = new Set(tiers.map((tier) => tier.slug));
  if (order.length !== slugs.size || new Set(order).size !== order.length) return null;
  if (!order.every((slug) => slugs.has(slug))) return null;
  const ranksInUse = tiers.map((tier) => tier.rank).sort((a, b) => a - b);
  const ranks = new Map<string, number>();
  let previous = 0;
  order.forEach((slug, index) => {
    const rank = Math.max(ranksInUse[index] ?? 1, previous + 1);
    ranks.set(slug, rank);
    previous = rank;
  });
  return ranks;
}
