import type { MemberSearch } from "@briefings/auth";
import { ROLES, SLUG_PATTERN, type Tier } from "@briefings/core";
import { MEMBER_STATUSES, NO_TIER } from "@briefings/db/queries";
import { z } from "zod";
import { badRequest, parseSearchParams } from "#app/lib/http.server.ts";

// The member list's filters, read from the query string by the list and by the CSV export
// alike, so a link from one to the other carries them unchanged.

const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar day, YYYY-MM-DD, as the start of that day in UTC. */
const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "is a date written YYYY-MM-DD" })
  .transform((value, ctx) => {
    const date = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      ctx.addIssue({ code: "custom", message: "is not a date in the calendar" });
      return z.NEVER;
    }
    return date;
  });

const querySchema = z
  .object({
    q: z.string().trim().max(200, { error: "is at most 200 characters" }).optional(),
    tier: z
      .string()
      .trim()
      .max(100, { error: "is at most 100 characters" })
      .regex(SLUG_PATTERN, { error: `is a tier's slug, or "${NO_TIER}"` })
      .optional(),
    status: z
      .enum(MEMBER_STATUSES, { error: `is one of ${MEMBER_STATUSES.join(", ")}` })
      .optional(),
    role: z.enum(ROLES, { error: `is one of ${ROLES.join(", ")}` }).optional(),
    from: day.optional(),
    to: day.optional(),
    after: z.string().max(500, { error: "is not a page position" }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.from && value.to && value.to.getTime() < value.from.getTime())
      ctx.addIssue({ code: "custom", path: ["to"], message: 'is before "from"' });
  });

/** The filters as the form shows them (strings, "" for none). */
export type MemberFilterValues = {
  q: string;
  tier: string;
  status: string;
  role: string;
  from: string;
  to: string;
};

/**
 * The filters in `url`, checked: a bad value, an unknown tier, or "to" before "from" is a
 * 400 that names the parameter. "to" includes its whole day.
 */
export function parseMemberFilters(
  url: URL,
  tiers: readonly Tier[],
): { search: MemberSearch; values: MemberFilterValues; filtered: boolean } {
  const parsed = parseSearchParams(url, querySchema);
  if (parsed.tier && parsed.tier !== NO_TIER && !tiers.some((tier) => tier.slug === parsed.tier))
    badRequest(`Invalid "tier": there is no tier "${parsed.tier}"`);
  const search: MemberSearch = {
    ...(parsed.q ? { query: parsed.q } : {}),
    ...(parsed.tier ? { tier: parsed.tier } : {}),
    ...(parsed.status ? { status: parsed.status } : {}),
    ...(parsed.role ? { role: parsed.role } : {}),
    ...(parsed.from ? { signedUpFrom: parsed.from } : {}),
    ...(parsed.to ? { signedUpBefore: new Date(parsed.to.getTime() + DAY_MS) } : {}),
    ...(parsed.after ? { after: parsed.after } : {}),
  };
  const values: MemberFilterValues = {
    q: parsed.q ?? "",
    tier: parsed.tier ?? "",
    status: parsed.status ?? "",
    role: parsed.role ?? "",
    from: parsed.from?.toISOString().slice(0, 10) ?? "",
    to: parsed.to?.toISOString().slice(0, 10) ?? "",
  };
  return { search, values, filtered: Object.values(values).some((value) => value !== "") };
}

/** The query string of the filters (no page position), for links that keep them. */
export function filterQuery(values: MemberFilterValues, extra: Record<string, string> = {}) {
  const params = new URLSearchParams(
    Object.entries({ ...values, ...extra }).filter(([, value]) => value !== ""),
  );
  const query = params.toString();
  return query ? `?${query}` : "";
}
