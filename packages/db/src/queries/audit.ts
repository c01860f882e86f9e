import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import * as schema from "../schema.ts";

/** Who acted: a signed-in account, or a named tool such as the command line. */
export type AuditActor = { id: string | null; name: string; ipAddress?: string | null };

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

/** An account acting, by id (its e-mail is looked up and kept as it is now), or a tool. */
export type Actor = string | AuditActor;

async function resolveActor(db: Db, actor: Actor): Promise<AuditActor> {
  if (typeof actor !== "string") return actor;
  const [user] = await db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, actor));
  return { id: actor, name: user?.email ?? "(deleted account)" };
}

/** The id of an acting account, or null for a tool. */
export function actorId(actor: Actor): string | null {
  return typeof actor === "string" ? actor : actor.id;
}

/**
 * Records an admin or editor action. Call it with the transaction that makes the change,
 * so the change and its record are written together or not at all.
 */
export async function recordAudit(db: Db, who: Actor, entry: AuditEntry): Promise<void> {
  const actor = await resolveActor(db, who);
  await db.insert(schema.auditLog).values({
    actorId: actor.id,
    actor: actor.name,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ipAddress: actor.ipAddress ?? null,
  });
}

export type AuditFilters = {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
};

export type AuditRow = typeof schema.auditLog.$inferSelect;

/** Newest first, by keyset: pass the last row's `seq` as `before` for the next page. */
export async function listAudit(
  db: Db,
  filters: AuditFilters = {},
  page: { before?: number; limit?: number } = {},
): Promise<AuditRow[]> {
  const t = schema.auditLog;
  const conditions: SQL[] = [];
  if (filters.action) conditions.push(eq(t.action, filters.action));
  if (filters.actorId) conditions.push(eq(t.actorId, filters.actorId));
  if (filters.targetType) conditions.push(eq(t.targetType, filters.targetType));
  if (filters.targetId) conditions.push(eq(t.targetId, filters.targetId));
  if (page.before !== undefined) conditions.push(lt(t.seq, page.before));
  return db
    .select()
    .from(t)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(t.seq))
    .limit(Math.min(page.limit ?? 50, 200));
}
