import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, type Role, type Tier } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSession,
  deleteExpiredSessions,
  describeDevice,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  SESSION_MAX_AGE_MS,
  SESSION_RENEW_WITHIN_MS,
  SESSION_TTL_MS,
  validateSessionToken,
} from "./session.ts";
import { generateToken, hashToken } from "./tokens.ts";

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("describeDevice", () => {
  it("names the browser and the operating system", () => {
    const cases: [string | null | undefined, string][] = [
      [FIREFOX_LINUX, "Firefox on Linux"],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome on Windows",
      ],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
        "Edge on Windows",
      ],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
        "Opera on macOS",
      ],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Safari on macOS",
      ],
      [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Safari on iOS",
      ],
      [
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
        "Chrome on Android",
      ],
      [
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome on ChromeOS",
      ],
      ["curl/8.5.0", "curl"],
      ["Mozilla/5.0 (X11; Linux x86_64) SomethingElse/1.0", "Linux"],
      ["TotallyUnknownAgent/1.0", "Unknown device"],
      ["", "Unknown device"],
      [null, "Unknown device"],
      [undefined, "Unknown device"],
    ];
    for (const [ua, expected] of cases) expect(describeDevice(ua), String(ua)).toBe(expected);
  });

  it("only reads the start of a huge header", () => {
    expect(describeDevice(`${"x".repeat(10_000)} Firefox/128.0 Linux`)).toBe("Unknown device");
  });
});

/** Extra tiers, so each source of entitlement can be checked on a tier of its own. */
function testTier(slug: string, rank: number, joinMethod: Tier["joinMethod"]): Tier {
  return {
    slug,
    name: slug,
    rank,
    description: "",
    audience: "",
    joinMethod,
    benefits: [],
    paid: false,
    retiredAt: null,
  };
}

describe.each(testDrivers())("sessions on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    await saveTiers(db, [
      testTier("t-join", 10, "open"),
      testTier("t-left", 11, "open"),
      testTier("t-grant", 12, "invitation"),
      testTier("t-grant-ended", 13, "invitation"),
      testTier("t-grant-revoked", 14, "invitation"),
      testTier("t-grant-future", 15, "invitation"),
      testTier("t-grant-revoking", 16, "invitation"),
      testTier("t-pending", 17, "application"),
      testTier("t-needs-info", 18, "application"),
      testTier("t-approved", 19, "application"),
    ]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newUser(role: Role = "member"): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({ email: `${randomUUID()}@example.org`, passwordHash: "not-a-hash", role })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return user.id;
  }

  async function sessionRow(id: string) {
    const [row] = await db.select().from(schema.sessions).where(eq(schema.sessions.id, id));
    return row;
  }

  it("stores only the hash of the token", async () => {
    const userId = await newUser();
    const { token, session } = await createSession(db, userId, {
      userAgent: FIREFOX_LINUX,
      ipAddress: "203.0.113.9",
    });
    expect(session.id).toBe(hashToken(token));
    const row = await sessionRow(session.id);
    expect(row).toBeDefined();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row?.device).toBe("Firefox on Linux");
    expect(row?.ipAddress).toBe("203.0.113.9");
    if (!row) return;
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(SESSION_TTL_MS);
  });

  it("validates a token to its user and viewer", async () => {
    const userId = await newUser("editor");
    const { token, session } = await createSession(db, userId);
    const result = await validateSessionToken(db, token);
    expect(result).not.toBeNull();
    expect(result?.renewed).toBe(false);
    expect(result?.session.id).toBe(session.id);
    expect(result?.session.expiresAt.getTime()).toBe(session.expiresAt.getTime());
    expect(result?.user).toMatchObject({ id: userId, emailVerified: false, role: "editor" });
    expect(result?.viewer).toEqual({
      kind: "member",
      userId,
      role: "editor",
      tiers: [],
      applications: {},
    });
  });

  it("answers null, without an error, to tampered, unknown and ill-formed tokens", async () => {
    const userId = await newUser();
    const { token, session } = await createSession(db, userId);
    const last = token.at(-1) === "a" ? "b" : "a";
    const tampered = `${token.slice(0, -1)}${last}`;
    const candidates: unknown[] = [
      tampered,
      generateToken(),
      session.id, // the stored hash is not a token
      token.toUpperCase(),
      `${token} `,
      "",
      undefined,
      null,
      12345,
      { token },
    ];
    for (const candidate of candidates) {
      expect(await validateSessionToken(db, candidate), String(candidate)).toBeNull();
    }
    // The real token still works: a failed guess does not harm the session.
    expect(await validateSessionToken(db, token)).not.toBeNull();
  });

  it("refuses and deletes an expired session", async () => {
    const userId = await newUser();
    const created = new Date(Date.now() - 40 * DAY);
    const { token, session } = await createSession(db, userId, {}, created);
    // Just before the end it is valid (and renewed); check on a second session instead.
    const other = await createSession(db, userId, {}, created);
    expect(await validateSessionToken(db, other.token, at(created, SESSION_TTL_MS - 1))).not.toBe(
      null,
    );
    expect(await validateSessionToken(db, token, at(created, SESSION_TTL_MS))).toBeNull();
    expect(await sessionRow(session.id)).toBeUndefined();
  });

  it("slides the expiry only once fewer than 15 days remain", async () => {
    expect(SESSION_RENEW_WITHIN_MS).toBe(15 * DAY);
    const userId = await newUser();
    const created = new Date();
    const { token, session } = await createSession(db, userId, {}, created);
    const originalExpiry = session.expiresAt.getTime();

    for (const days of [10, 14, 15]) {
      const result = await validateSessionToken(db, token, at(created, days * DAY));
      expect(result?.renewed, `${days} days`).toBe(false);
      expect(result?.session.expiresAt.getTime()).toBe(originalExpiry);
    }
    expect((await sessionRow(session.id))?.expiresAt.getTime()).toBe(originalExpiry);

    const now = at(created, 16 * DAY);
    const renewed = await validateSessionToken(db, token, now);
    expect(renewed?.renewed).toBe(true);
    expect(renewed?.session.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    const row = await sessionRow(session.id);
    expect(row?.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    expect(row?.lastUsedAt.getTime()).toBe(now.getTime());
    // Just renewed: the next use does not renew again.
    const next = await validateSessionToken(db, token, at(created, 17 * DAY));
    expect(next?.renewed).toBe(false);

    const second = await createSession(db, userId, {}, created);
    const later = at(created, 20 * DAY);
    const result = await validateSessionToken(db, second.token, later);
    expect(result?.renewed).toBe(true);
    expect(result?.session.expiresAt.getTime()).toBe(later.getTime() + SESSION_TTL_MS);
    // A renewed session outlives its first expiry.
    const beyond = at(created, SESSION_TTL_MS + DAY);
    expect(await validateSessionToken(db, second.token, beyond)).not.toBeNull();
  });

  it("ends a session 90 days after sign-in, however often it was used", async () => {
    expect(SESSION_MAX_AGE_MS).toBe(90 * DAY);
    const userId = await newUser();
    const created = new Date(Date.now() - 100 * DAY);
    const { token, session } = await createSession(db, userId, {}, created);
    // Used every 20 days, it slides, but never past day 90.
    for (const days of [20, 40, 60, 80]) {
      const result = await validateSessionToken(db, token, at(created, days * DAY));
      expect(result, `day ${days}`).not.toBeNull();
      expect(result?.session.expiresAt.getTime()).toBeLessThanOrEqual(
        created.getTime() + SESSION_MAX_AGE_MS,
      );
    }
    expect(await validateSessionToken(db, token, at(created, 89 * DAY))).not.toBeNull();
    expect(await validateSessionToken(db, token, at(created, SESSION_MAX_AGE_MS))).toBeNull();
    expect(await sessionRow(session.id)).toBeUndefined();
  });

  it("writes last_used_at at most every five minutes", async () => {
    const userId = await newUser();
    const created = new Date();
    const { token, session } = await createSession(db, userId, {}, created);
    await validateSessionToken(db, token, at(created, MINUTE));
    expect((await sessionRow(session.id))?.lastUsedAt.getTime()).toBe(created.getTime());
    await validateSessionToken(db, token, at(created, 6 * MINUTE));
    expect((await sessionRow(session.id))?.lastUsedAt.getTime()).toBe(
      at(created, 6 * MINUTE).getTime(),
    );
  });

  it("starts a new session for every sign-in", async () => {
    const userId = await newUser();
    const first = await createSession(db, userId);
    const second = await createSession(db, userId);
    expect(first.token).not.toBe(second.token);
    expect(first.session.id).not.toBe(second.session.id);
    expect((await validateSessionToken(db, first.token))?.session.id).toBe(first.session.id);
    expect((await validateSessionToken(db, second.token))?.session.id).toBe(second.session.id);
  });

  it("ends one session, all of a user's, or all but one", async () => {
    const userId = await newUser();
    const bystander = await newUser();
    const theirs = await createSession(db, bystander);
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => createSession(db, userId)));
    if (!a || !b || !c || !d) throw new Error("no sessions");

    await invalidateSession(db, a.session.id);
    expect(await validateSessionToken(db, a.token)).toBeNull();

    expect(await invalidateUserSessions(db, userId, b.session.id)).toBe(2);
    expect(await validateSessionToken(db, b.token)).not.toBeNull();
    expect(await validateSessionToken(db, c.token)).toBeNull();
    expect(await validateSessionToken(db, d.token)).toBeNull();

    expect(await invalidateUserSessions(db, userId)).toBe(1);
    expect(await validateSessionToken(db, b.token)).toBeNull();
    expect(await invalidateUserSessions(db, userId)).toBe(0);
    // Another user's session is untouched.
    expect(await validateSessionToken(db, theirs.token)).not.toBeNull();
  });

  it("lists live sessions, most recently used first", async () => {
    const userId = await newUser();
    const now = Date.now();
    const old = await createSession(db, userId, { userAgent: "curl/8.0" }, new Date(now - 3 * DAY));
    const recent = await createSession(
      db,
      userId,
      { userAgent: FIREFOX_LINUX },
      new Date(now - DAY),
    );
    const middle = await createSession(db, userId, {}, new Date(now - 2 * DAY));
    const expired = await createSession(db, userId, {}, new Date(now - 31 * DAY));
    const list = await listUserSessions(db, userId);
    expect(list.map((s) => s.id)).toEqual([recent.session.id, middle.session.id, old.session.id]);
    expect(list[0]?.device).toBe("Firefox on Linux");
    expect(list.map((s) => s.id)).not.toContain(expired.session.id);

    expect(await deleteExpiredSessions(db)).toBeGreaterThanOrEqual(1);
    expect(await sessionRow(expired.session.id)).toBeUndefined();
    expect(await sessionRow(old.session.id)).toBeDefined();
  });

  it("gives the viewer the tiers of its joins, approvals and grants, and its latest applications", async () => {
    const userId = await newUser();
    const reviewer = await newUser("admin");
    const now = Date.now();
    const d = (days: number) => new Date(now + days * DAY);

    await db.insert(schema.tierJoins).values([
      { userId, tierSlug: "t-join", joinedAt: d(-5) },
      { userId, tierSlug: "t-left", joinedAt: d(-5), leftAt: d(-1) },
    ]);
    await db.insert(schema.tierGrants).values([
      { userId, tierSlug: "t-grant", startsAt: d(-1), endsAt: d(7), reason: "active" },
      { userId, tierSlug: "t-grant-ended", startsAt: d(-10), endsAt: d(-1), reason: "ended" },
      {
        userId,
        tierSlug: "t-grant-revoked",
        startsAt: d(-3),
        endsAt: d(30),
        revokedAt: d(-1),
        reason: "revoked",
      },
      { userId, tierSlug: "t-grant-future", startsAt: d(1), endsAt: d(10), reason: "future" },
      { userId, tierSlug: "t-grant-revoking", startsAt: d(-1), revokedAt: d(1), reason: "open" },
    ]);
    const application = {
      userId,
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
      statement: "We hold address space and would like to join.",
    };
    await db.insert(schema.applications).values([
      {
        ...application,
        tierSlug: LEADERSHIP_ALLIANCE,
        status: "approved",
        submittedAt: d(-4),
        decidedAt: d(-2),
        reviewerId: reviewer,
      },
      // Approval is access only where the tier is not paid (a paid one's is the way to pay).
      {
        ...application,
        tierSlug: "t-approved",
        status: "approved",
        submittedAt: d(-4),
        decidedAt: d(-2),
        reviewerId: reviewer,
      },
      // Older decisions are overruled by the latest application of each tier.
      { ...application, tierSlug: "t-pending", status: "rejected", submittedAt: d(-9) },
      { ...application, tierSlug: "t-pending", status: "pending", submittedAt: d(-1) },
      { ...application, tierSlug: "t-needs-info", status: "needs-info", submittedAt: d(-2) },
      { ...application, tierSlug: "t-needs-info", status: "rejected", submittedAt: d(-8) },
    ]);

    const { token } = await createSession(db, userId, {}, new Date(now));
    const today = await validateSessionToken(db, token, new Date(now));
    expect(today?.viewer).toEqual({
      kind: "member",
      userId,
      role: "member",
      tiers: ["t-approved", "t-grant", "t-grant-revoking", "t-join"].sort(),
      applications: {
        [LEADERSHIP_ALLIANCE]: "approved",
        "t-approved": "approved",
        "t-pending": "pending",
        "t-needs-info": "needs-info",
      },
    });

    // Two days on: the future grant has started, the one revoked tomorrow has ended.
    const later = await validateSessionToken(db, token, d(2));
    expect(later?.viewer.kind === "member" && later.viewer.tiers).toEqual(
      ["t-approved", "t-grant", "t-grant-future", "t-join"].sort(),
    );
    // After the active grant's end date it no longer counts either.
    const afterEnd = await validateSessionToken(db, token, d(8));
    expect(afterEnd?.viewer.kind === "member" && afterEnd.viewer.tiers).toEqual(
      ["t-approved", "t-grant-future", "t-join"].sort(),
    );
  });
});
