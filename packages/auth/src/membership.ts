import {
  type ApplicationForm,
  type ApplicationStatus,
  activeTierSlugs,
  applicationFormSchema,
  type GrantInput,
  grantSchema,
  REVIEW_DECISIONS,
  type Review,
  type Role,
  reviewSchema,
  type Tier,
} from "@briefings/core";
import { type Db, queryRows, schema } from "@briefings/db/client";
import {
  decodeDateCursor,
  encodeCursor,
  entitlementSourcesJson,
  type MemberFilters,
  memberFilterSql,
  parseEntitlementSources,
} from "@briefings/db/queries";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { type Failure, isUniqueViolation, type MailSender } from "./accounts.ts";
import { type Actor, actorId, recordAudit } from "./audit.ts";
import * as templates from "./mail-templates.ts";

// Tier membership: joins of open tiers, applications to tiers taken by application, and
// complimentary grants. Each writes one source of entitlement; which tiers a member holds
// is computed from all of them in one place (db's entitlementSourcesJson + core).

async function findTier(db: Db, slug: string): Promise<Tier | null> {
  const [row] = await db.select().from(schema.tiers).where(eq(schema.tiers.slug, slug));
  return row ?? null;
}

function failure(status: Failure["status"], formError: string): Failure {
  return { ok: false, status, formError };
}

async function requireVerified(db: Db, userId: string): Promise<Failure | null> {
  const [user] = await db
    .select({ verifiedAt: schema.users.emailVerifiedAt })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) return failure(403, "This account no longer exists.");
  if (!user.verifiedAt) return failure(403, "Verify your e-mail address first.");
  return null;
}

/** Joins an open tier (one click). Joining twice is not an error: the member is in. */
export async function joinTier(
  db: Db,
  userId: string,
  tierSlug: string,
): Promise<{ ok: true } | Failure> {
  const tier = await findTier(db, tierSlug);
  if (!tier || tier.retiredAt) return failure(400, "There is no such tier to join.");
  if (tier.joinMethod !== "open")
    return failure(403, `${tier.name} cannot be joined in one click.`);
  const unverified = await requireVerified(db, userId);
  if (unverified) return unverified;
  await db
    .insert(schema.tierJoins)
    .values({ userId, tierSlug })
    .onConflictDoNothing({
      target: [schema.tierJoins.userId, schema.tierJoins.tierSlug],
      where: sql`${schema.tierJoins.leftAt} IS NULL`,
    });
  return { ok: true };
}

/** Leaves an open tier; the join is kept with its end date. */
export async function leaveTier(
  db: Db,
  userId: string,
  tierSlug: string,
): Promise<{ ok: true } | Failure> {
  const tier = await findTier(db, tierSlug);
  if (!tier) return failure(400, "There is no such tier.");
  if (tier.joinMethod !== "open") return failure(403, `${tier.name} cannot be left here.`);
  await db
    .update(schema.tierJoins)
    .set({ leftAt: new Date() })
    .where(
      and(
        eq(schema.tierJoins.userId, userId),
        eq(schema.tierJoins.tierSlug, tierSlug),
        isNull(schema.tierJoins.leftAt),
      ),
    );
  return { ok: true };
}

export type Application = typeof schema.applications.$inferSelect;

/** A member's latest application to a tier, or null. */
export async function latestApplication(
  db: Db,
  userId: string,
  tierSlug: string,
): Promise<Application | null> {
  const [row] = await db
    .select()
    .from(schema.applications)
    .where(and(eq(schema.applications.userId, userId), eq(schema.applications.tierSlug, tierSlug)))
    .orderBy(desc(schema.applications.submittedAt), desc(schema.applications.id))
    .limit(1);
  return row ?? null;
}

/**
 * Submits an application, or, when the reviewers asked for more, updates the open one
 * and puts it back in the queue. A member with a pending application, or already
 * approved, cannot submit another.
 */
export async function submitApplication(
  db: Db,
  userId: string,
  tierSlug: string,
  form: ApplicationForm,
): Promise<{ ok: true; applicationId: string } | Failure> {
  const parsed = applicationFormSchema.safeParse(form);
  if (!parsed.success)
    return failure(400, parsed.error.issues[0]?.message ?? "Invalid application");
  const tier = await findTier(db, tierSlug);
  if (!tier || tier.retiredAt) return failure(400, "There is no such tier to apply to.");
  if (tier.joinMethod !== "application")
    return failure(403, `${tier.name} does not take applications.`);
  const unverified = await requireVerified(db, userId);
  if (unverified) return unverified;
  const values = {
    organisation: parsed.data.organisation,
    website: parsed.data.website,
    roleTitle: parsed.data.roleTitle,
    evidence: {
      asns: parsed.data.asns,
      prefixes: parsed.data.prefixes,
      handles: parsed.data.handles,
    },
    statement: parsed.data.statement,
  };
  const submit = db.transaction(async (tx) => {
    const latest = await latestApplication(tx as unknown as Db, userId, tierSlug);
    if (latest?.status === "pending")
      return failure(409, "Your application is already under review.");
    if (latest?.status === "approved")
      return failure(409, "Your application was already approved.");
    const now = new Date();
    if (latest?.status === "needs-info") {
      await tx
        .update(schema.applications)
        .set({ ...values, status: "pending", submittedAt: now, updatedAt: now })
        .where(eq(schema.applications.id, latest.id));
      return { ok: true as const, applicationId: latest.id };
    }
    const [created] = await tx
      .insert(schema.applications)
      .values({ ...values, userId, tierSlug, submittedAt: now })
      .returning({ id: schema.applications.id });
    if (!created) throw new Error("insert returned no row");
    return { ok: true as const, applicationId: created.id };
  });
  try {
    return await submit;
  } catch (error) {
    // Two submissions at once (a double click) both find no open application; the
    // one-open-application index stops the second, which is answered like any repeat.
    if (isUniqueViolation(error)) return failure(409, "Your application is already under review.");
    throw error;
  }
}

// The review and grant schemas are core's, shared with the portal's forms; re-exported for
// this package's users.
export { type GrantInput, grantSchema, REVIEW_DECISIONS, type Review, reviewSchema };

const DECISION_STATUS: Record<Review["decision"], ApplicationStatus> = {
  approve: "approved",
  reject: "rejected",
  "needs-info": "needs-info",
};

/** Rolls back an approval to a retired tier. */
class RetiredTierApproval extends Error {}

/**
 * Decides an application in the queue. Only an application under review can be decided
 * (so two reviewers cannot decide one twice); the applicant is e-mailed the outcome.
 */
export async function reviewApplication(
  deps: { db: Db; mailer: MailSender; appUrl: string },
  reviewer: Actor,
  applicationId: string,
  review: Review,
): Promise<{ ok: true; status: ApplicationStatus } | Failure> {
  const parsed = reviewSchema.safeParse(review);
  if (!parsed.success) return failure(400, parsed.error.issues[0]?.message ?? "Invalid review");
  const status = DECISION_STATUS[parsed.data.decision];
  const now = new Date();
  const reviewerId = actorId(reviewer);
  const decided = await deps.db
    .transaction(async (tx) => {
      const [row] = await tx
        .update(schema.applications)
        .set({
          status,
          reviewerId,
          reviewerMessage: parsed.data.message || null,
          decidedAt: status === "needs-info" ? null : now,
          updatedAt: now,
        })
        .where(
          and(eq(schema.applications.id, applicationId), eq(schema.applications.status, "pending")),
        )
        .returning({ userId: schema.applications.userId, tierSlug: schema.applications.tierSlug });
      if (!row) return null;
      if (parsed.data.decision === "approve") {
        // A retired tier takes no new members, by application either.
        const [tier] = await tx
          .select({ retiredAt: schema.tiers.retiredAt })
          .from(schema.tiers)
          .where(eq(schema.tiers.slug, row.tierSlug))
          // Held until the approval commits: a retirement waits for it, and then counts it.
          .for("share");
        if (tier?.retiredAt) throw new RetiredTierApproval();
      }
      await recordAudit(tx as unknown as Db, reviewer, {
        action: `application.${parsed.data.decision}`,
        targetType: "application",
        targetId: applicationId,
        before: { status: "pending" },
        after: { status, message: parsed.data.message || null },
      });
      return row;
    })
    .catch((error: unknown) => {
      if (error instanceof RetiredTierApproval) return "retired" as const;
      throw error;
    });
  if (decided === "retired")
    return failure(
      409,
      "This tier is retired and takes no new members: reject the application, or restore the tier first.",
    );
  if (!decided) return failure(409, "This application is not waiting for a decision.");
  const [user] = await deps.db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, decided.userId));
  const tier = await findTier(deps.db, decided.tierSlug);
  if (user) {
    await deps.mailer.send({
      to: user.email,
      ...templates.applicationDecision({
        tierName: tier?.name ?? decided.tierSlug,
        decision:
          parsed.data.decision === "approve"
            ? "approved"
            : parsed.data.decision === "reject"
              ? "rejected"
              : "needs-info",
        message: parsed.data.message || undefined,
        paid: parsed.data.decision === "approve" && Boolean(tier?.paid),
        // Approved: the tier's card (to subscribe, if paid); otherwise the application.
        link:
          parsed.data.decision === "approve"
            ? `${deps.appUrl.replace(/\/$/, "")}/membership#${decided.tierSlug}`
            : `${deps.appUrl.replace(/\/$/, "")}/membership/apply/${decided.tierSlug}`,
      }),
    });
  }
  return { ok: true, status };
}

export type QueueItem = {
  id: string;
  tierSlug: string;
  status: ApplicationStatus;
  organisation: string;
  applicantEmail: string;
  submittedAt: Date;
};

/** The review queue: applications waiting for a reviewer (oldest first), or by status. */
export async function listApplications(
  db: Db,
  statuses: readonly ApplicationStatus[] = ["pending"],
  limit = 100,
): Promise<QueueItem[]> {
  return db
    .select({
      id: schema.applications.id,
      tierSlug: schema.applications.tierSlug,
      status: schema.applications.status,
      organisation: schema.applications.organisation,
      applicantEmail: schema.users.email,
      submittedAt: schema.applications.submittedAt,
    })
    .from(schema.applications)
    .innerJoin(schema.users, eq(schema.users.id, schema.applications.userId))
    .where(inArray(schema.applications.status, [...statuses]))
    .orderBy(asc(schema.applications.submittedAt), asc(schema.applications.id))
    .limit(limit);
}

export async function getApplication(
  db: Db,
  applicationId: string,
): Promise<(Application & { applicantEmail: string }) | null> {
  const [row] = await db
    .select({ application: schema.applications, applicantEmail: schema.users.email })
    .from(schema.applications)
    .innerJoin(schema.users, eq(schema.users.id, schema.applications.userId))
    .where(eq(schema.applications.id, applicationId));
  return row ? { ...row.application, applicantEmail: row.applicantEmail } : null;
}

/** Complimentary access to a tier from now until `endsAt`, recorded with who and why. */
export async function grantTier(
  db: Db,
  grantedBy: Actor,
  userId: string,
  input: GrantInput,
): Promise<{ ok: true; grantId: string } | Failure> {
  const parsed = grantSchema.safeParse(input);
  if (!parsed.success) return failure(400, parsed.error.issues[0]?.message ?? "Invalid grant");
  const tier = await findTier(db, parsed.data.tierSlug);
  if (!tier || tier.retiredAt) return failure(400, "There is no such tier to grant.");
  const [member] = await db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!member) return failure(400, "There is no such member.");
  const grantId = await db.transaction(async (tx) => {
    // Checked again under a lock held until commit: a retirement at the same moment either
    // waits for this grant (and counts it) or is seen here.
    const [current] = await tx
      .select({ retiredAt: schema.tiers.retiredAt })
      .from(schema.tiers)
      .where(eq(schema.tiers.slug, tier.slug))
      .for("share");
    if (!current || current.retiredAt) return null;
    const [created] = await tx
      .insert(schema.tierGrants)
      .values({
        userId,
        tierSlug: tier.slug,
        endsAt: parsed.data.endsAt,
        reason: parsed.data.reason,
        grantedBy: actorId(grantedBy),
      })
      .returning({ id: schema.tierGrants.id });
    if (!created) throw new Error("insert returned no row");
    await recordAudit(tx as unknown as Db, grantedBy, {
      action: "grant.create",
      targetType: "user",
      targetId: userId,
      after: {
        grantId: created.id,
        tier: tier.slug,
        endsAt: parsed.data.endsAt.toISOString(),
        reason: parsed.data.reason,
      },
    });
    return created.id;
  });
  if (!grantId) return failure(400, "There is no such tier to grant.");
  return { ok: true, grantId };
}

export async function revokeGrant(db: Db, grantId: string, actor: Actor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(schema.tierGrants)
      .set({ revokedAt: new Date() })
      .where(and(eq(schema.tierGrants.id, grantId), isNull(schema.tierGrants.revokedAt)))
      .returning({
        userId: schema.tierGrants.userId,
        tierSlug: schema.tierGrants.tierSlug,
        endsAt: schema.tierGrants.endsAt,
      });
    if (!revoked) return false;
    await recordAudit(tx as unknown as Db, actor, {
      action: "grant.revoke",
      targetType: "user",
      targetId: revoked.userId,
      before: { grantId, tier: revoked.tierSlug, endsAt: revoked.endsAt?.toISOString() ?? null },
      after: { grantId, revoked: true },
    });
    return true;
  });
}

export type MemberSummary = {
  id: string;
  email: string;
  role: Role;
  emailVerified: boolean;
  /** When the account was made, to the millisecond (the list's order and page key). */
  createdAt: Date;
  suspendedAt: Date | null;
  /** The slugs of the tiers held now, sorted. */
  tiers: string[];
};

/** The admin's member search: filters, and the cursor of the page to show. */
export type MemberSearch = MemberFilters & { after?: string };

// Postgres keeps microseconds, JavaScript dates milliseconds: the list orders and pages by
// the time cut to milliseconds, so a cursor made from a Date finds its row again exactly.
const CREATED_KEY = sql`date_trunc('milliseconds', u.created_at)`;

/**
 * Members matching the filters (a string: e-mail address contains it), newest first, one
 * page of `limit` after the cursor `after` (decision 008; a tampered cursor throws
 * InvalidCursorError).
 */
export async function searchMembers(
  db: Db,
  search: string | MemberSearch,
  limit = 50,
): Promise<MemberSummary[]> {
  const { after, ...filters } = typeof search === "string" ? { query: search } : search;
  const conditions = [memberFilterSql(filters)];
  if (after) {
    const [at, id] = decodeDateCursor(after);
    conditions.push(sql`(${CREATED_KEY}, u.id) < (${at.toISOString()}::timestamptz, ${id}::uuid)`);
  }
  const rows = await queryRows<{
    id: string;
    email: string;
    role: Role;
    email_verified_at: Date | string | null;
    suspended_at: Date | string | null;
    created_key: Date | string;
    sources: unknown;
  }>(
    db,
    sql`SELECT u.id, u.email, u.role, u.email_verified_at, u.suspended_at,
          ${CREATED_KEY} AS created_key, ${entitlementSourcesJson(sql`u.id`)} AS sources
        FROM users u WHERE ${sql.join(conditions, sql` AND `)}
        ORDER BY ${CREATED_KEY} DESC, u.id DESC LIMIT ${limit}`,
  );
  const now = new Date();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
    createdAt: new Date(row.created_key),
    suspendedAt: row.suspended_at === null ? null : new Date(row.suspended_at),
    tiers: activeTierSlugs(parseEntitlementSources(row.sources), now),
  }));
}

/** One page of the admin's member list: the members, the next page's cursor, and how many match. */
export async function searchMembersPage(
  db: Db,
  search: MemberSearch,
  limit = 50,
): Promise<{ members: MemberSummary[]; nextCursor: string | null; total: number }> {
  const { after: _after, ...filters } = search;
  const [rows, [count]] = await Promise.all([
    searchMembers(db, search, limit + 1),
    queryRows<{ total: number | string }>(
      db,
      sql`SELECT count(*) AS total FROM users u WHERE ${memberFilterSql(filters)}`,
    ),
  ]);
  const members = rows.slice(0, limit);
  const last = members.at(-1);
  return {
    members,
    nextCursor:
      rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    total: Number(count?.total ?? 0),
  };
}

/** A member's current grants (for the admin's member page). */
export async function listGrants(db: Db, userId: string) {
  return db
    .select()
    .from(schema.tierGrants)
    .where(eq(schema.tierGrants.userId, userId))
    .orderBy(desc(schema.tierGrants.createdAt));
}
