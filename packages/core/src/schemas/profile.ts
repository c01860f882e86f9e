import { z } from "zod";
import { confidenceScoreSchema } from "../confidence.ts";
import { slugSchema } from "../tier.ts";
import { isoDateSchema, shortText, webUrlSchema } from "./common.ts";

export const PROFILE_FOCUSES = [
  "Institution",
  "Company",
  "Network",
  "Person",
  "Policy",
  "Event",
  "Technology",
] as const;
export const profileFocusSchema = z.enum(PROFILE_FOCUSES);

/** The directory's sort orders. */
export const PROFILE_SORTS = ["newest", "name", "confidence"] as const;
export type ProfileSort = (typeof PROFILE_SORTS)[number];

export const CRITICALITIES = ["Low", "Medium", "High", "Critical"] as const;
export const criticalitySchema = z.enum(CRITICALITIES);
export type Criticality = z.infer<typeof criticalitySchema>;

/** How far an editor trusts a source: shown beside it on the profile page. */
export const SOURCE_RELIABILITIES = ["high", "medium", "low"] as const;
export const sourceReliabilitySchema = z.enum(SOURCE_RELIABILITIES);
export type SourceReliability = z.infer<typeof sourceReliabilitySchema>;

export const profileSourceSchema = z.object({
  title: shortText(300),
  publisher: shortText(200),
  url: webUrlSchema,
  publishedAt: isoDateSchema.nullable(),
  /** Absent for sources imported without an editor's judgement. */
  reliability: sourceReliabilitySchema.nullable().optional(),
});
export type ProfileSource = z.infer<typeof profileSourceSchema>;

export const profileSectionSchema = z.object({
  heading: shortText(200),
  paragraphs: z.array(z.string().trim().min(1).max(5000)).min(1).max(50),
});
export type ProfileSection = z.infer<typeof profileSectionSchema>;

export const alsoReadSchema = z.object({
  title: shortText(300),
  /** Where the item lives, when known: an internal path or an absolute http(s) URL. */
  // A path on this site: "/x", but never "//host" or "/\\host", which browsers resolve off-site.
  href: z
    .union([webUrlSchema, z.string().regex(/^\/(?![/\\])\S*$/)])
    .refine((href) => !/\p{Cc}/u.test(href), { error: "href may not contain control characters" })
    .nullable(),
});
export type AlsoRead = z.infer<typeof alsoReadSchema>;

const bullets = z.array(z.string().trim().min(1).max(1000)).max(30);

/** Every public field of a profile page. Nothing here is ever gated. */
export const profileSchema = z.object({
  slug: slugSchema,
  name: shortText(300),
  type: shortText(200),
  ecosystem: shortText(200),
  base: shortText(100),
  focus: profileFocusSchema,
  summary: z.string().trim().min(1).max(5000),
  whatItDoes: bullets,
  whyItMatters: bullets,
  criticality: criticalitySchema,
  timeHorizon: shortText(100),
  whatToWatch: bullets,
  keyPoints: bullets,
  sections: z.array(profileSectionSchema).max(50),
  sources: z.array(profileSourceSchema).max(100),
  /** Free text describing the evidence base when no itemised list is public ("Several public sources"). */
  sourcesNote: z.string().trim().max(300).nullable(),
  alsoRead: z.array(alsoReadSchema).max(30),
  topics: z.array(shortText(100)).max(30),
  confidence: confidenceScoreSchema,
  publishedAt: isoDateSchema,
  lastReviewedAt: isoDateSchema.nullable(),
  updatedAt: isoDateSchema,
});
export type Profile = z.infer<typeof profileSchema>;
