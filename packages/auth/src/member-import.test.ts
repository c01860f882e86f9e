import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, type Tier } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { listAudit, saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountDeps,
  INVITATION_LIFETIME_MS,
  requestPasswordReset,
  resetPassword,
  sendInvitation,
  signIn,
} from "./accounts.ts";
import {
  applyImport,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  ImportFileError,
  parseImportFile,
  planImport,
} from "./member-import.ts";
import { NO_PASSWORD_HASH, verifyPassword } from "./password.ts";
import { createAuthRateLimits } from "./rate-limit.ts";

const ADMIN = { id: null, name: "test admin", ipAddress: "192.0.2.1" };
const NEXT_YEAR = `${new Date().getUTCFullYear() + 1}-06-30`;
const LATER_YEAR = `${new Date().getUTCFullYear() + 2}-06-30`;
const RETIRED: Tier = {
  slug: "old-circle",
  name: "Old Circle",
  rank: 3,
  description: "",
  audience: "",
  joinMethod: "open",
  benefits: [],
  paid: false,
  retiredAt: new Date("2024-01-01T00:00:00Z"),
};

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("no ImportFileError thrown");
}

describe("parseImportFile", () => {
  it("reads the header in any order and case, skips blank rows, numbers rows as in the file", () => {
    const records = parseImportFile(
      "\ufeffNote, EMAIL ,tier,grant_ends\r\n" +
        "hello,a@example.org,,\r\n" +
        "\r\n" +
        ",,,\r\n" +
        '"two\nlines",b@example.org,strategic-circle,2030-01-01\r\n' +
        "c@example.org-not-in-email,c@example.org,,\r\n",
    );
    expect(records).toEqual([
      {
        row: 2,
        cells: { email: "a@example.org", tier: "", grant_ends: "", note: "hello" },
        extraCells: 0,
      },
      {
        row: 5,
        cells: {
          email: "b@example.org",
          tier: "strategic-circle",
          grant_ends: "2030-01-01",
          note: "two\nlines",
        },
        extraCells: 0,
      },
      {
        row: 7,
        cells: {
          email: "c@example.org",
          tier: "",
          grant_ends: "",
          note: "c@example.org-not-in-email",
        },
        extraCells: 0,
      },
    ]);
  });

  it("takes a file with only the email column, and counts cells beyond the header", () => {
    const records = parseImportFile(
      new TextEncoder().encode("email\na@example.org\nb@x.org,extra,\n"),
    );
    expect(records.map((record) => [record.row, record.cells.email, record.extraCells])).toEqual([
      [2, "a@example.org", 0],
      [3, "b@x.org", 1],
    ]);
  });

  it("refuses files it cannot use, saying why", () => {
    expect(fileError(() => parseImportFile("")).message).toMatch(/empty/);
    expect(fileError(() => parseImportFile("email\r\n\r\n")).message).toMatch(/no rows/);
    expect(fileError(() => parseImportFile("mail,tier\na@b.org,x\n")).message).toBe(
      "Unknown column “mail”: the columns are email, tier, grant_ends, note.",
    );
    expect(fileError(() => parseImportFile("tier,note\nx,y\n")).message).toMatch(
      /no “email” column/,
    );
    expect(fileError(() => parseImportFile("email,Email\na,b\n")).message).toMatch(
      /“email” appears twice/,
    );
    expect(fileError(() => parseImportFile('email\n"a@b.org\n')).message).toMatch(/not valid CSV/);
    expect(
      fileError(() =>
        parseImportFile(new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xff, 0xfe])),
      ).message,
    ).toMatch(/not UTF-8/);
  });

  it("refuses a file over the size limit with 413 and one over the row limit with 400", () => {
    const big = `email,note\n${"a@example.org,".padEnd(200, "x")}\n`.repeat(
      Math.ceil(IMPORT_MAX_BYTES / 200) + 10,
    );
    const tooBig = fileError(() => parseImportFile(big));
    expect(tooBig.status).toBe(413);
    expect(tooBig.message).toMatch(/larger than 1 MB/);
    const rows = Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `m${i}@example.org`);
    const tooMany = fileError(() => parseImportFile(`email\n${rows.join("\n")}\n`));
    expect(tooMany.status).toBe(400);
    expect(tooMany.message).toMatch(/5001 rows; at most 5000/);
    expect(parseImportFile(`email\n${rows.slice(1).join("\n")}\n`)).toHaveLength(IMPORT_MAX_ROWS);
  });
});

describe.each(testDrivers())("member import on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, [...DEFAULT_TIERS, RETIRED]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const fresh = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;

  async function existingUser(email: string): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({ email, passwordHash: "not-a-hash", emailVerifiedAt: new Date() })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return user.id;
  }

  /** How many rows each table the import writes to holds. */
  async function tableCounts() {
    const [users] = await db.select({ n: count() }).from(schema.users);
    const [grants] = await db.select({ n: count() }).from(schema.tierGrants);
    const [audit] = await db.select({ n: count() }).from(schema.auditLog);
    return { users: users?.n, grants: grants?.n, audit: audit?.n };
  }

  async function usersByEmail(emails: string[]) {
    return db.select().from(schema.users).where(inArray(schema.users.email, emails));
  }

  it("previews every row (create, grant, skip, error with row and column) and writes nothing", async () => {
    const newcomer = fresh("new");
    const withTier = fresh("tiered");
    const known = fresh("known");
    const knownWithTier = fresh("known-tiered");
    await existingUser(known);
    await existingUser(knownWithTier);
    const file = [
      "email,tier,grant_ends,note",
      `${newcomer},,,`,
      `${withTier.toUpperCase()},leadership-alliance,${NEXT_YEAR},Speaker at our summit`,
      `${known},,,`,
      `${knownWithTier},strategic-circle,${NEXT_YEAR},`,
      "not an address,,,",
      `${fresh("x")},platinum,${NEXT_YEAR},`,
      `${fresh("x")},old-circle,${NEXT_YEAR},`,
      `${fresh("x")},strategic-circle,${NEXT_YEAR.slice(0, 5)}02-30,`,
      `${fresh("x")},strategic-circle,2001-01-01,`,
      `${fresh("x")},strategic-circle,,`,
      `${fresh("x")},,${NEXT_YEAR},`,
      ` ${newcomer.toUpperCase()} ,,,`,
      `${fresh("x")},,,${"n".repeat(401)}`,
      `${fresh("x")},,,,surplus`,
    ].join("\n");
    const before = await tableCounts();
    const plan = await planImport(db, file);
    expect(await tableCounts()).toEqual(before);

    const summary = plan.rows.map((row) => [
      row.row,
      row.action,
      row.problems.map((problem) => problem.column),
    ]);
    expect(summary).toEqual([
      [2, "create", []],
      [3, "create", []],
      [4, "skip", []],
      [5, "grant", []],
      [6, "error", ["email"]],
      [7, "error", ["tier"]],
      [8, "error", ["tier"]],
      [9, "error", ["grant_ends"]],
      [10, "error", ["grant_ends"]],
      [11, "error", ["grant_ends"]],
      [12, "error", ["grant_ends"]],
      [13, "error", ["email"]],
      [14, "error", ["note"]],
      [15, "error", [null]],
    ]);
    expect(plan.counts).toEqual({ create: 2, grant: 1, skip: 1, error: 10 });
    const message = (row: number) => plan.rows.find((r) => r.row === row)?.problems[0]?.message;
    expect(plan.rows[1]).toMatchObject({
      email: withTier,
      tierSlug: "leadership-alliance",
      grantEndsAt: new Date(`${NEXT_YEAR}T00:00:00.000Z`),
      note: "Speaker at our summit",
    });
    expect(message(7)).toMatch(/^There is no tier “platinum”; the tiers are .*strategic-circle/);
    expect(message(8)).toBe("Old Circle is retired: nothing can be granted");
    expect(message(9)).toMatch(/is not a date in the calendar/);
    expect(message(10)).toBe("The end date must be in the future");
    expect(message(11)).toMatch(/needed with a tier/);
    expect(message(12)).toBe("An end date needs a tier to grant");
    expect(message(13)).toBe("The same address as row 2");
    expect(message(14)).toMatch(/at most 400 characters \(this one has 401\)/);
    expect(message(15)).toBe("The row has a cell beyond the header's columns");
  });

  it("applies exactly what the preview said, in the audit log too; new accounts have no usable password", async () => {
    const newcomer = fresh("new");
    const withTier = fresh("tiered");
    const known = fresh("known");
    const knownId = await existingUser(known);
    const file = [
      "email,tier,grant_ends,note",
      `${newcomer},,,`,
      `${withTier},leadership-alliance,${NEXT_YEAR},Speaker`,
      `${known},strategic-circle,${NEXT_YEAR},`,
      `${known.replace("@", "+bad@@")},,,`,
    ].join("\n");
    const plan = await planImport(db, file);
    const before = await tableCounts();
    const report = await applyImport(db, ADMIN, file);

    const expected = { create: "created", grant: "granted", skip: "skipped", error: "failed" };
    expect(report.rows.map((row) => [row.row, row.email, row.outcome])).toEqual(
      plan.rows.map((row) => [row.row, row.email, expected[row.action]]),
    );
    expect(report.counts).toEqual({ created: 2, granted: 1, skipped: 0, failed: 1 });
    expect(report.rows[3]?.detail).toMatch(/^email: /);
    expect(await tableCounts()).toEqual({
      users: (before.users ?? 0) + 2,
      grants: (before.grants ?? 0) + 2,
      // One user.import per new account, one grant.create per grant.
      audit: (before.audit ?? 0) + 4,
    });

    const created = await usersByEmail([newcomer, withTier]);
    expect(created).toHaveLength(2);
    for (const user of created) {
      expect(user.passwordHash).toBe(NO_PASSWORD_HASH);
      expect(user.emailVerifiedAt).toBeNull();
      expect(user.role).toBe("member");
      const [entry] = await listAudit(db, { action: "user.import", targetId: user.id });
      expect(entry).toMatchObject({ actor: "test admin", after: { email: user.email } });
    }
    const tiered = created.find((user) => user.email === withTier);
    const grants = await db
      .select()
      .from(schema.tierGrants)
      .where(inArray(schema.tierGrants.userId, [tiered?.id ?? "", knownId]));
    expect(
      grants.map((grant) => [grant.userId, grant.tierSlug, grant.reason, grant.endsAt]).sort(),
    ).toEqual(
      [
        [
          tiered?.id,
          "leadership-alliance",
          "Imported from CSV: Speaker",
          new Date(`${NEXT_YEAR}T00:00:00.000Z`),
        ],
        [knownId, "strategic-circle", "Imported from CSV", new Date(`${NEXT_YEAR}T00:00:00.000Z`)],
      ].sort(),
    );
    expect(await listAudit(db, { action: "grant.create", targetId: knownId })).toHaveLength(1);
  });

  it("an imported member cannot sign in until they set a password through the reset link", async () => {
    const email = fresh("invitee");
    await applyImport(db, ADMIN, `email\n${email}\n`);
    expect(await verifyPassword(NO_PASSWORD_HASH, "")).toBe(false);
    expect(await verifyPassword(NO_PASSWORD_HASH, NO_PASSWORD_HASH)).toBe(false);
    const sent: { to: string; subject: string; text: string }[] = [];
    const deps: AccountDeps = {
      db,
      mailer: {
        async send(message) {
          sent.push(message);
        },
      },
      limits: createAuthRateLimits(db),
      appUrl: "https://briefings.example",
    };
    for (const password of ["", NO_PASSWORD_HASH, "violet tractor umbrella sings"]) {
      const attempt = await signIn(deps, { email, password }, { ipAddress: "198.51.100.9" });
      expect(attempt).toMatchObject({ ok: false, status: 401 });
    }
    await requestPasswordReset(deps, { email }, { ipAddress: "198.51.100.9" });
    const token = /reset-password\?token=([a-z2-7]{32})/.exec(sent.at(-1)?.text ?? "")?.[1];
    const reset = await resetPassword(deps, { token, password: "orange kettle mountain hums" }, {});
    expect(reset.ok).toBe(true);
    const [user] = await usersByEmail([email]);
    expect(user?.emailVerifiedAt).not.toBeNull();
    const signedIn = await signIn(
      deps,
      { email, password: "orange kettle mountain hums" },
      { ipAddress: "198.51.100.10" },
    );
    expect(signedIn.ok).toBe(true);
  });

  it("invites each new account by mail, with a week-long link that sets the password", async () => {
    const newcomer = fresh("invited");
    const holder = fresh("holder");
    await existingUser(holder);
    const sent: { to: string; subject: string; text: string }[] = [];
    const deps: AccountDeps = {
      db,
      mailer: {
        async send(message) {
          sent.push(message);
        },
      },
      limits: createAuthRateLimits(db),
      appUrl: "https://briefings.example",
    };
    const report = await applyImport(
      db,
      ADMIN,
      `email,tier,grant_ends\n${newcomer},strategic-circle,${NEXT_YEAR}\n${holder},strategic-circle,${NEXT_YEAR}\n`,
      new Date(),
      { invite: (userId, email) => sendInvitation(deps, userId, email) },
    );
    expect(report.rows.map((row) => [row.outcome, row.detail.endsWith("invitation sent")])).toEqual(
      [
        ["created", true],
        ["granted", false],
      ],
    );
    // Only the new account is mailed.
    expect(sent.map((mail) => mail.to)).toEqual([newcomer]);
    expect(sent[0]?.subject).toBe("Your Briefings account is ready");
    const [user] = await usersByEmail([newcomer]);
    const [token] = await db
      .select({ expiresAt: schema.authTokens.expiresAt })
      .from(schema.authTokens)
      .where(eq(schema.authTokens.userId, user?.id ?? ""));
    const lifetime = (token?.expiresAt.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(INVITATION_LIFETIME_MS - 60_000);
    expect(lifetime).toBeLessThanOrEqual(INVITATION_LIFETIME_MS);
    const link = /reset-password\?token=([a-z2-7]{32})/.exec(sent[0]?.text ?? "")?.[1];
    const reset = await resetPassword(
      deps,
      { token: link, password: "orange kettle mountain hums" },
      {},
    );
    expect(reset.ok).toBe(true);
    // A mailer that fails leaves the account standing, and the report says so.
    const unlucky = fresh("unlucky");
    const failing = await applyImport(db, ADMIN, `email\n${unlucky}\n`, new Date(), {
      invite: async () => {
        throw new Error("SMTP down");
      },
    });
    expect(failing.rows[0]).toMatchObject({
      outcome: "created",
      detail: "New account; the invitation could not be sent",
    });
  });

  it("running the same file twice creates nothing new the second time", async () => {
    const file = [
      "email,tier,grant_ends,note",
      `${fresh("twice")},strategic-circle,${NEXT_YEAR},Partner`,
      `${fresh("twice")},,,`,
      `${fresh("twice")},leadership-alliance,${LATER_YEAR},`,
    ].join("\r\n");
    const first = await applyImport(db, ADMIN, file);
    expect(first.counts).toEqual({ created: 3, granted: 0, skipped: 0, failed: 0 });
    const afterFirst = await tableCounts();
    const preview = await planImport(db, file);
    expect(preview.counts).toEqual({ create: 0, grant: 0, skip: 3, error: 0 });
    const second = await applyImport(db, ADMIN, file);
    expect(second.counts).toEqual({ created: 0, granted: 0, skipped: 3, failed: 0 });
    expect(second.rows[0]?.detail).toMatch(/already holds a grant of Strategic Circle/);
    expect(await tableCounts()).toEqual(afterFirst);
  });

  it("a longer grant for an existing holder is added; a shorter one is skipped", async () => {
    const email = fresh("extend");
    await applyImport(db, ADMIN, `email,tier,grant_ends\n${email},strategic-circle,${NEXT_YEAR}\n`);
    const shorter = await planImport(
      db,
      `email,tier,grant_ends\n${email},strategic-circle,${NEXT_YEAR.slice(0, 5)}01-01\n`,
    );
    expect(shorter.rows[0]?.action).toBe("skip");
    const longer = await applyImport(
      db,
      ADMIN,
      `email,tier,grant_ends\n${email},strategic-circle,${LATER_YEAR}\n`,
    );
    expect(longer.rows[0]).toMatchObject({ outcome: "granted" });
  });

  it("treats formula-like cells as text or refuses them; none is ever run", async () => {
    const noted = fresh("noted");
    const file = [
      "email,tier,grant_ends,note",
      '"=HYPERLINK(""http://evil.example"",""x"")",,,',
      `@SUM(1+1)@example.org,,,`,
      `${fresh("x")},=cmd|' /C calc'!A0,${NEXT_YEAR},`,
      `${noted},strategic-circle,${NEXT_YEAR},=1+2`,
    ].join("\n");
    const plan = await planImport(db, file);
    expect(plan.rows.map((row) => [row.action, row.problems[0]?.column ?? null])).toEqual([
      ["error", "email"],
      ["error", "email"],
      ["error", "tier"],
      ["create", null],
    ]);
    expect(plan.rows[0]?.problems[0]?.message).toMatch(/spreadsheet formula/);
    await applyImport(db, ADMIN, file);
    const [user] = await usersByEmail([noted]);
    const [grant] = await db
      .select()
      .from(schema.tierGrants)
      .where(eq(schema.tierGrants.userId, user?.id ?? ""));
    // Kept as the text it was: shown escaped on pages, defused by csvCell in any export.
    expect(grant?.reason).toBe("Imported from CSV: =1+2");
    expect(await usersByEmail(['=hyperlink("http://evil.example","x")'])).toEqual([]);
  });

  it("a row refused inside its transaction leaves nothing of itself; the other rows stand", async () => {
    const doomed = fresh("doomed");
    const fine = fresh("fine");
    const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    // Planned a week ago, the end date was still ahead; grantTier, checking against the
    // clock, refuses it after the account was inserted in the same transaction.
    const weekAgo = new Date(Date.now() - 7 * 24 * 60 * 60 * 1000);
    const file = `email,tier,grant_ends\n${doomed},strategic-circle,${yesterday}\n${fine},,\n`;
    const before = await tableCounts();
    const report = await applyImport(db, ADMIN, file, weekAgo);
    expect(report.rows.map((row) => row.outcome)).toEqual(["failed", "created"]);
    expect(report.rows[0]?.detail).toBe("The end date must be in the future");
    expect((await usersByEmail([doomed, fine])).map((user) => user.email)).toEqual([fine]);
    const after = await tableCounts();
    expect(after).toEqual({
      users: (before.users ?? 0) + 1,
      grants: before.grants,
      audit: (before.audit ?? 0) + 1,
    });
  });

  it("the import checks the file again: a tier retired since the preview fails its row", async () => {
    const doomed = fresh("doomed");
    const fine = fresh("fine");
    await saveTiers(db, [
      ...DEFAULT_TIERS,
      RETIRED,
      { ...RETIRED, slug: "closing-soon", name: "Closing Soon", rank: 4, retiredAt: null },
    ]);
    const file = `email,tier,grant_ends\n${doomed},closing-soon,${NEXT_YEAR}\n${fine},,\n`;
    expect((await planImport(db, file)).counts).toEqual({ create: 2, grant: 0, skip: 0, error: 0 });
    // The tier retires between the preview and the import: the import plans again.
    await db
      .update(schema.tiers)
      .set({ retiredAt: new Date() })
      .where(eq(schema.tiers.slug, "closing-soon"));
    const report = await applyImport(db, ADMIN, file);
    expect(report.rows.map((row) => row.outcome)).toEqual(["failed", "created"]);
    expect(report.rows[0]?.detail).toBe("tier: Closing Soon is retired: nothing can be granted");
    expect((await usersByEmail([doomed, fine])).map((user) => user.email)).toEqual([fine]);
  });
});
