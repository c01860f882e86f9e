import { z } from "zod";

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
  retiredAt: z.date().nullable().default(null),
});
export type Tier = z.infer<typeof tierSchema>;
export type TierRef = Pick<Tier, "slug" | "name" | "rank" | "joinMethod" | "paid">;

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
    retiredAt: null,
  },
];
