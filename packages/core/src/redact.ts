import { type AccessDecision, decideAccess, type NextStep, type TierCatalogue } from "./access.ts";
import type { Gate } from "./gate.ts";
import type { Briefing, BriefingKind, BriefingSource } from "./schemas/briefing.ts";
import { countSections, countWords } from "./text.ts";
import type { Viewer } from "./viewer.ts";

export type Withheld = {
  sections: number;
  sources: number;
  /** Null when the text is sealed and its length in words cannot be known. */
  words: number | null;
};

type BriefingHead = {
  id: string;
  kind: BriefingKind;
  label: string;
  title: string;
  gate: Gate;
  position: number;
};

export type UnlockedBriefing = BriefingHead & {
  state: "unlocked";
  via: Extract<AccessDecision, { admitted: true }>["via"];
  body: string;
  sources: BriefingSource[];
  /** True when the text exists only sealed: admitted, but unreadable without the key. */
  sealed: boolean;
};

export type LockedBriefing = BriefingHead & {
  state: "locked";
  withheld: Withheld;
  nextStep: NextStep;
};

export type RedactedBriefing = UnlockedBriefing | LockedBriefing;

export function measureWithheld(briefing: Pick<Briefing, "body" | "sources" | "sealed">): Withheld {
  if (briefing.sealed && !briefing.body) {
    return { sections: 1, sources: briefing.sources.length, words: null };
  }
  return {
    sections: countSections(briefing.body),
    sources: briefing.sources.length,
    words: countWords(briefing.body),
  };
}

/**
 * The one redaction step: every output that carries a briefing builds it here.
 * A locked briefing is assembled field by field from public parts only, never by
 * copying the original and deleting, so a field added later stays withheld.
 */
export function redactBriefing(
  briefing: Briefing,
  viewer: Viewer,
  tiers: TierCatalogue,
): RedactedBriefing {
  const head: BriefingHead = {
    id: briefing.id,
    kind: briefing.kind,
    label: briefing.label,
    title: briefing.title,
    gate: briefing.gate,
    position: briefing.position,
  };
  const decision = decideAccess(viewer, briefing.gate, tiers);
  if (!decision.admitted) {
    return {
      ...head,
      state: "locked",
      withheld: measureWithheld(briefing),
      nextStep: decision.nextStep,
    };
  }
  return {
    ...head,
    state: "unlocked",
    via: decision.via,
    body: briefing.body,
    sources: briefing.sources,
    sealed: briefing.sealed !== null && !briefing.body,
  };
}

export function redactBriefings(
  briefings: readonly Briefing[],
  viewer: Viewer,
  tiers: TierCatalogue,
): RedactedBriefing[] {
  return [...briefings]
    .sort((a, b) => a.position - b.position)
    .map((briefing) => redactBriefing(briefing, viewer, tiers));
}
