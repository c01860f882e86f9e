import {
  type ApplicationStatus,
  DEFAULT_PAST_DUE_GRACE_MS,
  type EntitlementSource,
  type Role,
} from "@briefings/core";
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";

/** The grace when the settings row is missing: core's default (decision 022). */
const DEFAULT_GRACE_DAYS = DEFAULT_PAST_DUE_GRACE_MS / 86_400_000;

/**
 * Every reason a member may hold a tier, with its period, as one JSON array: joins of
 * open tiers, approved applications to tiers that are not paid (a paid tier's approval
 * leads to checkout, not to access), complimentary grants (a revoked grant ends when
 * revoked), and subscriptions as Stripe last described them.
 * Core's `activeTierSlugs` decides which of them count at a given moment; this is the only
 * query that gathers them, so there is one entitlement decision.
 */

export function entitlementSourcesJson(userId: SQL): SQL {
  return sql`(
    SELECT coalesce(json_agg(json_build_object(
      'tierSlug', src.tier_slug, 'via', src.via, 'startsAt', src.starts_at, 'endsAt', src.ends_at
    )), '[]'::json)
    FROM (
      SELECT j.tier_slug, 'join' AS via, j.joined_at AS starts_at, j.left_at AS ends_at
      FROM tier_joins j WHERE j.user_id = ${userId}
        AND (j.left_at IS NULL OR j.left_at > now())
      UNION ALL
      SELECT a.tier_slug, 'approval', a.decided_at, NULL
      FROM applications a JOIN tiers t ON t.slug = a.tier_slug AND NOT t.paid
      WHERE a.user_id = ${userId} AND a.status = 'approved'
      UNION ALL
      SELECT g.tier_slug, 'grant', g.starts_at,
             CASE WHEN g.revoked_at IS NULL THEN g.ends_at
                  ELSE least(coalesce(g.ends_at, g.revoked_at), g.revoked_at) END
      FROM tier_grants g WHERE g.user_id = ${userId}
        AND (g.ends_at IS NULL OR g.ends_at > now())
        AND (g.revoked_at IS NULL OR g.revoked_at > now())
      UNION ALL
      -- Subscriptions, by core's subscriptionSource policy (decision 022; a test checks that
      -- the two agree): active and trialing to the period's end, past due for the grace
      -- the admins set.
      SELECT s.tier_slug, 'subscription', s.current_period_start,
             CASE WHEN s.status = 'past_due'
                  THEN coalesce(s.past_due_since, s.current_period_end)
                       + coalesce((SELECT b.past_due_grace_days FROM billing_settings b WHERE b.id = 1),
                                  ${sql.raw(String(DEFAULT_GRACE_DAYS))})
                         -- Whole days of 24 hours, as core counts them (not calendar days).
                         * 86400 * interval '1 second'
                  ELSE s.current_period_end END
      FROM subscriptions s WHERE s.user_id = ${userId}
        AND s.status IN ('active', 'trialing', 'past_due')
    ) src
  )`;
}

/** The latest application's status per tier, as a JSON object { tierSlug: status }. */
export function applicationStatusesJson(userId: SQL): SQL {
  return sql`(
    SELECT coalesce(json_object_agg(latest.tier_slug, latest.status), '{}'::json)
    FROM (
      SELECT DISTINCT ON (a.tier_slug) a.tier_slug, a.status
      FROM applications a WHERE a.user_id = ${userId}
      ORDER BY a.tier_slug, a.submitted_at DESC, a.id DESC
    ) latest
  )`;
}

type RawSource = {
  tierSlug: string;
  via: EntitlementSource["via"];
  startsAt: string;
  endsAt: string | null;
};

/** Both drivers hand back json columns parsed; a string means a driver that did not. */
function fromJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

export function parseEntitlementSources(value: unknown): EntitlementSource[] {
  return fromJson<RawSource[]>(value).map((s) => ({
    tierSlug: s.tierSlug,
    via: s.via,
    startsAt: new Date(s.startsAt),
    endsAt: s.endsAt === null ? null : new Date(s.endsAt),
  }));
}

export function parseApplicationStatuses(value: unknown): Record<string, ApplicationStatus> {
  return fromJson<Record<string, ApplicationStatus>>(value);
}

export type MemberAccess = {
  userId: string;
  role: Role;
  sources: EntitlementSource[];
  applications: Record<string, ApplicationStatus>;
};

/** A member's role, entitlement sources and application statuses, in one round trip. */
export async function loadMemberAccess(db: Db, userId: string): Promise<MemberAccess | null> {
  const [row] = await queryRows<{ role: Role; sources: unknown; applications: unknown }>(
    db,
    sql`SELECT u.role,
          ${entitlementSourcesJson(sql`u.id`)} AS sources,
          ${applicationStatusesJson(sql`u.id`)} AS applications
        FROM users u WHERE u.id = ${userId}`,
  );
  if (!row) return null;
  return {
    userId,
    role: row.role,
    sources: parseEntitlementSources(row.sources),
    applications: parseApplicationStatuses(row.applications),
  };
}

/** A member's standing: suspended, or else verified (active) or not yet (unverified). */
export const MEMBER_STATUSES = ["active", "unverified", "suspended"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** The tier filter's value for members who hold no tier now. */
export const NO_TIER = "none";

/** The admin's member filters; every one is optional and they combine with AND. */
export type MemberFilters = {
  /** Part of the e-mail address, matched literally (no wildcards). */
  query?: string;
  /** A tier's slug: members who hold it now; or NO_TIER: members who hold none. */
  tier?: string;
  status?: MemberStatus;
  role?: Role;
  /** Signed up at or after this instant. */
  signedUpFrom?: Date;
  /** Signed up before this instant. */
  signedUpBefore?: Date;
};

/**
 * The filters as one SQL condition on the users table aliased `u`. "Holds a tier now" goes
 * through entitlementSourcesJson, with the test of core's isSourceActive, so it agrees with
 * what the member can read (and learns of new sources of entitlement with it).
 */
export function memberFilterSql(filters: MemberFilters): SQL {
  const conditions: SQL[] = [];
  const query = filters.query?.trim().toLowerCase();
  if (query) {
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`u.email LIKE ${pattern}`);
  }
  if (filters.tier !== undefined) {
    const heldNow = (tier: SQL) => sql`EXISTS (
      SELECT 1 FROM json_array_elements(${entitlementSourcesJson(sql`u.id`)}) src
      WHERE ${tier}
        AND (src->>'startsAt' IS NULL OR (src->>'startsAt')::timestamptz <= now())
        AND (src->>'endsAt' IS NULL OR (src->>'endsAt')::timestamptz > now()))`;
    conditions.push(
      filters.tier === NO_TIER
        ? sql`NOT ${heldNow(sql`TRUE`)}`
        : heldNow(sql`src->>'tierSlug' = ${filters.tier}`),
    );
  }
  if (filters.status === "suspended") conditions.push(sql`u.suspended_at IS NOT NULL`);
  if (filters.status === "active")
    conditions.push(sql`u.suspended_at IS NULL AND u.email_verified_at IS NOT NULL`);
  if (filters.status === "unverified")
    conditions.push(sql`u.suspended_at IS NULL AND u.email_verified_at IS NULL`);
  if (filters.role) conditions.push(sql`u.role = ${filters.role}`);
  if (filters.signedUpFrom)
    conditions.push(sql`u.created_at >= ${filters.signedUpFrom.toISOString()}::timestamptz`);
  if (filters.signedUpBefore)
    conditions.push(sql`u.created_at < ${filters.signedUpBefore.toISOString()}::timestamptz`);
  return conditions.length > 0 ? sql.join(conditions, sql` AND `) : sql`TRUE`;
}

export type MemberExportRow = {
  id: string;
  email: string;
  role: Role;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  sources: EntitlementSource[];
  applications: Record<string, ApplicationStatus>;
};

/**
 * Every account with its entitlement sources and application statuses, oldest first;
 * only those that match `filters` when given (the list's filters, exported as they are).
 */
export async function listMembersForExport(
  db: Db,
  filters: MemberFilters = {},
): Promise<MemberExportRow[]> {
  const rows = await queryRows<{
    id: string;
    email: string;
    role: Role;
    email_verified_at: Date | string | null;
    created_at: Date | string;
    sources: unknown;
    applications: unknown;
  }>(
    db,
    sql`SELECT u.id, u.email, u.role, u.email_verified_at, u.created_at,
          ${entitlementSourcesJson(sql`u.id`)} AS sources,
          ${applicationStatusesJson(sql`u.id`)} AS applications
        FROM users u WHERE ${memberFilterSql(filters)} ORDER BY u.created_at, u.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    role: row.role,
    emailVerifiedAt: row.email_verified_at === null ? null : new Date(row.email_verified_at),
    createdAt: new Date(row.created_at),
    sources: parseEntitlementSources(row.sources),
    applications: parseApplicationStatuses(row.applications),
  }));
}
