import type { RedactedBriefing } from "@briefings/core";
import type { BriefingView } from "#app/components/briefing.tsx";
import { renderMarkdown } from "./markdown.ts";

/** Renders the text of unlocked briefings; locked ones pass through as teasers. */
export function toBriefingViews(briefings: RedactedBriefing[]): BriefingView[] {
  return briefings.map((briefing) =>
    briefing.state === "unlocked" ? { ...briefing, html: renderMarkdown(briefing.body) } : briefing,
  );
}
