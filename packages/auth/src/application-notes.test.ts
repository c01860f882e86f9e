import { randomUUID } from "node:crypto";
import {
  type ApplicationForm,
  DEFAULT_TIERS,
  LEADERSHIP_ALLIANCE,
  type Role,
} from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { encodeCursor, InvalidCursorError, listAudit, saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAccountData } from "./accounts.ts";
import { addApplicationNote, listApplicationNotes } from "./application-notes.ts";
import { listApplicantApplications, listApplicationQueuePage } from "./application-queue.ts";
import { reviewApplication, submitApplication } from "./membership.ts";

type Sent = { to: string; subject: string; text: string; html?: string };

const FORM: ApplicationForm = {
  organisation: "Example Networks",
  website: "https://example.net",
  roleTitle: "Chief Technology Officer",
  asns: ["AS8075"],
  prefixes: ["193.0.0.0/16"],
  handles: ["ORG-EXA1-RIPE"],
  statement: "We hold address space and run our own network.",
};

describe.each(testDrivers())("reviewers' notes and the application lists on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let reviewer: string;
  let reviewerEmail: string;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    reviewerEmail = `reviewer-${randomUUID()}@example.org`;
    reviewer = await newUser({ role: "admin", email: reviewerEmail });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newUser(options: { role?: Role; email?: string } = {}): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({
        email: options.email ?? `member-${randomUUID()}@example.org`,
        passwordHash: "not-a-hash",
        role: options.role ?? "member",
        emailVerifiedAt: new Date(),
      })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return user.id;
  }

  async function newApplication(organisation = "Example Networks") {
    const userId = await newUser();
    const submitted = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, {
      ...FORM,
      organisation,
    });
    if (!submitted.ok) throw new Error("submission failed");
    return { userId, applicationId: submitted.applicationId };
  }

  const notesOn = (applicationId: string) =>
    db.$count(schema.applicationNotes, eq(schema.applicationNotes.applicationId, applicationId));
  const noteEntries = async (applicationId: string) =>
    (await listAudit(db, { action: "application.note", targetId: applicationId })).length;

  it("adds notes with their author and lists them oldest first, each in the audit log", async () => {
    const { applicationId } = await newApplication();
    const colleagueEmail = `colleague-${randomUUID()}@example.org`;
    const colleague = await newUser({ role: "owner", email: colleagueEmail });

    const first = await addApplicationNote(
      db,
      reviewer,
      applicationId,
      "  Called their NOC: the ASN is theirs.  ",
    );
    expect(first).toMatchObject({
      ok: true,
      note: {
        author: reviewerEmail,
        authorId: reviewer,
        body: "Called their NOC: the ASN is theirs.",
      },
    });
    const second = await addApplicationNote(
      db,
      { id: colleague, name: colleagueEmail, ipAddress: "192.0.2.7" },
      applicationId,
      "The prefix is announced by AS8075 since 2019.\nLooks fine.",
    );
    expect(second.ok).toBe(true);

    const notes = await listApplicationNotes(db, applicationId);
    expect(notes.map((n) => [n.author, n.body])).toEqual([
      [reviewerEmail, "Called their NOC: the ASN is theirs."],
      [colleagueEmail, "The prefix is announced by AS8075 since 2019.\nLooks fine."],
    ]);
    expect(notes[0]?.createdAt.getTime()).toBeLessThanOrEqual(notes[1]?.createdAt.getTime() ?? 0);

    const entries = await listAudit(db, { action: "application.note", targetId: applicationId });
    // Newest first in the log.
    expect(entries.map((e) => [e.actor, e.targetType, e.after])).toEqual([
      [
        colleagueEmail,
        "application",
        {
          noteId: second.ok ? second.note.id : "",
          body: "The prefix is announced by AS8075 since 2019.\nLooks fine.",
        },
      ],
      [
        reviewerEmail,
        "application",
        { noteId: first.ok ? first.note.id : "", body: "Called their NOC: the ASN is theirs." },
      ],
    ]);
    expect(entries[0]?.ipAddress).toBe("192.0.2.7");
  });

  it("refuses an empty, an over-long or a control-character note, writing nothing", async () => {
    const { applicationId } = await newApplication();
    for (const [body, message] of [
      ["", "Write the note"],
      ["   \n  ", "Write the note"],
      ["x".repeat(5001), "The note is at most 5000 characters"],
      ["bell \u0007", "The note contains control characters"],
    ] as const) {
      expect(await addApplicationNote(db, reviewer, applicationId, body)).toEqual({
        ok: false,
        status: 400,
        fieldErrors: { body: [message] },
      });
    }
    expect(await notesOn(applicationId)).toBe(0);
    expect(await noteEntries(applicationId)).toBe(0);

    // Exactly 5000 characters is a note.
    expect((await addApplicationNote(db, reviewer, applicationId, "y".repeat(5000))).ok).toBe(true);
    expect(await notesOn(applicationId)).toBe(1);
  });

  it("refuses a note on an application that does not exist, leaving no audit entry", async () => {
    const missing = randomUUID();
    expect(await addApplicationNote(db, reviewer, missing, "Hello")).toEqual({
      ok: false,
      status: 400,
      formError: "There is no such application.",
    });
    expect(await noteEntries(missing)).toBe(0);
  });

  it("never shows a note to the applicant: not in their data export, not in the decision mail", async () => {
    const { userId, applicationId } = await newApplication();
    const secret = `Reviewer-only remark ${randomUUID()}`;
    expect((await addApplicationNote(db, reviewer, applicationId, secret)).ok).toBe(true);

    const sent: Sent[] = [];
    const deps = {
      db,
      appUrl: "https://briefings.example",
      mailer: {
        async send(message: Sent) {
          sent.push(message);
        },
      },
    };
    expect(
      await reviewApplication(deps, reviewer, applicationId, {
        decision: "reject",
        message: "We could not confirm the AS number.",
      }),
    ).toEqual({ ok: true, status: "rejected" });
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent)).toContain("We could not confirm the AS number.");
    expect(JSON.stringify(sent)).not.toContain(secret);

    const exported = JSON.stringify(await exportAccountData(db, userId));
    // The export holds the application itself (so the note's absence means something).
    expect(exported).toContain(FORM.statement);
    expect(exported).not.toContain(secret);
    expect(exported).not.toContain("Reviewer-only");
  });

  it("deleting the application's account takes its notes with it", async () => {
    const { userId, applicationId } = await newApplication();
    await addApplicationNote(db, reviewer, applicationId, "Note to be removed");
    await db.delete(schema.users).where(eq(schema.users.id, userId));
    expect(await notesOn(applicationId)).toBe(0);
  });

  // -------------------------------------------------------------------------------------
  // The lists

  it("pages through a status by keyset, with each application's number of notes", async () => {
    const tag = randomUUID().slice(0, 8);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { applicationId } = await newApplication(`Queue ${tag} ${i}`);
      created.push(applicationId);
    }
    // Two share a time to the microsecond, two differ by less than a millisecond: the pages
    // still neither repeat nor skip any of them.
    const times = [
      "2021-01-01T00:00:00.000100Z",
      "2021-01-01T00:00:00.000100Z",
      "2021-01-01T00:00:00.000400Z",
      "2021-01-01T00:00:00.000900Z",
      "2021-01-02T00:00:00Z",
    ];
    for (const [i, id] of created.entries()) {
      await db.execute(
        sql`UPDATE applications SET submitted_at = ${times[i]}::timestamptz WHERE id = ${id}`,
      );
    }
    await addApplicationNote(db, reviewer, created[2] ?? "", "one");
    await addApplicationNote(db, reviewer, created[2] ?? "", "two");
    // One of them is decided: it leaves the pending list for the rejected one.
    await reviewApplication(
      { db, appUrl: "https://x.example", mailer: { async send() {} } },
      reviewer,
      created[4] ?? "",
      { decision: "reject", message: "No" },
    );

    const seen: { id: string; organisation: string; notes: number }[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listApplicationQueuePage(db, "pending", { after, limit: 2 });
      seen.push(...page.items.map(({ id, organisation, notes }) => ({ id, organisation, notes })));
      after = page.next ?? undefined;
      pages += 1;
    } while (after && pages < 20);
    const mine = seen.filter((item) => item.organisation.startsWith(`Queue ${tag}`));
    // Oldest first; ties on time in id order, so only the set of the first two is fixed.
    expect(mine.map((i) => i.organisation).slice(2)).toEqual([`Queue ${tag} 2`, `Queue ${tag} 3`]);
    expect(new Set(mine.slice(0, 2).map((i) => i.organisation))).toEqual(
      new Set([`Queue ${tag} 0`, `Queue ${tag} 1`]),
    );
    expect(mine.map((i) => i.notes)).toEqual([0, 0, 2, 0]);
    expect(new Set(seen.map((i) => i.id)).size).toBe(seen.length);

    const rejected = await listApplicationQueuePage(db, "rejected");
    expect(rejected.items.map((i) => i.organisation)).toContain(`Queue ${tag} 4`);
    expect(rejected.items.find((i) => i.organisation === `Queue ${tag} 4`)).toMatchObject({
      status: "rejected",
      decidedAt: expect.any(Date),
    });
    expect(rejected.items.map((i) => i.status)).toEqual(rejected.items.map(() => "rejected"));
  });

  it("lists decided applications newest first", async () => {
    const tag = randomUUID().slice(0, 8);
    const deps = { db, appUrl: "https://x.example", mailer: { async send() {} } };
    for (const [i, at] of ["2020-05-01T00:00:00Z", "2020-06-01T00:00:00Z"].entries()) {
      const { applicationId } = await newApplication(`Decided ${tag} ${i}`);
      await db.execute(
        sql`UPDATE applications SET submitted_at = ${at}::timestamptz WHERE id = ${applicationId}`,
      );
      await reviewApplication(deps, reviewer, applicationId, { decision: "approve", message: "" });
    }
    const page = await listApplicationQueuePage(db, "approved", { limit: 200 });
    const mine = page.items.filter((i) => i.organisation.startsWith(`Decided ${tag}`));
    expect(mine.map((i) => i.organisation)).toEqual([`Decided ${tag} 1`, `Decided ${tag} 0`]);
  });

  it("answers a tampered cursor with InvalidCursorError", async () => {
    for (const cursor of [
      "not-base64-json",
      encodeCursor(["2021-01-01T00:00:00.000Z", randomUUID()]),
      encodeCursor(["2021-13-45T99:00:00.000000Z", randomUUID()]),
      encodeCursor([42, randomUUID()]),
    ]) {
      await expect(listApplicationQueuePage(db, "pending", { after: cursor })).rejects.toThrow(
        InvalidCursorError,
      );
    }
  });

  it("lists an applicant's other applications, newest first", async () => {
    const { userId, applicationId: first } = await newApplication("History One");
    await reviewApplication(
      { db, appUrl: "https://x.example", mailer: { async send() {} } },
      reviewer,
      first,
      { decision: "reject", message: "Not enough evidence" },
    );
    const again = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, {
      ...FORM,
      organisation: "History Two",
    });
    if (!again.ok) throw new Error("resubmission failed");
    expect(
      (await listApplicantApplications(db, userId)).map((a) => [a.organisation, a.status]),
    ).toEqual([
      ["History Two", "pending"],
      ["History One", "rejected"],
    ]);
    expect(
      (await listApplicantApplications(db, userId, { except: again.applicationId })).map(
        (a) => a.id,
      ),
    ).toEqual([first]);
  });
});
