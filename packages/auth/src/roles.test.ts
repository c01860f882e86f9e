import { randomUUID } from "node:crypto";
import type { Role } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { listAudit } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeRoleAsStaff } from "./accounts.ts";
import { createSession, validateSessionToken } from "./session.ts";

describe.each(testDrivers())("role changes in the admin area on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function account(role: Role) {
    const email = `${role}-${randomUUID()}@example.org`;
    const [user] = await db
      .insert(schema.users)
      .values({ email, passwordHash: "x", role, emailVerifiedAt: new Date() })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return { id: user.id, name: email, role };
  }

  async function roleOf(id: string) {
    const [row] = await db
      .select({ role: schema.users.role })
      .from(schema.users)
      .where(eq(schema.users.id, id));
    return row?.role;
  }

  it("lets an owner change a member's role, ending their sessions and recording it", async () => {
    const owner = await account("owner");
    const member = await account("member");
    const { token } = await createSession(db, member.id);
    expect(await changeRoleAsStaff(db, owner, member.id, "editor")).toEqual({ ok: true });
    expect(await roleOf(member.id)).toBe("editor");
    expect(await validateSessionToken(db, token)).toBeNull();
    const [entry] = await listAudit(db, { targetId: member.id });
    expect(entry).toMatchObject({
      action: "user.role",
      actorId: owner.id,
      actor: owner.name,
      before: { role: "member" },
      after: { role: "editor" },
    });
  });

  it("refuses admins and editors, one's own role, no-ops and unknown members", async () => {
    const owner = await account("owner");
    const admin = await account("admin");
    const editor = await account("editor");
    const member = await account("member");
    for (const actor of [admin, editor]) {
      expect(await changeRoleAsStaff(db, actor, member.id, "admin")).toMatchObject({
        ok: false,
        status: 403,
        formError: "Only an owner can change roles.",
      });
    }
    expect(await changeRoleAsStaff(db, owner, owner.id, "member")).toMatchObject({
      status: 403,
      formError: "You cannot change your own role.",
    });
    expect(await changeRoleAsStaff(db, owner, member.id, "member")).toMatchObject({ status: 409 });
    expect(await changeRoleAsStaff(db, owner, randomUUID(), "editor")).toMatchObject({
      status: 400,
    });
    expect(await roleOf(member.id)).toBe("member");
    expect(await listAudit(db, { targetId: member.id })).toEqual([]);
  });

  it("keeps at least one owner", async () => {
    // A fresh database of owners: demote every other owner first, then try the last.
    await db.update(schema.users).set({ role: "member" }).where(eq(schema.users.role, "owner"));
    const first = await account("owner");
    const second = await account("owner");
    expect(await changeRoleAsStaff(db, first, second.id, "admin")).toEqual({ ok: true });
    // `first` is now the only owner; `second`, an admin, cannot act, and nobody else can
    // demote `first` without being an owner.
    const third = await account("owner");
    expect(await changeRoleAsStaff(db, third, first.id, "member")).toEqual({ ok: true });
    expect(
      await changeRoleAsStaff(db, { ...first, role: "owner" }, third.id, "member"),
    ).toMatchObject({ status: 409, formError: "The last owner cannot be given another role." });
    expect(await roleOf(third.id)).toBe("owner");
  });
});
