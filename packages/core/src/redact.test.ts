import { describe, expect, it } from "vitest";
import { decideAccess, tierCatalogue } from "./access.ts";
import { type Gate, gateToString, MEMBERS_GATE, PUBLIC_GATE, tierGate } from "./gate.ts";
import { measureWithheld, redactBriefing, redactBriefings } from "./redact.ts";
import type { Briefing } from "./schemas/briefing.ts";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE } from "./tier.ts";
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

const VIEWERS: Record<string, Viewer> = {
  anonymous: ANONYMOUS,
  "member, no tier": member(),
  "Strategic Circle member": member({ tiers: [STRATEGIC_CIRCLE] }),
  "Leadership Alliance member": member({ tiers: [LEADERSHIP_ALLIANCE] }),
  "pending Leadership Alliance applicant": member({
    applications: { [LEADERSHIP_ALLIANCE]: "pending" },
  }),
  "approved, unpaid Leadership Alliance applicant": member({
    applications: { [LEADERSHIP_ALLIANCE]: "approved" },
  }),
  editor: member({ role: "editor" }),
  admin: member({ role: "admin" }),
};

const GATES: Gate[] = [
  PUBLIC_GATE,
  MEMBERS_GATE,
  tierGate(STRATEGIC_CIRCLE),
  tierGate(LEADERSHIP_ALLIANCE),
  tierGate("no-such-tier"),
];

/** Distinct per briefing and per field, so a leak names exactly what leaked. */
const canary = (gate: Gate, where: string) =>
  `CANARY-${where}-${gateToString(gate).replace(":", "-")}-7f3a9c`;

function briefingFor(gate: Gate, position: number): Briefing {
  return {
    id: `briefing-${position}`,
    kind: "profile-briefing",
    label: `Label for ${gateToString(gate)}`,
    title: `Title for ${gateToString(gate)}`,
    gate,
    position,
    body: `## Context\nThe deeper context is ${canary(gate, "body")} and more.\n\n## Sources\nSee the notes.`,
    sources: [
      {
        title: `Registry record ${canary(gate, "source-title")}`,
        url: `https://example.com/${canary(gate, "source-url")}`,
        note: canary(gate, "source-note"),
      },
    ],
    sealed: null,
  };
}

const SEALED_ONLY: Briefing = {
  id: "premium",
  kind: "premium-text",
  label: "Premium text",
  title: "Sealed analysis",
  gate: tierGate(STRATEGIC_CIRCLE),
  position: 9,
  body: "",
  sources: [],
  sealed: { ciphertext: "CANARY-ciphertext-51bd0e", iv: "CANARY-iv-51bd0e", bytes: 400 },
};

describe("redactBriefing: no gated text reaches a viewer the gate refuses", () => {
  for (const [viewerName, viewer] of Object.entries(VIEWERS)) {
    for (const [position, gate] of GATES.entries()) {
      const admitted = decideAccess(viewer, gate, tiers).admitted;
      it(`${viewerName} at ${gateToString(gate)}: ${admitted ? "unlocked, text present" : "locked, no trace of the text"}`, () => {
        const briefing = briefingFor(gate, position);
        const result = redactBriefing(briefing, viewer, tiers);
        const json = JSON.stringify(result);
        // The teaser's public parts are there either way.
        expect(json).toContain(briefing.title);
        expect(json).toContain(briefing.label);
        for (const where of ["body", "source-title", "source-url", "source-note"]) {
          if (admitted) expect(json).toContain(canary(gate, where));
          else expect(json).not.toContain(canary(gate, where));
        }
        expect(json).not.toContain("CANARY-ciphertext");
        expect(result.state).toBe(admitted ? "unlocked" : "locked");
      });
    }
  }

  it("never passes the sealed payload on, locked or unlocked", () => {
    for (const viewer of Object.values(VIEWERS)) {
      const json = JSON.stringify(redactBriefing(SEALED_ONLY, viewer, tiers));
      expect(json).not.toContain("CANARY-ciphertext");
      expect(json).not.toContain("CANARY-iv");
    }
  });

  it("builds a locked briefing from public fields only, whatever else the record carries", () => {
    const briefing = {
      ...briefingFor(tierGate(LEADERSHIP_ALLIANCE), 0),
      internalNote: "CANARY-extra-field",
    };
    const result = redactBriefing(briefing, ANONYMOUS, tiers);
    expect(Object.keys(result).sort()).toEqual(
      ["gate", "id", "kind", "label", "nextStep", "position", "state", "title", "withheld"].sort(),
    );
    expect(JSON.stringify(result)).not.toContain("CANARY-extra-field");
  });
});

describe("redactBriefing: the locked teaser", () => {
  it("carries the next step for this viewer", () => {
    const gate = tierGate(LEADERSHIP_ALLIANCE);
    const briefing = briefingFor(gate, 0);
    const steps = Object.fromEntries(
      Object.entries(VIEWERS).map(([name, viewer]) => {
        const result = redactBriefing(briefing, viewer, tiers);
        return [name, result.state === "locked" ? result.nextStep.action : "unlocked"];
      }),
    );
    expect(steps).toEqual({
      anonymous: "apply",
      "member, no tier": "apply",
      "Strategic Circle member": "apply",
      "Leadership Alliance member": "unlocked",
      "pending Leadership Alliance applicant": "application-pending",
      "approved, unpaid Leadership Alliance applicant": "pay",
      editor: "unlocked",
      admin: "unlocked",
    });
  });

  it("counts withheld sections, sources and words", () => {
    const briefing: Briefing = {
      ...briefingFor(MEMBERS_GATE, 0),
      body: "## One\nalpha beta\n\n## Two\ngamma delta epsilon\n\n### Three\nzeta",
      sources: [
        { title: "A", url: null, note: "" },
        { title: "B", url: "https://example.com/b", note: "" },
        { title: "C", url: null, note: "n" },
      ],
    };
    const result = redactBriefing(briefing, ANONYMOUS, tiers);
    if (result.state !== "locked") throw new Error("expected a locked briefing");
    // Heading words count: they are withheld text too.
    expect(result.withheld).toEqual({ sections: 3, sources: 3, words: 9 });
  });

  it("counts a body without headings as one section", () => {
    expect(measureWithheld({ body: "One two three.", sources: [], sealed: null })).toEqual({
      sections: 1,
      sources: 0,
      words: 3,
    });
  });

  it("reports words as unknown (null) for sealed-only text", () => {
    const result = redactBriefing(SEALED_ONLY, ANONYMOUS, tiers);
    if (result.state !== "locked") throw new Error("expected a locked briefing");
    expect(result.withheld).toEqual({ sections: 1, sources: 0, words: null });
  });

  it("counts the readable body when a briefing has both text and a sealed copy", () => {
    const both: Briefing = { ...SEALED_ONLY, body: "four words right here" };
    expect(measureWithheld(both)).toEqual({ sections: 1, sources: 0, words: 4 });
  });
});

describe("redactBriefing: unlocked", () => {
  it("says how it was admitted and marks sealed-only text as sealed", () => {
    const staff = redactBriefing(SEALED_ONLY, VIEWERS.admin as Viewer, tiers);
    expect(staff).toMatchObject({ state: "unlocked", via: "staff", sealed: true, body: "" });
    const circle = redactBriefing(SEALED_ONLY, VIEWERS["Strategic Circle member"] as Viewer, tiers);
    expect(circle).toMatchObject({ state: "unlocked", via: "tier", sealed: true });
    const readable = redactBriefing(briefingFor(PUBLIC_GATE, 0), ANONYMOUS, tiers);
    expect(readable).toMatchObject({ state: "unlocked", via: "public", sealed: false });
  });
});

describe("redactBriefings", () => {
  it("orders by position and leaves the input untouched", () => {
    const input = [
      briefingFor(tierGate(LEADERSHIP_ALLIANCE), 2),
      briefingFor(MEMBERS_GATE, 0),
      briefingFor(tierGate(STRATEGIC_CIRCLE), 1),
    ];
    const result = redactBriefings(input, member({ tiers: [STRATEGIC_CIRCLE] }), tiers);
    expect(result.map((b) => b.position)).toEqual([0, 1, 2]);
    expect(result.map((b) => b.state)).toEqual(["unlocked", "unlocked", "locked"]);
    expect(input.map((b) => b.position)).toEqual([2, 0, 1]);
  });
});
