import { reviewNoteSchema } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { asc, eq } from "drizzle-orm";
import type { Failure } from "./accounts.ts";
import { type Actor, actorId, recordAudit } from "./audit.ts";

// Reviewers' notes on an application: what one reviewer wants the others to know (a call
// made to the applicant, a doubt about the evidence). They are for the reviewers only:
// nothing that reaches the applicant (their pages, their data export, the decision mail)
// reads this table.

export type ApplicationNote = {
  id: string;
  applicationId: string;
  authorId: string | null;
  /** The author's e-mail when they wrote the note. */
  author: string;
  body: string;
  createdAt: Date;
};

/** The e-mail an acting account has now, or a tool's name. */
async function authorName(db: Db, actor: Actor): Promise<string> {
  if (typeof actor !== "string") return actor.name;
  const [user] = await db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, actor));
  return user?.email ?? "(deleted account)";
}

/** Adds a note to an application, recorded in the audit log in the same transaction. */
export async function addApplicationNote(
  db: Db,
  actor: Actor,
  applicationId: string,
  body: string,
): Promise<{ ok: true; note: ApplicationNote } | Failure> {
  const parsed = reviewNoteSchema.safeParse({ body });
  if (!parsed.success) {
    return {
      ok: false,
      status: 400,
      fieldErrors: { body: [parsed.error.issues[0]?.message ?? "The note is not valid"] },
    };
  }
  const note = await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const [application] = await tx
      .select({ id: schema.applications.id })
      .from(schema.applications)
      .where(eq(schema.applications.id, applicationId));
    if (!application) return null;
    const [created] = await tx
      .insert(schema.applicationNotes)
      .values({
        applicationId,
        authorId: actorId(actor),
        author: await authorName(txDb, actor),
        body: parsed.data.body,
      })
      .returning();
    if (!created) throw new Error("insert returned no row");
    await recordAudit(txDb, actor, {
      action: "application.note",
      targetType: "application",
      targetId: applicationId,
      after: { noteId: created.id, body: created.body },
    });
    return created;
  });
  if (!note) return { ok: false, status: 400, formError: "There is no such application." };
  return { ok: true, note };
}

/** An application's notes, oldest first (a conversation reads top to bottom). */
export async function listApplicationNotes(
  db: Db,
  applicationId: string,
  limit = 500,
): Promise<ApplicationNote[]> {
  return db
    .select()
    .from(schema.applicationNotes)
    .where(eq(schema.applicationNotes.applicationId, applicationId))
    .orderBy(asc(schema.applicationNotes.createdAt), asc(schema.applicationNotes.id))
    .limit(limit);
}
