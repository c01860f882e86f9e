import { z } from "zod";
import { gateSchema } from "../gate.ts";
import { shortText, webUrlSchema } from "./common.ts";

export const BRIEFING_KINDS = [
  "profile-briefing",
  "source-notes",
  "analysis",
  "premium-text",
] as const;
export const briefingKindSchema = z.enum(BRIEFING_KINDS);
export type BriefingKind = z.infer<typeof briefingKindSchema>;

export const BRIEFING_KIND_LABELS: Record<BriefingKind, string> = {
  "profile-briefing": "Profile briefing",
  "source-notes": "Source notes",
  analysis: "Analysis",
  "premium-text": "Premium text",
};

export const briefingSourceSchema = z.object({
  title: shortText(300),
  url: webUrlSchema.nullable(),
  note: z.string().trim().max(2000).default(""),
});
export type BriefingSource = z.infer<typeof briefingSourceSchema>;

export const sealedPayloadSchema = z.object({
  ciphertext: z.string().min(1),
  iv: z.string().min(1),
  bytes: z.number().int().min(1),
});

/**
 * Gated content. `label` and `title` are public (they name the teaser); `body`,
 * `sources` and `sealed` are what the gate protects.
 */
export const briefingSchema = z.object({
  id: z.string().min(1),
  kind: briefingKindSchema,
  /** The kicker shown above the title, e.g. "Member Briefing". Public. */
  label: shortText(100),
  title: shortText(300),
  gate: gateSchema,
  position: z.number().int().min(0),
  body: z.string().max(200_000),
  sources: z.array(briefingSourceSchema).max(200),
  /** Premium text kept encrypted because no key is configured. */
  sealed: sealedPayloadSchema.nullable(),
});
export type Briefing = z.infer<typeof briefingSchema>;
