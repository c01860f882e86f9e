import { createHash } from "node:crypto";
import {
  gainedTierGates,
  lostTierGates,
  moveInOrder,
  rankOrder,
  ranksForOrder,
  STRATEGIC_CIRCLE,
  type Tier,
  type TierInput,
  tierCatalogue,
  tierInputSchema,
  withRanks,
} from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { listTierHolders, listTiers, lockTiers } from "@briefings/db/queries";
import { and, eq, inArray } from "drizzle-orm";
import { isUniqueViolation } from "./accounts.ts";
import { type Actor, actorId, recordAudit } from "./audit.ts";

// The tier catalogue's administration: create, edit, re-rank, retire, restore. Each write
// is one transaction with its audit entry.
//
// The rule that must never break: a re-rank or a retirement never silently removes access
// a member holds or pays for. Both are previewed first (who is affected: tierImpact), and
// take effect only when confirmed with the preview's token; the write recomputes the
// preview under a lock on the tiers and refuses, with the new preview, if it changed.
// Retiring ends nobody's access (the catalogue keeps retired tiers, so their holders'
// gates still admit them; joins, applications and grants refuse them); re-ranking does
// move gates, hence the list of those who would lose some.

export type TierFailure = {
  ok: false;
  status: 400 | 404 | 409;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
};

/** A member a change concerns, and the tiers (by name) it concerns them through. */
export type AffectedMember = { userId: string; email: string; tiers: string[] };

/** How many affected members a preview names; the rest are counted. */
export const AFFECTED_SHOWN = 20;

/** What a re-rank or a retirement does to members, and the token that confirms it. */
export type TierImpact = {
  kind: "ranks" | "retire";
  /**
   * Re-rank: members who would pass fewer tier gates, with the tiers whose gates they
   * lose. Retirement: members who hold the tier now (they keep it).
   */
  affectedCount: number;
  /** The first AFFECTED_SHOWN of them, by e-mail address. */
  affected: AffectedMember[];
  /** Re-rank: members who would pass more gates (for information; nobody loses by it). */
  gainingCount: number;
  /** Every tier, in the order the change leaves them, with its rank before and after. */
  tiers: { slug: string; name: string; before: number; after: number }[];
  /** Confirms exactly this preview: it changes when the change or who it affects does. */
  token: string;
};

/** The answer when a change needs a confirmation it did not get, or got for another preview. */
export type NeedsConfirmation = {
  ok: false;
  status: 409;
  /** The preview to show and confirm. */
  confirm: TierImpact;
  /** Whether a confirmation was given, for a preview that has since changed. */
  changed: boolean;
  formError: string;
};

export type TierChange =
  | { kind: "ranks"; ranks: ReadonlyMap<string, number> }
  | {
      kind: "retire";
      slug: string;
    };

function failure(status: TierFailure["status"], formError: string): TierFailure {
  return { ok: false, status, formError };
}

function fieldFailure(field: string, message: string, status: TierFailure["status"] = 400) {
  return { ok: false as const, status, fieldErrors: { [field]: [message] } };
}

function invalid(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): TierFailure {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "");
    if (!field) continue;
    fieldErrors[field] = [...(fieldErrors[field] ?? []), issue.message];
  }
  return { ok: false, status: 400, fieldErrors };
}

// ---------------------------------------------------------------------------------------
// Impact.

/** Who a change to `tiers` (the catalogue now) affects; read with `db` (a transaction, to decide). */
export async function tierImpact(
  db: Db,
  tiers: readonly Tier[],
  change: TierChange,
): Promise<TierImpact> {
  const name = (slug: string) => tiers.find((tier) => tier.slug === slug)?.name ?? slug;
  const before = tierCatalogue(tiers);
  const ranks = change.kind === "ranks" ? change.ranks : new Map<string, number>();
  const after = withRanks(before, ranks);
  const affectedAll: AffectedMember[] = [];
  let gainingCount = 0;

  if (change.kind === "retire") {
    for (const holder of await listTierHolders(db, [change.slug])) {
      affectedAll.push({ userId: holder.userId, email: holder.email, tiers: [name(change.slug)] });
    }
  } else {
    // Only holders of a tier that loses or gains gates on its own can lose or gain: what a
    // member passes is the union of what each tier they hold passes.
    const slugs = [...before.keys()];
    const losing = slugs.filter((slug) => lostTierGates([slug], before, after).length > 0);
    const gaining = slugs.filter((slug) => gainedTierGates([slug], before, after).length > 0);
    const holders = await listTierHolders(db, [...new Set([...losing, ...gaining])]);
    for (const holder of holders) {
      const lost = lostTierGates(holder.tiers, before, after);
      if (lost.length > 0) {
        affectedAll.push({ userId: holder.userId, email: holder.email, tiers: lost.map(name) });
      }
      if (gainedTierGates(holder.tiers, before, after).length > 0) gainingCount += 1;
    }
  }

  const order = rankOrder([...after.values()]);
  const summary = order.map((slug) => ({
    slug,
    name: name(slug),
    before: before.get(slug)?.rank ?? 0,
    after: after.get(slug)?.rank ?? 0,
  }));
  const token = createHash("sha256")
    .update(
      JSON.stringify({
        kind: change.kind,
        subject: change.kind === "retire" ? change.slug : null,
        ranks: summary.map((tier) => [tier.slug, tier.before, tier.after]),
        affected: affectedAll.map((member) => member.userId).sort(),
      }),
    )
    .digest("base64url");
  return {
    kind: change.kind,
    affectedCount: affectedAll.length,
    affected: affectedAll.slice(0, AFFECTED_SHOWN),
    gainingCount,
    tiers: summary,
    token,
  };
}

function needsConfirmation(
  impact: TierImpact,
  confirmation: string | null | undefined,
): NeedsConfirmation {
  const changed = Boolean(confirmation);
  const who =
    impact.kind === "retire"
      ? `${impact.affectedCount} ${impact.affectedCount === 1 ? "member holds" : "members hold"} this tier`
      : `${impact.affectedCount} ${impact.affectedCount === 1 ? "member" : "members"} would lose access`;
  return {
    ok: false,
    status: 409,
    confirm: impact,
    changed,
    formError: changed
      ? `Something changed since the preview (now ${who}): nothing was saved. Review it again and confirm.`
      : `Review who is affected (${who}) and confirm.`,
  };
}

/** Runs `work` in a transaction; a `Rollback` it throws is answered, and nothing is kept. */
class Rollback extends Error {
  constructor(readonly answer: TierFailure | NeedsConfirmation) {
    super("rollback");
  }
}

async function inTransaction<T>(
  db: Db,
  work: (tx: Db) => Promise<T>,
): Promise<T | TierFailure | NeedsConfirmation> {
  try {
    return await db.transaction((tx) => work(tx as unknown as Db));
  } catch (error) {
    if (error instanceof Rollback) return error.answer;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Re-ranking.

/** The order a move would give, with its impact; null if the tier cannot move that way. */
export async function previewTierMove(
  db: Db,
  slug: string,
  direction: "up" | "down",
): Promise<{ order: string[]; impact: TierImpact } | null> {
  const tiers = await listTiers(db);
  const order = moveInOrder(rankOrder(tiers), slug, direction);
  if (!order) return null;
  const ranks = ranksForOrder(tiers, order);
  if (!ranks) return null;
  return { order, impact: await tierImpact(db, tiers, { kind: "ranks", ranks }) };
}

/** The impact of putting the tiers in `order` (lowest rank first); null if it is not their order. */
export async function previewTierOrder(
  db: Db,
  order: readonly string[],
): Promise<TierImpact | null> {
  const tiers = await listTiers(db);
  const ranks = ranksForOrder(tiers, order);
  return ranks ? tierImpact(db, tiers, { kind: "ranks", ranks }) : null;
}

/**
 * Puts the tiers in `order` (lowest rank first), giving them positive, distinct ranks, if
 * `confirmation` is the token of the preview of exactly this change as it stands now.
 */
export async function reorderTiers(
  db: Db,
  actor: Actor,
  order: readonly string[],
  confirmation: string | null | undefined,
): Promise<{ ok: true; changed: boolean } | TierFailure | NeedsConfirmation> {
  return inTransaction(db, async (tx) => {
    const tiers = await lockTiers(tx);
    const ranks = ranksForOrder(tiers, order);
    if (!ranks) {
      throw new Rollback(
        failure(409, "The tiers changed since this order was proposed: nothing was saved."),
      );
    }
    const moved = tiers.filter((tier) => ranks.get(tier.slug) !== tier.rank);
    if (moved.length === 0) return { ok: true as const, changed: false };
    const impact = await tierImpact(tx, tiers, { kind: "ranks", ranks });
    if (confirmation !== impact.token) throw new Rollback(needsConfirmation(impact, confirmation));
    const now = new Date();
    for (const tier of moved) {
      await tx
        .update(schema.tiers)
        .set({ rank: ranks.get(tier.slug) as number, updatedAt: now })
        .where(eq(schema.tiers.slug, tier.slug));
    }
    await recordAudit(tx, actor, {
      action: "tier.reorder",
      targetType: "tiers",
      // The tiers whose rank changed, by slug: "gold,silver".
      targetId: moved
        .map((tier) => tier.slug)
        .sort()
        .join(","),
      before: { ranks: Object.fromEntries(moved.map((tier) => [tier.slug, tier.rank])) },
      after: {
        ranks: Object.fromEntries(moved.map((tier) => [tier.slug, ranks.get(tier.slug)])),
        membersLosingAccess: impact.affectedCount,
        membersGainingAccess: impact.gainingCount,
      },
    });
    return { ok: true as const, changed: true };
  });
}

// ---------------------------------------------------------------------------------------
// Creating and editing.

const TIER_FIELDS = [
  "slug",
  "name",
  "description",
  "audience",
  "rank",
  "joinMethod",
  "benefits",
  "paid",
  "priceMonthly",
  "priceYearly",
  "currency",
] as const satisfies readonly (keyof TierInput)[];

function auditValues(tier: TierInput | Tier): Record<string, unknown> {
  return Object.fromEntries(TIER_FIELDS.map((field) => [field, tier[field] ?? null]));
}

function rankTaken(tiers: readonly Tier[], rank: number, except: string | null) {
  const holder = tiers.find((tier) => tier.rank === rank && tier.slug !== except);
  return holder
    ? fieldFailure(
        "rank",
        `Rank ${rank} is ${holder.name}'s: ranks are distinct, choose another (or move tiers on the tiers list)`,
      )
    : null;
}

function slugTaken(slug: string) {
  return fieldFailure("slug", `There is already a tier with the slug “${slug}”`);
}

/** Creates a tier. A new tier takes access from nobody, so it needs no confirmation. */
export async function createTier(
  db: Db,
  actor: Actor,
  input: TierInput,
): Promise<{ ok: true; slug: string } | TierFailure> {
  const parsed = tierInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const tier = parsed.data;
  try {
    const result = await inTransaction(db, async (tx) => {
      const tiers = await lockTiers(tx);
      if (tiers.some((existing) => existing.slug === tier.slug))
        throw new Rollback(slugTaken(tier.slug));
      const taken = rankTaken(tiers, tier.rank, null);
      if (taken) throw new Rollback(taken);
      await tx.insert(schema.tiers).values({ ...tier, retiredAt: null });
      await recordAudit(tx, actor, {
        action: "tier.create",
        targetType: "tier",
        targetId: tier.slug,
        after: auditValues(tier),
      });
      return { ok: true as const, slug: tier.slug };
    });
    return result as { ok: true; slug: string } | TierFailure;
  } catch (error) {
    // Two admins creating the same slug at once: the table's unique key stops the second.
    if (isUniqueViolation(error)) return slugTaken(tier.slug);
    throw error;
  }
}

/**
 * Edits every field of a tier, its slug too (references follow: their foreign keys cascade
 * on update). A change of rank moves gates, so it takes effect only with the confirmation
 * of its preview, like a re-order; other changes take access from nobody.
 */
export async function updateTier(
  db: Db,
  actor: Actor,
  slug: string,
  input: TierInput,
  confirmation?: string | null,
): Promise<{ ok: true; slug: string; changed: boolean } | TierFailure | NeedsConfirmation> {
  const parsed = tierInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const next = parsed.data;
  try {
    return await inTransaction(db, async (tx) => {
      const tiers = await lockTiers(tx);
      const current = tiers.find((tier) => tier.slug === slug);
      if (!current) throw new Rollback(failure(404, "There is no such tier."));
      if (next.slug !== slug) {
        // The article importer files premium text under this slug (db's import/articles.ts).
        if (slug === STRATEGIC_CIRCLE) {
          throw new Rollback(
            fieldFailure(
              "slug",
              `The article importer puts premium text behind “${STRATEGIC_CIRCLE}”: this tier keeps its slug`,
            ),
          );
        }
        if (tiers.some((tier) => tier.slug === next.slug)) throw new Rollback(slugTaken(next.slug));
      }
      const taken = rankTaken(tiers, next.rank, slug);
      if (taken) throw new Rollback(taken);

      const before = auditValues(current);
      const after = auditValues(next);
      const changedFields = TIER_FIELDS.filter(
        (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
      );
      if (changedFields.length === 0) return { ok: true as const, slug, changed: false };

      let membersLosingAccess: number | undefined;
      if (next.rank !== current.rank) {
        const impact = await tierImpact(tx, tiers, {
          kind: "ranks",
          ranks: new Map([[slug, next.rank]]),
        });
        if (confirmation !== impact.token)
          throw new Rollback(needsConfirmation(impact, confirmation));
        membersLosingAccess = impact.affectedCount;
      }
      // A paid tier that stops being paid would leave its subscribers charged for nothing.
      if (current.paid && !next.paid) {
        const paying = await tx.$count(
          schema.subscriptions,
          and(
            eq(schema.subscriptions.tierSlug, slug),
            inArray(schema.subscriptions.status, ["active", "trialing", "past_due"]),
          ),
        );
        if (paying > 0)
          throw new Rollback(
            fieldFailure(
              "paid",
              `${paying} member${paying === 1 ? " pays" : "s pay"} for this tier: cancel their subscriptions in Stripe first`,
              409,
            ),
          );
      }
      // A tier that becomes paid: approvals stop being access (decision 022), so those
      // approved keep it as a complimentary grant rather than lose it silently.
      let approvalsGranted: number | undefined;
      if (!current.paid && next.paid) {
        const approved = await tx
          .selectDistinct({ userId: schema.applications.userId })
          .from(schema.applications)
          .where(
            and(eq(schema.applications.tierSlug, slug), eq(schema.applications.status, "approved")),
          );
        if (approved.length > 0)
          await tx.insert(schema.tierGrants).values(
            approved.map(({ userId }) => ({
              userId,
              tierSlug: slug,
              reason: "Approved before the tier was paid",
              grantedBy: actorId(actor),
            })),
          );
        approvalsGranted = approved.length;
      }
      // The Stripe price sold at checkout must be the price shown: a changed amount or
      // currency is not for sale until `npm run billing:prices` has made its new price.
      const currencyChanged = next.currency !== current.currency;
      const stripePrices = {
        ...(currencyChanged || next.priceMonthly !== current.priceMonthly
          ? { stripePriceMonthly: null }
          : {}),
        ...(currencyChanged || next.priceYearly !== current.priceYearly
          ? { stripePriceYearly: null }
          : {}),
      };
      await tx
        .update(schema.tiers)
        .set({ ...next, ...stripePrices, updatedAt: new Date() })
        .where(eq(schema.tiers.slug, slug));
      await recordAudit(tx, actor, {
        action: "tier.update",
        targetType: "tier",
        targetId: next.slug,
        before: Object.fromEntries(changedFields.map((field) => [field, before[field]])),
        after: {
          ...Object.fromEntries(changedFields.map((field) => [field, after[field]])),
          ...(membersLosingAccess === undefined ? {} : { membersLosingAccess }),
          ...(approvalsGranted === undefined ? {} : { approvalsGranted }),
        },
      });
      return { ok: true as const, slug: next.slug, changed: true };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return slugTaken(next.slug);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Retiring and restoring.

/** Who holds the tier now (they keep it when it is retired); null if there is no such tier. */
export async function previewRetirement(db: Db, slug: string): Promise<TierImpact | null> {
  const tiers = await listTiers(db);
  if (!tiers.some((tier) => tier.slug === slug)) return null;
  return tierImpact(db, tiers, { kind: "retire", slug });
}

/**
 * Retires a tier: it leaves the membership page, and joins, applications and grants refuse
 * it; everyone who holds it keeps it. Only with the confirmation of its preview.
 */
export async function retireTier(
  db: Db,
  actor: Actor,
  slug: string,
  confirmation: string | null | undefined,
): Promise<{ ok: true; holders: number } | TierFailure | NeedsConfirmation> {
  return inTransaction(db, async (tx) => {
    const tiers = await lockTiers(tx);
    const tier = tiers.find((candidate) => candidate.slug === slug);
    if (!tier) throw new Rollback(failure(404, "There is no such tier."));
    if (tier.retiredAt) throw new Rollback(failure(409, `${tier.name} is already retired.`));
    const impact = await tierImpact(tx, tiers, { kind: "retire", slug });
    if (confirmation !== impact.token) throw new Rollback(needsConfirmation(impact, confirmation));
    const retiredAt = new Date();
    await tx
      .update(schema.tiers)
      .set({ retiredAt, updatedAt: retiredAt })
      .where(eq(schema.tiers.slug, slug));
    await recordAudit(tx, actor, {
      action: "tier.retire",
      targetType: "tier",
      targetId: slug,
      before: { retiredAt: null },
      after: { retiredAt: retiredAt.toISOString(), holdersKeepingAccess: impact.affectedCount },
    });
    return { ok: true as const, holders: impact.affectedCount };
  });
}

/** Brings a retired tier back: it can be joined, applied to and granted again. */
export async function restoreTier(
  db: Db,
  actor: Actor,
  slug: string,
): Promise<{ ok: true } | TierFailure> {
  const result = await inTransaction(db, async (tx) => {
    const tiers = await lockTiers(tx);
    const tier = tiers.find((candidate) => candidate.slug === slug);
    if (!tier) throw new Rollback(failure(404, "There is no such tier."));
    if (!tier.retiredAt) throw new Rollback(failure(409, `${tier.name} is not retired.`));
    await tx
      .update(schema.tiers)
      .set({ retiredAt: null, updatedAt: new Date() })
      .where(eq(schema.tiers.slug, slug));
    await recordAudit(tx, actor, {
      action: "tier.restore",
      targetType: "tier",
      targetId: slug,
      before: { retiredAt: tier.retiredAt.toISOString() },
      after: { retiredAt: null },
    });
    return { ok: true as const };
  });
  return result as { ok: true } | TierFailure;
}
