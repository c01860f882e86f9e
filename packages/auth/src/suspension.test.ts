import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, type Role } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { listAudit, saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountDeps,
  requestPasswordReset,
  resetPassword,
  SUSPENDED_ACCOUNT,
  signIn,
} from "./accounts.ts";
import { hashPassword } from "./password.ts";
import { createAuthRateLimits } from "./rate-limit.ts";
import { createSession, listUserSessions, validateSessionToken } from "./session.ts";
import {
  reinstateMember,
  type SuspensionActor,
  suspendMember,
  suspensionRefusal,
} from "./suspension.ts";

const PASSWORD = "violet tractor umbrella sings";
const APP_URL = "https://briefings.example";

describe("suspensionRefusal: who may suspend whom", () => {
  const member = { id: "m", role: "member" as Role };
  const editor = { id: "e", role: "editor" as Role };
  const admin = { id: "a", role: "admin" as Role };
  const otherAdmin = { id: "a2", role: "admin" as Role };
  const owner = { id: "o", role: "owner" as Role };
  const otherOwner = { id: "o2", role: "owner" as Role };

  it("lets admins suspend members and editors, and owners anyone but themselves", () => {
    expect(suspensionRefusal(admin, member)).toBeNull();
    expect(suspensionRefusal(admin, editor)).toBeNull();
    expect(suspensionRefusal(owner, member)).toBeNull();
    expect(suspensionRefusal(owner, admin)).toBeNull();
    expect(suspensionRefusal(owner, otherOwner)).toBeNull();
  });

  it("refuses admins suspending admins or owners, anyone themselves, and non-staff", () => {
    expect(suspensionRefusal(admin, otherAdmin)).toBe("Only an owner can suspend an admin.");
    expect(suspensionRefusal(admin, owner)).toBe("Only an owner can suspend an owner.");
    expect(suspensionRefusal(admin, admin)).toBe("You cannot suspend yourself.");
    expect(suspensionRefusal(owner, owner)).toBe("You cannot suspend yourself.");
    expect(suspensionRefusal(editor, member)).toBe("Only admins and owners can suspend members.");
    expect(suspensionRefusal(member, editor, "reinstate")).toBe(
      "Only admins and owners can reinstate members.",
    );
    expect(suspensionRefusal(admin, owner, "reinstate")).toBe(
      "Only an owner can reinstate an owner.",
    );
  });
});

describe.each(testDrivers())("suspension on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let passwordHash: string;
  let ip = 0;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function deps(): AccountDeps & { sent: { to: string; text: string }[] } {
    const sent: { to: string; text: string }[] = [];
    return {
      db,
      mailer: {
        async send(message) {
          sent.push(message);
        },
      },
      limits: createAuthRateLimits(db),
      appUrl: APP_URL,
      sent,
    };
  }

  const freshIp = () => `203.0.113.${(++ip % 250) + 1}`;

  async function newUser(role: Role = "member") {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.org`;
    const [user] = await db
      .insert(schema.users)
      .values({ email, passwordHash, role, emailVerifiedAt: new Date() })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return { id: user.id, email, role };
  }

  async function staff(role: "admin" | "owner"): Promise<SuspensionActor> {
    const user = await newUser(role);
    return { id: user.id, name: user.email, role, ipAddress: "192.0.2.7" };
  }

  async function userRow(id: string) {
    const [row] = await db.select().from(schema.users).where(eq(schema.users.id, id));
    return row;
  }

  it("ends every session at once, refuses sign-in after the right password only, and logs it", async () => {
    const admin = await staff("admin");
    const member = await newUser();
    const phone = await createSession(db, member.id, { userAgent: "iPhone Safari/1" });
    const laptop = await createSession(db, member.id, { userAgent: "Firefox/128.0 Linux" });
    expect(await validateSessionToken(db, phone.token)).not.toBeNull();

    const result = await suspendMember(db, admin, member.id, "  Shared the account publicly  ");
    expect(result).toEqual({ ok: true, sessionsEnded: 2 });

    expect(await validateSessionToken(db, phone.token)).toBeNull();
    expect(await validateSessionToken(db, laptop.token)).toBeNull();
    expect(await listUserSessions(db, member.id)).toEqual([]);
    const row = await userRow(member.id);
    expect(row?.suspendedAt).toBeInstanceOf(Date);
    expect(row?.suspendedReason).toBe("Shared the account publicly");

    // The right password: told the account is suspended, and no session is made.
    const refused = await signIn(
      deps(),
      { email: member.email, password: PASSWORD },
      { ipAddress: freshIp() },
    );
    expect(refused).toMatchObject({ ok: false, status: 403, formError: SUSPENDED_ACCOUNT });
    expect(await listUserSessions(db, member.id)).toEqual([]);
    // A wrong password: the same answer as for any wrong password (nothing about suspension).
    const wrong = await signIn(
      deps(),
      { email: member.email, password: "not the password at all" },
      { ipAddress: freshIp() },
    );
    expect(wrong).toMatchObject({ ok: false, status: 401 });
    expect(JSON.stringify(wrong)).not.toMatch(/suspend/i);

    const [entry] = await listAudit(db, { action: "user.suspend", targetId: member.id });
    expect(entry).toMatchObject({
      actorId: admin.id,
      actor: admin.name,
      targetType: "user",
      ipAddress: "192.0.2.7",
      before: { suspended: false },
      after: { suspended: true, reason: "Shared the account publicly", sessionsEnded: 2 },
    });
  });

  it("session validation never returns a suspended user, even for a session made after", async () => {
    const admin = await staff("admin");
    const member = await newUser();
    expect((await suspendMember(db, admin, member.id, "Chargeback fraud")).ok).toBe(true);
    // A session that slipped past (a sign-in racing the suspension) is refused and removed.
    const late = await createSession(db, member.id);
    expect(await validateSessionToken(db, late.token)).toBeNull();
    const left = await db
      .select()
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, member.id));
    expect(left).toEqual([]);
  });

  it("kills pending reset links, so a reset cannot hand back a session", async () => {
    const admin = await staff("admin");
    const member = await newUser();
    const account = deps();
    await requestPasswordReset(account, { email: member.email }, { ipAddress: freshIp() });
    const token = /reset-password\?token=([a-z2-7]{32})/.exec(account.sent.at(-1)?.text ?? "")?.[1];
    expect(token).toBeDefined();
    expect((await suspendMember(db, admin, member.id, "Abuse of the forum")).ok).toBe(true);
    const reset = await resetPassword(
      account,
      { token, password: "orange kettle mountain hums" },
      {},
    );
    expect(reset.ok).toBe(false);
    expect(await listUserSessions(db, member.id)).toEqual([]);
  });

  it("mails a suspended member no reset link, with the same answer as for anyone", async () => {
    const admin = await staff("admin");
    const member = await newUser();
    expect((await suspendMember(db, admin, member.id, "Abuse of the forum")).ok).toBe(true);
    const account = deps();
    expect(
      await requestPasswordReset(account, { email: member.email }, { ipAddress: freshIp() }),
    ).toEqual({ ok: true });
    expect(account.sent).toEqual([]);
    expect(await db.$count(schema.authTokens, eq(schema.authTokens.userId, member.id))).toBe(0);
  });

  it("reinstates: the member signs in again, and both steps are in the log", async () => {
    const owner = await staff("owner");
    const member = await newUser();
    expect((await suspendMember(db, owner, member.id, "Investigating a complaint")).ok).toBe(true);
    expect(await reinstateMember(db, owner, member.id, "Complaint was unfounded")).toEqual({
      ok: true,
    });
    const row = await userRow(member.id);
    expect(row?.suspendedAt).toBeNull();
    expect(row?.suspendedReason).toBeNull();
    const signedIn = await signIn(
      deps(),
      { email: member.email, password: PASSWORD },
      { ipAddress: freshIp() },
    );
    expect(signedIn.ok).toBe(true);
    const entries = await listAudit(db, { targetId: member.id });
    expect(entries.map((entry) => entry.action)).toEqual(["user.reinstate", "user.suspend"]);
    expect(entries[0]).toMatchObject({
      before: { suspended: true, reason: "Investigating a complaint" },
      after: { suspended: false, reason: "Complaint was unfounded" },
    });
  });

  it("enforces who may suspend whom against the stored roles, and writes nothing when refused", async () => {
    const admin = await staff("admin");
    const owner = await staff("owner");
    const otherAdmin = await newUser("admin");
    const otherOwner = await newUser("owner");
    const session = await createSession(db, otherAdmin.id);

    expect(await suspendMember(db, admin, otherAdmin.id, "Not allowed")).toEqual({
      ok: false,
      status: 403,
      formError: "Only an owner can suspend an admin.",
    });
    expect(await suspendMember(db, admin, otherOwner.id, "Not allowed")).toMatchObject({
      status: 403,
      formError: "Only an owner can suspend an owner.",
    });
    expect(await suspendMember(db, admin, admin.id, "Not allowed")).toMatchObject({
      status: 403,
      formError: "You cannot suspend yourself.",
    });
    expect(await suspendMember(db, owner, owner.id, "Not allowed")).toMatchObject({
      status: 403,
    });
    // The actor's claimed role is checked: an editor cannot suspend anyone.
    const editor = await newUser("editor");
    const member = await newUser();
    expect(
      await suspendMember(
        db,
        { ...editor, name: editor.email, role: "editor" },
        member.id,
        "No good",
      ),
    ).toMatchObject({ status: 403 });
    // Nothing happened to anyone refused.
    for (const id of [otherAdmin.id, otherOwner.id, admin.id, owner.id, member.id]) {
      expect((await userRow(id))?.suspendedAt).toBeNull();
    }
    expect(await validateSessionToken(db, session.token)).not.toBeNull();
    expect(await listAudit(db, { action: "user.suspend", targetId: otherAdmin.id })).toEqual([]);

    // An owner suspends an admin; an admin cannot reinstate them.
    expect((await suspendMember(db, owner, otherAdmin.id, "Left the company")).ok).toBe(true);
    expect(await validateSessionToken(db, session.token)).toBeNull();
    expect(await reinstateMember(db, admin, otherAdmin.id, "Came back")).toMatchObject({
      status: 403,
      formError: "Only an owner can reinstate an admin.",
    });
    expect((await userRow(otherAdmin.id))?.suspendedAt).not.toBeNull();
  });

  it("requires a reason, refuses a second suspension and reinstating the unsuspended", async () => {
    const admin = await staff("admin");
    const member = await newUser();
    expect(await suspendMember(db, admin, member.id, "  x ")).toEqual({
      ok: false,
      status: 400,
      fieldErrors: { reason: ["Give a reason (at least 3 characters)"] },
    });
    expect(await suspendMember(db, admin, member.id, "a".repeat(501))).toMatchObject({
      fieldErrors: { reason: ["The reason is at most 500 characters"] },
    });
    expect(await suspendMember(db, admin, member.id, "bad\u0000reason")).toMatchObject({
      fieldErrors: { reason: ["The reason contains control characters"] },
    });
    expect(await reinstateMember(db, admin, member.id, "Never suspended")).toMatchObject({
      status: 409,
      formError: "This member is not suspended.",
    });
    expect((await suspendMember(db, admin, member.id, "Spam")).ok).toBe(true);
    expect(await suspendMember(db, admin, member.id, "Spam again")).toMatchObject({
      status: 409,
      formError: "This member is already suspended.",
    });
    expect(await suspendMember(db, admin, randomUUID(), "Nobody")).toMatchObject({
      status: 400,
    });
    expect(await listAudit(db, { action: "user.suspend", targetId: member.id })).toHaveLength(1);
  });
});
