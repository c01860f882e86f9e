import { z } from "zod";

/**
 * A gate is the visibility of one piece of content. Tier gates name the tier by
 * slug; its rank is resolved from the tier catalogue when a decision is made, so
 * re-ranking a tier moves every gate that names it.
 */
export const gateSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("public") }),
  z.object({ kind: z.literal("members") }),
  z.object({ kind: z.literal("tier"), tier: z.string().min(1) }),
]);
export type Gate = z.infer<typeof gateSchema>;

export const PUBLIC_GATE: Gate = { kind: "public" };
export const MEMBERS_GATE: Gate = { kind: "members" };
export const tierGate = (tier: string): Gate => ({ kind: "tier", tier });

/** The compact string form used in storage and URLs: `public`, `members`, `tier:<slug>`. */
export function gateToString(gate: Gate): string {
  return gate.kind === "tier" ? `tier:${gate.tier}` : gate.kind;
}

export function gateFromString(value: string): Gate {
  if (value === "public") return PUBLIC_GATE;
  if (value === "members") return MEMBERS_GATE;
  if (value.startsWith("tier:") && value.length > "tier:".length) {
    return tierGate(value.slice("tier:".length));
  }
  throw new Error(`unknown gate "${value}": expected public, members or tier:<slug>`);
}
