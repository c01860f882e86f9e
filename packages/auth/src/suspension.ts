import { hasControlCharacters, type Role } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { eq } from "drizzle-orm";
import type { Failure } from "./accounts.ts";
import { type AuditActor, recordAudit } from "./audit.ts";
import { invalidateUserSessions } from "./session.ts";

// Suspending a member: the account stays (with its history, tiers and grants) but cannot be
// used. Its sessions and mailed links end at once, sign-in refuses it (after the right
// password only, see signIn), and session validation never admits it.

/** Who suspends: a signed-in staff member, as the audit log records them, with their role. */
export type SuspensionActor = AuditActor & { id: string; role: Role };

export const SUSPENSION_REASON_MIN_LENGTH = 3;
export const SUSPENSION_REASON_MAX_LENGTH = 500;

type Target = { id: string; role: Role };

/**
 * Why `actor` may not suspend or reinstate `target`, or null when they may: admins and
 * owners only; nobody themselves; an admin or an owner only by an owner (the rule of
 * changeRoleAsStaff: staff of a rank are managed from above it, owners by owners).
 */
export function suspensionRefusal(
  actor: { id: string; role: Role },
  target: Target,
  action: "suspend" | "reinstate" = "suspend",
): string | null {
  if (actor.role !== "admin" && actor.role !== "owner")
    return `Only admins and owners can ${action} members.`;
  if (actor.id === target.id) return `You cannot ${action} yourself.`;
  if (target.role === "owner" && actor.role !== "owner")
    return `Only an owner can ${action} an owner.`;
  if (target.role === "admin" && actor.role !== "owner")
    return `Only an owner can ${action} an admin.`;
  return null;
}

function refused(status: Failure["status"], formError: string): Failure {
  return { ok: false, status, formError };
}

/** The reason, trimmed, or the field error that says what is wrong with it. */
function checkReason(reason: string): string | Failure {
  const trimmed = reason.trim();
  const problem = hasControlCharacters(trimmed)
    ? "The reason contains control characters"
    : trimmed.length < SUSPENSION_REASON_MIN_LENGTH
      ? `Give a reason (at least ${SUSPENSION_REASON_MIN_LENGTH} characters)`
      : trimmed.length > SUSPENSION_REASON_MAX_LENGTH
        ? `The reason is at most ${SUSPENSION_REASON_MAX_LENGTH} characters`
        : null;
  return problem ? { ok: false, status: 400, fieldErrors: { reason: [problem] } } : trimmed;
}

/** The target, locked for the rest of the transaction, or null if there is no such account. */
async function lockTarget(tx: Db, userId: string) {
  const [row] = await tx
    .select({
      id: schema.users.id,
      role: schema.users.role,
      suspendedAt: schema.users.suspendedAt,
      suspendedReason: schema.users.suspendedReason,
    })
    .from(schema.users)
    .where(eq(schema.users.id, userId))
    .for("update");
  return row ?? null;
}

/**
 * Suspends a member, with a reason: in one transaction the account is marked, every
 * session and mailed link of it ends, and the audit log records who did it and why.
 */
export async function suspendMember(
  db: Db,
  actor: SuspensionActor,
  targetUserId: string,
  reason: string,
): Promise<{ ok: true; sessionsEnded: number } | Failure> {
  const checked = checkReason(reason);
  if (typeof checked !== "string") return checked;
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const target = await lockTarget(tx, targetUserId);
    if (!target) return refused(400, "There is no such member.");
    const refusal = suspensionRefusal(actor, target, "suspend");
    if (refusal) return refused(403, refusal);
    if (target.suspendedAt) return refused(409, "This member is already suspended.");
    const now = new Date();
    await tx
      .update(schema.users)
      .set({ suspendedAt: now, suspendedReason: checked, updatedAt: now })
      .where(eq(schema.users.id, targetUserId));
    // A reset link must not hand a suspended account a new session either.
    await tx.delete(schema.authTokens).where(eq(schema.authTokens.userId, targetUserId));
    const sessionsEnded = await invalidateUserSessions(tx, targetUserId);
    await recordAudit(tx, actor, {
      action: "user.suspend",
      targetType: "user",
      targetId: targetUserId,
      before: { suspended: false },
      after: { suspended: true, reason: checked, sessionsEnded },
    });
    return { ok: true as const, sessionsEnded };
  });
}

/** Lifts a suspension, with a reason; the member signs in again as before. */
export async function reinstateMember(
  db: Db,
  actor: SuspensionActor,
  targetUserId: string,
  reason: string,
): Promise<{ ok: true } | Failure> {
  const checked = checkReason(reason);
  if (typeof checked !== "string") return checked;
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const target = await lockTarget(tx, targetUserId);
    if (!target) return refused(400, "There is no such member.");
    const refusal = suspensionRefusal(actor, target, "reinstate");
    if (refusal) return refused(403, refusal);
    if (!target.suspendedAt) return refused(409, "This member is not suspended.");
    await tx
      .update(schema.users)
      .set({ suspendedAt: null, suspendedReason: null, updatedAt: new Date() })
      .where(eq(schema.users.id, targetUserId));
    await recordAudit(tx, actor, {
      action: "user.reinstate",
      targetType: "user",
      targetId: targetUserId,
      before: {
        suspended: true,
        suspendedAt: target.suspendedAt.toISOString(),
        reason: target.suspendedReason,
      },
      after: { suspended: false, reason: checked },
    });
    return { ok: true as const };
  });
}
