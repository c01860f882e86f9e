import { describe, expect, it } from "vitest";
import { canView, decideAccess, type NextStep, tierCatalogue } from "./access.ts";
import { type Gate, gateToString, MEMBERS_GATE, PUBLIC_GATE, tierGate } from "./gate.ts";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE, type TierRef } from "./tier.ts";
import { ANONYMOUS, type ApplicationStatus, type Role, type Viewer } from "./viewer.ts";

const tiers = tierCatalogue(DEFAULT_TIERS);

function member(
  options: { role?: Role; tiers?: string[]; applications?: Record<string, ApplicationStatus> } = {},
): Viewer {
  return {
    kind: "member",
    userId: "user-1",
    role: options.role ?? "member",
    tiers: options.tiers ?? [],
    applications: options.applications ?? {},
  };
}

const VIEWERS = {
  anonymous: ANONYMOUS,
  "member, no tier": member(),
  "Strategic Circle member": member({ tiers: [STRATEGIC_CIRCLE] }),
  "Leadership Alliance member": member({ tiers: [LEADERSHIP_ALLIANCE] }),
  "member with a pending Leadership Alliance application": member({
    applications: { [LEADERSHIP_ALLIANCE]: "pending" },
  }),
  "member asked for more information": member({
    applications: { [LEADERSHIP_ALLIANCE]: "needs-info" },
  }),
  "member approved for Leadership Alliance, not yet paid": member({
    tiers: [STRATEGIC_CIRCLE],
    applications: { [LEADERSHIP_ALLIANCE]: "approved" },
  }),
  "member whose Leadership Alliance application was rejected": member({
    applications: { [LEADERSHIP_ALLIANCE]: "rejected" },
  }),
  editor: member({ role: "editor" }),
  admin: member({ role: "admin" }),
} satisfies Record<string, Viewer>;
type ViewerName = keyof typeof VIEWERS;

const GATES = {
  public: PUBLIC_GATE,
  members: MEMBERS_GATE,
  "tier:strategic-circle": tierGate(STRATEGIC_CIRCLE),
  "tier:leadership-alliance": tierGate(LEADERSHIP_ALLIANCE),
  "tier:unknown": tierGate("no-such-tier"),
} satisfies Record<string, Gate>;
type GateName = keyof typeof GATES;

/** An admitted cell names how; a locked one names the next step and, where it matters, the tier and whether signed in. */
type Expected =
  | { via: "public" | "membership" | "tier" | "staff" }
  | { action: NextStep["action"]; tier?: string; signedIn?: boolean };

const SC = STRATEGIC_CIRCLE;
const LA = LEADERSHIP_ALLIANCE;

const MATRIX: Record<ViewerName, Record<GateName, Expected>> = {
  anonymous: {
    public: { via: "public" },
    members: { action: "sign-in" },
    "tier:strategic-circle": { action: "join", tier: SC, signedIn: false },
    "tier:leadership-alliance": { action: "apply", tier: LA, signedIn: false },
    "tier:unknown": { action: "unavailable" },
  },
  "member, no tier": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { action: "join", tier: SC, signedIn: true },
    "tier:leadership-alliance": { action: "apply", tier: LA, signedIn: true },
    "tier:unknown": { action: "unavailable" },
  },
  "Strategic Circle member": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { via: "tier" },
    "tier:leadership-alliance": { action: "apply", tier: LA, signedIn: true },
    "tier:unknown": { action: "unavailable" },
  },
  "Leadership Alliance member": {
    public: { via: "public" },
    members: { via: "membership" },
    // Rank 2 includes rank 1 without holding it separately.
    "tier:strategic-circle": { via: "tier" },
    "tier:leadership-alliance": { via: "tier" },
    "tier:unknown": { action: "unavailable" },
  },
  "member with a pending Leadership Alliance application": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { action: "join", tier: SC, signedIn: true },
    "tier:leadership-alliance": { action: "application-pending", tier: LA },
    "tier:unknown": { action: "unavailable" },
  },
  "member asked for more information": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { action: "join", tier: SC, signedIn: true },
    "tier:leadership-alliance": { action: "application-needs-info", tier: LA },
    "tier:unknown": { action: "unavailable" },
  },
  "member approved for Leadership Alliance, not yet paid": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { via: "tier" },
    "tier:leadership-alliance": { action: "pay", tier: LA },
    "tier:unknown": { action: "unavailable" },
  },
  "member whose Leadership Alliance application was rejected": {
    public: { via: "public" },
    members: { via: "membership" },
    "tier:strategic-circle": { action: "join", tier: SC, signedIn: true },
    "tier:leadership-alliance": { action: "apply", tier: LA, signedIn: true },
    "tier:unknown": { action: "unavailable" },
  },
  editor: {
    public: { via: "public" },
    members: { via: "staff" },
    "tier:strategic-circle": { via: "staff" },
    "tier:leadership-alliance": { via: "staff" },
    "tier:unknown": { via: "staff" },
  },
  admin: {
    public: { via: "public" },
    members: { via: "staff" },
    "tier:strategic-circle": { via: "staff" },
    "tier:leadership-alliance": { via: "staff" },
    "tier:unknown": { via: "staff" },
  },
};

describe("decideAccess: every viewer × every gate", () => {
  for (const [viewerName, row] of Object.entries(MATRIX) as [
    ViewerName,
    Record<GateName, Expected>,
  ][]) {
    describe(viewerName, () => {
      for (const [gateName, expected] of Object.entries(row) as [GateName, Expected][]) {
        const viewer = VIEWERS[viewerName];
        const gate = GATES[gateName];
        const outcome =
          "via" in expected ? `admitted via ${expected.via}` : `locked → ${expected.action}`;

        it(`${gateName}: ${outcome}`, () => {
          expect(gateToString(gate)).toBe(
            gateName === "tier:unknown" ? "tier:no-such-tier" : gateName,
          );
          const decision = decideAccess(viewer, gate, tiers);
          expect(canView(viewer, gate, tiers)).toBe("via" in expected);
          if ("via" in expected) {
            expect(decision).toEqual({ admitted: true, via: expected.via });
            return;
          }
          if (decision.admitted)
            throw new Error(`expected ${viewerName} to be refused at ${gateName}`);
          const step = decision.nextStep;
          expect(step.action).toBe(expected.action);
          expect(step.label.length).toBeGreaterThan(0);
          if (expected.tier !== undefined) {
            expect("tier" in step ? step.tier.slug : null).toBe(expected.tier);
          }
          if (expected.signedIn !== undefined) {
            expect("signedIn" in step ? step.signedIn : null).toBe(expected.signedIn);
          }
        });
      }
    });
  }
});

describe("decideAccess: details", () => {
  it("labels the next steps in the words of the seed page", () => {
    const join = decideAccess(ANONYMOUS, tierGate(SC), tiers);
    const apply = decideAccess(member(), tierGate(LA), tiers);
    expect(join).toMatchObject({ nextStep: { label: "Join Strategic Circle" } });
    expect(apply).toMatchObject({ nextStep: { label: "Join Leadership Alliance" } });
  });

  it("treats the owner role as staff", () => {
    expect(decideAccess(member({ role: "owner" }), tierGate(LA), tiers)).toEqual({
      admitted: true,
      via: "staff",
    });
  });

  it("ignores tiers a member holds that the catalogue does not know", () => {
    const viewer = member({ tiers: ["retired-tier"] });
    expect(canView(viewer, tierGate(SC), tiers)).toBe(false);
  });

  it("follows the catalogue's ranks, so re-ranking a tier moves its gates", () => {
    const reranked = tierCatalogue(
      DEFAULT_TIERS.map((tier): TierRef => (tier.slug === SC ? { ...tier, rank: 3 } : tier)),
    );
    const allianceMember = member({ tiers: [LA] });
    expect(canView(allianceMember, tierGate(SC), tiers)).toBe(true);
    expect(canView(allianceMember, tierGate(SC), reranked)).toBe(false);
  });

  it("offers the next current tier up when the gate's tier is retired, holders keep reading", () => {
    const retiredCircle = tierCatalogue(
      DEFAULT_TIERS.map((tier) =>
        tier.slug === SC ? { ...tier, retiredAt: new Date("2026-11-01T00:00:00Z") } : tier,
      ),
    );
    // Nobody can join a retired tier: the teaser points at the tier above, which admits it.
    expect(decideAccess(member(), tierGate(SC), retiredCircle)).toMatchObject({
      admitted: false,
      nextStep: { action: "apply", tier: { slug: LA } },
    });
    expect(canView(member({ tiers: [SC] }), tierGate(SC), retiredCircle)).toBe(true);
    const allRetired = tierCatalogue(
      DEFAULT_TIERS.map((tier) => ({ ...tier, retiredAt: new Date("2026-11-01T00:00:00Z") })),
    );
    expect(decideAccess(member(), tierGate(LA), allRetired)).toEqual({
      admitted: false,
      nextStep: { action: "unavailable", label: "Leadership Alliance is no longer offered" },
    });
  });

  it("asks for an invitation when the tier is joined by invitation", () => {
    const invitationOnly = tierCatalogue([
      { slug: "board", name: "Board", rank: 5, joinMethod: "invitation", paid: false },
    ]);
    expect(decideAccess(member(), tierGate("board"), invitationOnly)).toMatchObject({
      admitted: false,
      nextStep: { action: "request-invitation" },
    });
  });
});

describe("tiers of equal rank and the catalogue", () => {
  const catalogue = tierCatalogue([
    { slug: "alpha", name: "Alpha", rank: 2, joinMethod: "open", paid: false },
    { slug: "beta", name: "Beta", rank: 2, joinMethod: "open", paid: false },
    { slug: "base", name: "Base", rank: 1, joinMethod: "open", paid: false },
  ]);
  const holding = (tiers: string[]): Viewer => ({
    kind: "member",
    userId: "u",
    role: "member",
    tiers,
    applications: {},
  });

  it("admits a tier's own gate and lower ranks, but not another tier of the same rank", () => {
    expect(canView(holding(["alpha"]), { kind: "tier", tier: "alpha" }, catalogue)).toBe(true);
    expect(canView(holding(["alpha"]), { kind: "tier", tier: "base" }, catalogue)).toBe(true);
    expect(canView(holding(["alpha"]), { kind: "tier", tier: "beta" }, catalogue)).toBe(false);
  });

  it("keeps only the public reference fields of a tier, whatever record it was given", () => {
    const fromDatabase = {
      slug: "alpha",
      name: "Alpha",
      rank: 2,
      joinMethod: "open" as const,
      paid: false,
      description: "d",
      stripePriceId: "price_secret",
    };
    expect(Object.keys(tierCatalogue([fromDatabase]).get("alpha") ?? {}).sort()).toEqual([
      "joinMethod",
      "name",
      "paid",
      "rank",
      "retired",
      "slug",
    ]);
  });
});
