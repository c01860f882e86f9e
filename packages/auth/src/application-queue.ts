import type { ApplicationStatus } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { decodeTextCursor, encodeCursor, InvalidCursorError } from "@briefings/db/queries";
import { and, asc, desc, eq, ne, type SQL, sql } from "drizzle-orm";

// The reviewers' lists of applications: the queue by status, a page at a time, and one
// applicant's applications (the history shown beside the one being reviewed).

export type QueuePageItem = {
  id: string;
  tierSlug: string;
  status: ApplicationStatus;
  organisation: string;
  applicantEmail: string;
  submittedAt: Date;
  decidedAt: Date | null;
  notes: number;
};

/** Applications still open read oldest first (a queue); decided ones newest first. */
export function queueOrder(status: ApplicationStatus): "oldest" | "newest" {
  return status === "pending" || status === "needs-info" ? "oldest" : "newest";
}

/**
 * A cursor's time, to the microsecond as the database keeps it: a JavaScript date (to the
 * millisecond) would repeat or skip rows whose times differ below a millisecond.
 */
const MICROSECOND_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * One page of the applications in `status`, by keyset on (submitted_at, id): pass the
 * previous page's `next` as `after`. A cursor that was tampered with throws
 * InvalidCursorError (the caller answers 400).
 */
export async function listApplicationQueuePage(
  db: Db,
  status: ApplicationStatus,
  page: { after?: string; limit?: number } = {},
): Promise<{ items: QueuePageItem[]; next: string | null }> {
  const a = schema.applications;
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const oldestFirst = queueOrder(status) === "oldest";
  const conditions: SQL[] = [eq(a.status, status)];
  if (page.after) {
    const [at, id] = decodeTextCursor(page.after);
    if (!MICROSECOND_INSTANT.test(at) || Number.isNaN(Date.parse(at))) {
      throw new InvalidCursorError();
    }
    conditions.push(
      oldestFirst
        ? sql`(${a.submittedAt}, ${a.id}) > (${at}::timestamptz, ${id}::uuid)`
        : sql`(${a.submittedAt}, ${a.id}) < (${at}::timestamptz, ${id}::uuid)`,
    );
  }
  const rows = await db
    .select({
      id: a.id,
      tierSlug: a.tierSlug,
      status: a.status,
      organisation: a.organisation,
      applicantEmail: schema.users.email,
      submittedAt: a.submittedAt,
      decidedAt: a.decidedAt,
      cursorKey: sql<string>`to_char(${a.submittedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      notes: sql<number>`(
        SELECT count(*)::int FROM ${schema.applicationNotes} n WHERE n.application_id = ${a.id}
      )`.mapWith(Number),
    })
    .from(a)
    .innerJoin(schema.users, eq(schema.users.id, a.userId))
    .where(and(...conditions))
    .orderBy(...(oldestFirst ? [asc(a.submittedAt), asc(a.id)] : [desc(a.submittedAt), desc(a.id)]))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(({ cursorKey: _, ...item }) => item),
    next: rows.length > limit && last ? encodeCursor([last.cursorKey, last.id]) : null,
  };
}

export type ApplicantApplication = {
  id: string;
  tierSlug: string;
  status: ApplicationStatus;
  organisation: string;
  submittedAt: Date;
  decidedAt: Date | null;
};

/** An applicant's other applications, newest first (what reviewers decided before). */
export async function listApplicantApplications(
  db: Db,
  userId: string,
  options: { except?: string; limit?: number } = {},
): Promise<ApplicantApplication[]> {
  const a = schema.applications;
  return db
    .select({
      id: a.id,
      tierSlug: a.tierSlug,
      status: a.status,
      organisation: a.organisation,
      submittedAt: a.submittedAt,
      decidedAt: a.decidedAt,
    })
    .from(a)
    .where(and(eq(a.userId, userId), options.except ? ne(a.id, options.except) : undefined))
    .orderBy(desc(a.submittedAt), desc(a.id))
    .limit(options.limit ?? 50);
}
