import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUserRole } from "./accounts.ts";
import { listAudit, recordAudit } from "./audit.ts";
import { grantTier, reviewApplication, revokeGrant } from "./membership.ts";

const DAY = 24 * 60 * 60 * 1000;

describe.each(testDrivers())("audit log on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let admin: { id: string; name: string; ipAddress: string };
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    const id = await newUser("admin");
    const [row] = await db
      .select({ email: schema.users.email })
      .from(schema.users)
      .where(eq(schema.users.id, id));
    admin = { id, name: row?.email ?? "", ipAddress: "192.0.2.7" };
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newUser(label = "member"): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({
        email: `${label}-${randomUUID()}@example.org`,
        passwordHash: "x",
        emailVerifiedAt: new Date(),
      })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return user.id;
  }

  /** The messages of an error and its causes (drizzle wraps the database's error). */
  async function failure(run: Promise<unknown>): Promise<string> {
    try {
      await run;
    } catch (error) {
      const messages: string[] = [];
      for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
        messages.push(String((e as { message?: unknown }).message));
      }
      return messages.join(" / ");
    }
    return "no error";
  }

  async function entriesFor(targetId: string) {
    return listAudit(db, { targetId });
  }

  it("records a grant and its revocation, with who, from where, before and after", async () => {
    const member = await newUser();
    const endsAt = new Date(Date.now() + 7 * DAY);
    const granted = await grantTier(db, admin, member, {
      tierSlug: LEADERSHIP_ALLIANCE,
      endsAt,
      reason: "Conference speaker",
    });
    if (!granted.ok) throw new Error("grant failed");
    expect(await revokeGrant(db, granted.grantId, admin)).toBe(true);
    // Revoking twice changes nothing, so records nothing.
    expect(await revokeGrant(db, granted.grantId, admin)).toBe(false);

    const entries = await entriesFor(member);
    expect(entries.map((e) => e.action)).toEqual(["grant.revoke", "grant.create"]);
    const [revoke, create] = entries;
    expect(create).toMatchObject({
      actorId: admin.id,
      actor: admin.name,
      ipAddress: "192.0.2.7",
      targetType: "user",
      before: null,
      after: {
        grantId: granted.grantId,
        tier: LEADERSHIP_ALLIANCE,
        endsAt: endsAt.toISOString(),
        reason: "Conference speaker",
      },
    });
    expect(revoke?.before).toMatchObject({ grantId: granted.grantId, tier: LEADERSHIP_ALLIANCE });
    expect(revoke?.after).toEqual({ grantId: granted.grantId, revoked: true });
  });

  it("records a review decision; a refused one records nothing", async () => {
    const member = await newUser();
    const [application] = await db
      .insert(schema.applications)
      .values({
        userId: member,
        tierSlug: LEADERSHIP_ALLIANCE,
        organisation: "Example Networks",
        website: "https://example.net",
        roleTitle: "CTO",
        evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
        statement: "We hold address space and run our own network.",
      })
      .returning({ id: schema.applications.id });
    if (!application) throw new Error("no application");
    const deps = { db, mailer: { send: async () => {} }, appUrl: "https://briefings.example" };
    // An id alone is enough: the actor's e-mail is looked up and kept as it is now.
    const approved = await reviewApplication(deps, admin.id, application.id, {
      decision: "approve",
      message: "",
    });
    expect(approved).toEqual({ ok: true, status: "approved" });
    const again = await reviewApplication(deps, admin, application.id, {
      decision: "reject",
      message: "Too late",
    });
    expect(again).toMatchObject({ ok: false, status: 409 });

    const entries = await entriesFor(application.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "application.approve",
      actor: admin.name,
      actorId: admin.id,
      before: { status: "pending" },
      after: { status: "approved", message: null },
    });
  });

  it("records role changes, and keeps the record when the account is deleted", async () => {
    const member = await newUser();
    expect(await setUserRole(db, member, "editor", { id: null, name: "cli (test)" })).toBe(true);
    await db.delete(schema.users).where(eq(schema.users.id, member));
    const [entry] = await entriesFor(member);
    expect(entry).toMatchObject({
      action: "user.role",
      actorId: null,
      actor: "cli (test)",
      before: { role: "member" },
      after: { role: "editor" },
    });
  });

  it("is append-only: updates, deletes and truncation are refused by the database", async () => {
    const target = randomUUID();
    await recordAudit(db, admin, { action: "test.entry", targetType: "test", targetId: target });
    expect(
      await failure(
        db.execute(sql`UPDATE audit_log SET actor = 'someone else' WHERE target_id = ${target}`),
      ),
    ).toMatch(/append-only \(UPDATE refused\)/);
    expect(
      await failure(db.execute(sql`DELETE FROM audit_log WHERE target_id = ${target}`)),
    ).toMatch(/append-only \(DELETE refused\)/);
    expect(await failure(db.execute(sql`TRUNCATE audit_log`))).toMatch(
      /append-only \(TRUNCATE refused\)/,
    );
    expect(await entriesFor(target)).toHaveLength(1);
  });

  it("filters and pages newest first without repeating an entry", async () => {
    const target = randomUUID();
    for (let i = 0; i < 5; i++) {
      await recordAudit(db, admin, {
        action: i % 2 === 0 ? "test.even" : "test.odd",
        targetType: "test",
        targetId: target,
        after: { i },
      });
    }
    const first = await listAudit(db, { targetId: target }, { limit: 2 });
    const last = first.at(-1);
    if (!last) throw new Error("empty page");
    const second = await listAudit(db, { targetId: target }, { limit: 10, before: last.seq });
    const seen = [...first, ...second].map((e) => (e.after as { i: number }).i);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect(
      (await listAudit(db, { targetId: target, action: "test.odd" })).map(
        (e) => (e.after as { i: number }).i,
      ),
    ).toEqual([3, 1]);
    expect(await listAudit(db, { targetId: target, actorId: randomUUID() })).toEqual([]);
  });
});
