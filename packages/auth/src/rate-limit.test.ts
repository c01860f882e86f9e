import { randomUUID } from "node:crypto";
import type { Db } from "@briefings/db/client";
import { rateLimits } from "@briefings/db/schema";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq, like, sql } from "drizzle-orm";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH_LIMIT_NAMES,
  AUTH_RATE_LIMITS,
  clearExpiredRateLimits,
  createAuthRateLimits,
  normaliseAccountKey,
  normaliseIpKey,
  RateLimiterDb,
  rateLimitEnvName,
  rateLimitOverridesFromEnv,
} from "./rate-limit.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh prefix per test: the file's tests share one database. */
const freshPrefix = () => `test:${randomUUID()}`;

describe("key normalisation", () => {
  it("cuts IPv6 to its /64, unmaps IPv4 and keeps IPv4", () => {
    expect(normaliseIpKey("203.0.113.7")).toBe("203.0.113.7");
    expect(normaliseIpKey(" ::ffff:203.0.113.7 ")).toBe("203.0.113.7");
    expect(normaliseIpKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normaliseIpKey("2001:DB8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(normaliseIpKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(normaliseIpKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(normaliseIpKey("::1")).toBe("0:0:0:0::/64");
    expect(normaliseIpKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
    expect(normaliseIpKey("unknown")).toBe("unknown");
  });

  it("lower-cases and trims e-mail keys", () => {
    expect(normaliseAccountKey("  Ada@Example.ORG ")).toBe("ada@example.org");
  });
});

describe("overrides from the environment", () => {
  it("reads points/seconds per limit and rejects typos", () => {
    expect(rateLimitEnvName("signInPerIp")).toBe("RATE_LIMIT_SIGN_IN_PER_IP");
    expect(
      rateLimitOverridesFromEnv({
        RATE_LIMIT_SIGN_IN_PER_IP: "100/60",
        RATE_LIMIT_RESET_PER_ACCOUNT: "7",
      }),
    ).toEqual({ signInPerIp: { points: 100, duration: 60 }, resetPerAccount: { points: 7 } });
    expect(() => rateLimitOverridesFromEnv({ RATE_LIMIT_SIGN_UP_PER_IP: "ten" })).toThrow(
      /RATE_LIMIT_SIGN_UP_PER_IP/,
    );
  });

  it("rejects limits without points or a window", () => {
    const db = {} as Db;
    expect(() => createAuthRateLimits(db, { signInPerIp: { points: 0 } })).toThrow(/points/);
    expect(() => createAuthRateLimits(db, { signInPerIp: { duration: 0 } })).toThrow(/duration/);
  });
});

describe("errors that are not refusals", () => {
  it("are rethrown, not reported as a limit", async () => {
    const broken = {
      execute: () => Promise.reject(new Error("database is down")),
    } as unknown as Db;
    const limits = createAuthRateLimits(broken);
    await expect(limits.consume("signInPerIp", "203.0.113.1")).rejects.toThrow("database is down");
  });
});

describe.each(testDrivers())("database rate limits on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const limiter = (points: number, duration: number, keyPrefix = freshPrefix()) =>
    new RateLimiterDb({ db, points, duration, keyPrefix, clearExpiredEveryMs: 0 });

  it("counts points and refuses the N+1th with a bounded wait", async () => {
    const rl = limiter(3, 60);
    for (let i = 1; i <= 3; i++) {
      const res = await rl.consume("k");
      expect(res.consumedPoints).toBe(i);
      expect(res.remainingPoints).toBe(3 - i);
      expect(res.isFirstInDuration).toBe(i === 1);
    }
    const refused = await rl.consume("k").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    const res = refused as RateLimiterRes;
    expect(res.consumedPoints).toBe(4);
    expect(res.msBeforeNext).toBeGreaterThan(0);
    expect(res.msBeforeNext).toBeLessThanOrEqual(60_000);

    const stored = await rl.get("k");
    expect(stored?.consumedPoints).toBe(4);
    const [row] = await db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, `${rl.keyPrefix}:k`));
    expect(row?.points).toBe(4);
    expect(row?.expiresAt).toBeInstanceOf(Date);
  });

  it("policy layer: the N+1th request gets a positive retryAfterSeconds within the window", async () => {
    const limits = createAuthRateLimits(db, { signUpPerIp: { points: 2, duration: 120 } });
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    await limits.reset("signUpPerIp", ip);
    expect(await limits.consume("signUpPerIp", ip)).toEqual({ ok: true });
    expect(await limits.consume("signUpPerIp", ip)).toEqual({ ok: true });
    const refused = await limits.consume("signUpPerIp", ip);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(120);
    expect(Number.isInteger(refused.retryAfterSeconds)).toBe(true);
  });

  it("counters expire after their duration", async () => {
    const rl = limiter(1, 1);
    await rl.consume("k");
    await expect(rl.consume("k")).rejects.toBeInstanceOf(RateLimiterRes);
    await sleep(1_100);
    expect(await rl.get("k")).toBeNull();
    const res = await rl.consume("k");
    expect(res.consumedPoints).toBe(1);
    expect(res.isFirstInDuration).toBe(true);
    expect(res.msBeforeNext).toBeGreaterThan(0);
    expect(res.msBeforeNext).toBeLessThanOrEqual(1_000);
  });

  it("two limiter instances over one database share the counters", async () => {
    const prefix = freshPrefix();
    const first = limiter(4, 60, prefix);
    const second = limiter(4, 60, prefix);
    await first.consume("shared");
    await second.consume("shared");
    await first.consume("shared");
    expect((await second.get("shared"))?.consumedPoints).toBe(3);
    await second.consume("shared");
    await expect(first.consume("shared")).rejects.toBeInstanceOf(RateLimiterRes);

    const instanceA = createAuthRateLimits(db, { resetPerAccount: { points: 2 } });
    const instanceB = createAuthRateLimits(db, { resetPerAccount: { points: 2 } });
    const email = `${randomUUID()}@example.org`;
    expect((await instanceA.consume("resetPerAccount", email)).ok).toBe(true);
    // The account key is normalised, so case does not give a fresh counter.
    expect((await instanceB.consume("resetPerAccount", email.toUpperCase())).ok).toBe(true);
    expect((await instanceA.consume("resetPerAccount", email)).ok).toBe(false);
  });

  it("lets exactly the limit through 50 concurrent consumes", async () => {
    const rl = limiter(20, 60);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => rl.consume("burst")));
    const passed = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(passed).toHaveLength(20);
    expect(refused).toHaveLength(30);
    for (const r of refused) expect(r.reason).toBeInstanceOf(RateLimiterRes);
    // Every consume saw its own running total.
    const totals = passed.map((r) => r.value.consumedPoints).sort((a, b) => a - b);
    expect(totals).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await rl.get("burst"))?.consumedPoints).toBe(50);

    const limits = createAuthRateLimits(db, { verifyPerIp: { points: 20 } });
    const ip = "2001:db8:ffff:1::1";
    await limits.reset("verifyPerIp", ip);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        // Different addresses of one /64 count as one key.
        limits.consume("verifyPerIp", `2001:db8:ffff:1::${(i + 1).toString(16)}`),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(20);
  });

  it("reset clears a key's counter", async () => {
    const limits = createAuthRateLimits(db, { signInPerAccount: { points: 2 } });
    const email = `${randomUUID()}@example.org`;
    await limits.consume("signInPerAccount", email);
    await limits.consume("signInPerAccount", email);
    expect((await limits.consume("signInPerAccount", email)).ok).toBe(false);
    await limits.reset("signInPerAccount", ` ${email.toUpperCase()} `);
    expect(await limits.consume("signInPerAccount", email)).toEqual({ ok: true });

    const rl = limiter(1, 60);
    await rl.consume("gone");
    expect(await rl.delete("gone")).toBe(true);
    expect(await rl.delete("gone")).toBe(false);
    expect(await rl.get("gone")).toBeNull();
  });

  it("hashes over-long keys instead of failing", async () => {
    const limits = createAuthRateLimits(db, { signInPerAccount: { points: 1 } });
    const huge = `${"a".repeat(100_000)}@example.org`;
    expect(await limits.consume("signInPerAccount", huge)).toEqual({ ok: true });
    expect((await limits.consume("signInPerAccount", huge)).ok).toBe(false);
    const [row] = await db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(like(rateLimits.key, "auth:signInPerAccount:sha256:%"));
    expect(row?.key).toMatch(/^auth:signInPerAccount:sha256:[0-9a-f]{64}$/);
  });

  it("isolates keys by prefix", async () => {
    const a = limiter(1, 60);
    const b = limiter(1, 60);
    await a.consume("same");
    await expect(a.consume("same")).rejects.toBeInstanceOf(RateLimiterRes);
    await expect(b.consume("same")).resolves.toBeInstanceOf(RateLimiterRes);

    // The named limits do not share counters either.
    const limits = createAuthRateLimits(db, {
      signInPerIp: { points: 1 },
      signUpPerIp: { points: 1 },
    });
    const ip = "192.0.2.200";
    await limits.reset("signInPerIp", ip);
    await limits.reset("signUpPerIp", ip);
    expect((await limits.consume("signInPerIp", ip)).ok).toBe(true);
    expect((await limits.consume("signInPerIp", ip)).ok).toBe(false);
    expect((await limits.consume("signUpPerIp", ip)).ok).toBe(true);
    const keys = await db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(like(rateLimits.key, `auth:%:${ip}`));
    expect(keys.map((k) => k.key).sort()).toEqual([
      `auth:signInPerIp:${ip}`,
      `auth:signUpPerIp:${ip}`,
    ]);
  });

  it("consumeAll counts every pair and reports the longest wait", async () => {
    const limits = createAuthRateLimits(db, {
      signInPerIp: { points: 5, duration: 30 },
      signInPerAccount: { points: 1, duration: 600 },
    });
    const ip = "192.0.2.77";
    const email = `${randomUUID()}@example.org`;
    await limits.reset("signInPerIp", ip);
    const pairs = [
      ["signInPerIp", ip],
      ["signInPerAccount", email],
    ] as const;
    expect(await limits.consumeAll(pairs)).toEqual({ ok: true });
    const refused = await limits.consumeAll(pairs);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    // Only the per-account limit refused: its 600-second window is the wait.
    expect(refused.retryAfterSeconds).toBeGreaterThan(30);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(600);
    // Both attempts were counted against the IP too.
    expect((await limits.limiters.signInPerIp.get(ip))?.consumedPoints).toBe(2);
  });

  it("set and block force a new expiry; duration 0 never expires", async () => {
    const rl = limiter(5, 60);
    await rl.consume("k", 2);
    const set = await rl.set("k", 1, 2);
    expect(set.consumedPoints).toBe(1);
    const after = await rl.get("k");
    expect(after?.consumedPoints).toBe(1);
    expect(after?.msBeforeNext).toBeGreaterThan(0);
    expect(after?.msBeforeNext).toBeLessThanOrEqual(2_000);

    await rl.block("k", 30);
    await expect(rl.consume("k")).rejects.toBeInstanceOf(RateLimiterRes);
    const blocked = await rl.get("k");
    expect(blocked?.msBeforeNext).toBeGreaterThan(2_000);
    expect(blocked?.msBeforeNext).toBeLessThanOrEqual(30_000);

    const forever = limiter(2, 0);
    const first = await forever.consume("k");
    expect(first.msBeforeNext).toBe(-1);
    await forever.consume("k");
    await expect(forever.consume("k")).rejects.toMatchObject({ msBeforeNext: -1 });
    const [row] = await db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, `${forever.keyPrefix}:k`));
    expect(row).toMatchObject({ points: 3, expiresAt: null });
  });

  it("rewards and penalties adjust the counter", async () => {
    const rl = limiter(3, 60);
    await rl.consume("k", 3);
    await rl.reward("k", 2);
    expect((await rl.get("k"))?.consumedPoints).toBe(1);
    await rl.penalty("k", 2);
    expect((await rl.get("k"))?.consumedPoints).toBe(3);
  });

  it("blockDuration blocks a key that goes over the limit", async () => {
    const rl = new RateLimiterDb({
      db,
      points: 1,
      duration: 1,
      blockDuration: 60,
      keyPrefix: freshPrefix(),
      clearExpiredEveryMs: 0,
    });
    await rl.consume("k");
    const refused = (await rl.consume("k").catch((e: unknown) => e)) as RateLimiterRes;
    expect(refused.msBeforeNext).toBeGreaterThan(1_000);
    await sleep(1_100);
    // The window was one second, but the block holds.
    await expect(rl.consume("k")).rejects.toBeInstanceOf(RateLimiterRes);
  });

  it("clears expired rows, on demand and now and then during consumes", async () => {
    const prefix = freshPrefix();
    await db.insert(rateLimits).values([
      { key: `${prefix}:old-1`, points: 1, expiresAt: sql`now() - interval '1 minute'` },
      { key: `${prefix}:old-2`, points: 1, expiresAt: sql`now() - interval '1 second'` },
      { key: `${prefix}:live`, points: 1, expiresAt: sql`now() + interval '1 hour'` },
      { key: `${prefix}:forever`, points: 1, expiresAt: null },
    ]);
    const remaining = async () =>
      (
        await db
          .select({ key: rateLimits.key })
          .from(rateLimits)
          .where(like(rateLimits.key, `${prefix}:%`))
      )
        .map((r) => r.key.slice(prefix.length + 1))
        .sort();

    expect(await clearExpiredRateLimits(db)).toBeGreaterThanOrEqual(2);
    expect(await remaining()).toEqual(["forever", "live"]);

    await db.insert(rateLimits).values({
      key: `${prefix}:old-3`,
      points: 1,
      expiresAt: sql`now() - interval '1 minute'`,
    });
    // A limiter clears on its first consume, then waits clearExpiredEveryMs.
    const rl = new RateLimiterDb({ db, points: 5, duration: 60, keyPrefix: freshPrefix() });
    await rl.consume("k");
    expect(await remaining()).toEqual(["forever", "live"]);
    await db.insert(rateLimits).values({
      key: `${prefix}:old-4`,
      points: 1,
      expiresAt: sql`now() - interval '1 minute'`,
    });
    await rl.consume("k");
    expect(await remaining()).toEqual(["forever", "live", "old-4"]);
    expect(await rl.clearExpired()).toBeGreaterThanOrEqual(1);
    expect(await remaining()).toEqual(["forever", "live"]);
  });

  it("has a limiter for every named limit with the documented defaults", () => {
    const limits = createAuthRateLimits(db);
    expect(Object.keys(limits.limiters).sort()).toEqual([...AUTH_LIMIT_NAMES].sort());
    for (const name of AUTH_LIMIT_NAMES) {
      expect(limits.limiters[name].points).toBe(AUTH_RATE_LIMITS[name].points);
      expect(limits.limiters[name].duration).toBe(AUTH_RATE_LIMITS[name].duration);
    }
    expect(AUTH_RATE_LIMITS.signInPerAccount).toMatchObject({ points: 10, duration: 900 });
  });
});
