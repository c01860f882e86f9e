import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, type Role, type Tier } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import {
  InvalidCursorError,
  listMembersForExport,
  type MemberFilters,
  saveTiers,
} from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchMembers, searchMembersPage } from "./membership.ts";

// The admin's member list: filters (e-mail, tier held now, status, role, signup dates),
// combined, keyset pages, the count, and the CSV export taking the same filters.

const DAY = 24 * 60 * 60 * 1000;
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

describe.each(testDrivers())("member search on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  const tag = randomUUID().slice(0, 8);
  const ids: Record<string, string> = {};

  async function newUser(
    name: string,
    options: {
      role?: Role;
      verified?: boolean;
      suspended?: boolean;
      createdAt?: Date | string;
    } = {},
  ): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({
        email: `${name}.${tag}@example.org`,
        passwordHash: "not-a-hash",
        role: options.role ?? "member",
        emailVerifiedAt: options.verified === false ? null : new Date(),
        suspendedAt: options.suspended ? new Date() : null,
        suspendedReason: options.suspended ? "Spam" : null,
        // Through SQL, so a timestamp can carry microseconds (a Date cannot).
        ...(options.createdAt
          ? {
              createdAt: sql`${
                options.createdAt instanceof Date
                  ? options.createdAt.toISOString()
                  : options.createdAt
              }::timestamptz`,
            }
          : {}),
      })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    ids[name] = user.id;
    return user.id;
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, [...DEFAULT_TIERS, RETIRED]);
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY);
    // Who holds what now, and by which route.
    const joined = await newUser("joined", { createdAt: at(50) });
    await db.insert(schema.tierJoins).values({ userId: joined, tierSlug: "strategic-circle" });
    const left = await newUser("left", { createdAt: at(40) });
    await db.insert(schema.tierJoins).values({
      userId: left,
      tierSlug: "strategic-circle",
      joinedAt: at(30),
      leftAt: at(1),
    });
    const approved = await newUser("approved", { createdAt: at(30) });
    await db.insert(schema.applications).values({
      userId: approved,
      tierSlug: "leadership-alliance",
      status: "approved",
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: [], prefixes: [], handles: [] },
      statement: "We run a network.",
      decidedAt: at(2),
    });
    // A paid tier: held by the subscription Stripe's webhook stored after the approval.
    await db.insert(schema.subscriptions).values({
      id: `sub_search_${now}`,
      userId: approved,
      tierSlug: "leadership-alliance",
      status: "active",
      interval: "year",
      priceId: "price_year",
      currentPeriodStart: at(2),
      currentPeriodEnd: at(-363),
      amount: 49_000,
      currency: "usd",
      createdAt: at(2),
    });
    const granted = await newUser("granted", { createdAt: at(20), suspended: true });
    await db.insert(schema.tierGrants).values({
      userId: granted,
      tierSlug: "leadership-alliance",
      endsAt: at(-30),
      reason: "Speaker",
    });
    const expired = await newUser("expired", { createdAt: at(10), role: "editor" });
    await db.insert(schema.tierGrants).values({
      userId: expired,
      tierSlug: "leadership-alliance",
      startsAt: at(9),
      endsAt: at(5),
      reason: "Trial",
    });
    const revoked = await newUser("revoked", { createdAt: at(5), verified: false });
    await db.insert(schema.tierGrants).values({
      userId: revoked,
      tierSlug: "old-circle",
      endsAt: at(-30),
      reason: "Trial",
      revokedAt: at(1),
    });
    const oldTier = await newUser("retired-tier", { createdAt: at(3), role: "admin" });
    await db.insert(schema.tierGrants).values({
      userId: oldTier,
      tierSlug: "old-circle",
      endsAt: at(-30),
      reason: "Kept after retirement",
    });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function names(filters: MemberFilters): Promise<string[]> {
    const rows = await searchMembers(db, { query: tag, ...filters }, 100);
    const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return rows.map((row) => byId[row.id] ?? row.email);
  }

  it("lists every match newest first, with the tiers each holds now", async () => {
    expect(await names({})).toEqual([
      "retired-tier",
      "revoked",
      "expired",
      "granted",
      "approved",
      "left",
      "joined",
    ]);
    const rows = await searchMembers(db, tag, 100);
    const tiersOf = (name: string) => rows.find((row) => row.id === ids[name])?.tiers;
    expect(tiersOf("joined")).toEqual(["strategic-circle"]);
    expect(tiersOf("approved")).toEqual(["leadership-alliance"]);
    expect(tiersOf("granted")).toEqual(["leadership-alliance"]);
    expect(tiersOf("expired")).toEqual([]);
    expect(tiersOf("revoked")).toEqual([]);
    expect(tiersOf("left")).toEqual([]);
    expect(tiersOf("retired-tier")).toEqual(["old-circle"]);
    expect(rows.find((row) => row.id === ids.granted)?.suspendedAt).toBeInstanceOf(Date);
  });

  it("filters by the tier held now, by any route, or by holding none", async () => {
    expect(await names({ tier: "strategic-circle" })).toEqual(["joined"]);
    expect(await names({ tier: "leadership-alliance" })).toEqual(["granted", "approved"]);
    // A retired tier still filters: its holders keep it.
    expect(await names({ tier: "old-circle" })).toEqual(["retired-tier"]);
    expect(await names({ tier: "none" })).toEqual(["revoked", "expired", "left"]);
    expect(await names({ tier: "no-such-tier" })).toEqual([]);
  });

  it("filters by status and by role", async () => {
    expect(await names({ status: "suspended" })).toEqual(["granted"]);
    expect(await names({ status: "unverified" })).toEqual(["revoked"]);
    expect(await names({ status: "active" })).toEqual([
      "retired-tier",
      "expired",
      "approved",
      "left",
      "joined",
    ]);
    expect(await names({ role: "editor" })).toEqual(["expired"]);
    expect(await names({ role: "admin" })).toEqual(["retired-tier"]);
    expect(await names({ role: "owner" })).toEqual([]);
  });

  it("filters by signup dates (from inclusive, before exclusive) and combines every filter", async () => {
    const now = Date.now();
    expect(
      await names({
        signedUpFrom: new Date(now - 31 * DAY),
        signedUpBefore: new Date(now - 9 * DAY),
      }),
    ).toEqual(["expired", "granted", "approved"]);
    expect(await names({ signedUpFrom: new Date(now - 4 * DAY) })).toEqual(["retired-tier"]);
    expect(await names({ signedUpBefore: new Date(now - 45 * DAY) })).toEqual(["joined"]);
    expect(
      await names({
        tier: "leadership-alliance",
        status: "active",
        signedUpFrom: new Date(now - 60 * DAY),
      }),
    ).toEqual(["approved"]);
    expect(await names({ tier: "none", role: "editor", query: `expired.${tag}` })).toEqual([
      "expired",
    ]);
    expect(await names({ tier: "none", role: "editor", query: `left.${tag}` })).toEqual([]);
  });

  it("pages by keyset through rows made in the same millisecond, each once, and counts them", async () => {
    const batch = `batch-${tag}`;
    // Seven accounts 1 µs apart, all in one millisecond: a cursor of milliseconds must not
    // skip or repeat any of them.
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(
        await newUser(`${batch}-${i}`, { createdAt: `2023-05-05T10:00:00.123${400 + i}Z` }),
      );
    }
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await searchMembersPage(db, { query: batch, ...(after ? { after } : {}) }, 3);
      expect(page.total).toBe(7);
      seen.push(...page.members.map((member) => member.id));
      pages += 1;
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(made));
    // Same millisecond: ordered by id, descending.
    expect(seen).toEqual([...made].sort().reverse());

    const filtered = await searchMembersPage(
      db,
      { query: tag, tier: "none", signedUpFrom: new Date(Date.now() - 100 * DAY) },
      2,
    );
    expect(filtered.total).toBe(3);
    expect(filtered.members).toHaveLength(2);
    expect(filtered.nextCursor).not.toBeNull();
  });

  it("refuses a tampered cursor with InvalidCursorError", async () => {
    await expect(searchMembers(db, { after: "garbage" })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    const forged = Buffer.from(JSON.stringify(["not a date", randomUUID()])).toString("base64url");
    await expect(searchMembers(db, { after: forged })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("matches the e-mail text literally, never as a pattern", async () => {
    expect(await searchMembers(db, `%${tag}`)).toEqual([]);
    expect(await searchMembers(db, "_")).toEqual([]);
  });

  it("exports exactly the members the same filters list", async () => {
    const filters: MemberFilters = { query: tag, tier: "leadership-alliance" };
    const exported = await listMembersForExport(db, filters);
    expect(exported.map((row) => row.id).sort()).toEqual([ids.approved, ids.granted].sort());
    const everyone = await listMembersForExport(db);
    expect(everyone.length).toBeGreaterThanOrEqual(14);
  });
});
