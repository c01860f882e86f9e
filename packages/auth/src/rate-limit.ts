/**
 * Abuse limits kept in the database (table rate_limits), so every instance of the app
 * counts against the same numbers.
 *
 * rate-limiter-flexible's own Postgres store speaks only node-postgres, and its Drizzle
 * store computes expiry with each app server's clock; this store plugs into the library's
 * documented extension point (RateLimiterStoreAbstract) and lets the database clock
 * decide expiry, so instances with skewed clocks still agree.
 */

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import { type Db, queryRows } from "@briefings/db/client";
import { type SQL, sql } from "drizzle-orm";
import type {
  RateLimiterRes as RateLimiterResInstance,
  RateLimiterStoreAbstract as RateLimiterStoreAbstractType,
} from "rate-limiter-flexible";

// The base class is not exported from the package entry (only declared in its types), and
// instanceof checks must see the very RateLimiterRes the library rejects with, so both
// come from the library's own CommonJS modules.
const require = createRequire(import.meta.url);
const RateLimiterStoreAbstract: typeof RateLimiterStoreAbstractType = require("rate-limiter-flexible/lib/RateLimiterStoreAbstract.js");
const RateLimiterRes: typeof RateLimiterResInstance = require("rate-limiter-flexible/lib/RateLimiterRes.js");

/** What the store hands back to the library: the counter and the time left, per the database. */
type StoreRow = { points: number; msBeforeNext: number | null };

export type DbRateLimiterOptions = {
  db: Db;
  /** Allowed points per duration. */
  points: number;
  /** Window in seconds, counted from the first consume; 0 means the counter never expires. */
  duration: number;
  /** Namespace of this limiter's keys in the shared table (the row key is `${keyPrefix}:${key}`). */
  keyPrefix: string;
  /** If set, going over the limit blocks the key for this many seconds. */
  blockDuration?: number;
  /**
   * How often, at most, one consume also deletes expired rows (ms; default 5 minutes;
   * 0 turns it off). The first consume after start-up always does.
   */
  clearExpiredEveryMs?: number;
};

const CLEAR_BATCH = 1_000;
/** Longer keys are hashed: a B-tree key has a size limit, and keys come from user input. */
const MAX_KEY_LENGTH = 200;
const DEFAULT_CLEAR_EVERY_MS = 5 * 60_000;

/** Deletes up to `batch` expired counters, skipping rows other transactions hold; returns how many. */
async function clearExpiredBatch(db: Db, batch: number): Promise<number> {
  const rows = await queryRows<{ deleted: number | string }>(
    db,
    sql`WITH gone AS (
          DELETE FROM rate_limits WHERE key IN (
            SELECT key FROM rate_limits
            WHERE expires_at <= now()
            ORDER BY expires_at
            LIMIT ${batch}
            FOR UPDATE SKIP LOCKED
          )
          RETURNING 1
        )
        SELECT count(*)::int AS deleted FROM gone`,
  );
  return Number(rows[0]?.deleted ?? 0);
}

/**
 * Deletes every expired counter of every limiter. SKIP LOCKED keeps concurrent clean-ups
 * (several instances) from waiting on, or deadlocking with, each other or live consumes.
 */
export async function clearExpiredRateLimits(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await clearExpiredBatch(db, CLEAR_BATCH);
    total += deleted;
    if (deleted < CLEAR_BATCH) return total;
  }
}

type RawRow = { points: number | string; ms_before_next: number | string | null };

/** Time left on the counter by the database clock, in whole milliseconds (NULL: no expiry). */
const msBeforeNextSql = sql`CASE WHEN expires_at IS NULL THEN NULL
  ELSE GREATEST(0, ceil(EXTRACT(EPOCH FROM (expires_at - now())) * 1000))::float8 END AS ms_before_next`;

function toStoreRow(row: RawRow): StoreRow {
  return {
    points: Number(row.points),
    msBeforeNext: row.ms_before_next === null ? null : Number(row.ms_before_next),
  };
}

/** A rate-limiter-flexible limiter whose counters live in the rate_limits table. */
export class RateLimiterDb extends RateLimiterStoreAbstract {
  readonly db: Db;
  readonly #clearEveryMs: number;
  #nextClearAt = 0;

  constructor(options: DbRateLimiterOptions) {
    super({
      storeClient: options.db,
      points: options.points,
      duration: options.duration,
      keyPrefix: options.keyPrefix,
      ...(options.blockDuration === undefined ? {} : { blockDuration: options.blockDuration }),
    });
    this.db = options.db;
    this.#clearEveryMs = options.clearExpiredEveryMs ?? DEFAULT_CLEAR_EVERY_MS;
  }

  /**
   * `${keyPrefix}:${key}`, with an over-long key (a megabyte "e-mail address") replaced by
   * its SHA-256 so the insert cannot fail and turn a refusal into a server error.
   */
  override getKey(key: string | number): string {
    const rlKey = super.getKey(key);
    if (rlKey.length <= MAX_KEY_LENGTH) return rlKey;
    return super.getKey(`sha256:${createHash("sha256").update(String(key)).digest("hex")}`);
  }

  /** Deletes expired counters (of every limiter sharing the table); returns how many. */
  clearExpired(): Promise<number> {
    return clearExpiredRateLimits(this.db);
  }

  /**
   * One atomic statement: the row lock taken by ON CONFLICT DO UPDATE serialises
   * concurrent consumes of a key, so each sees a distinct running total. An expired
   * counter restarts at `points` with a new expiry; `forceExpire` (set, block) always
   * overwrites both.
   */
  async _upsert(
    rlKey: string,
    points: number,
    msDuration: number,
    forceExpire = false,
  ): Promise<StoreRow> {
    const newExpiry = sql`CASE WHEN ${msDuration}::float8 > 0 THEN now() + ${msDuration}::float8 * interval '1 millisecond' END`;
    const set: SQL = forceExpire
      ? sql`points = excluded.points, expires_at = excluded.expires_at`
      : sql`points = CASE WHEN rate_limits.expires_at <= now() THEN excluded.points
                          ELSE rate_limits.points + excluded.points END,
            expires_at = CASE WHEN rate_limits.expires_at <= now() THEN excluded.expires_at
                              ELSE rate_limits.expires_at END`;
    const rows = await queryRows<RawRow>(
      this.db,
      sql`INSERT INTO rate_limits (key, points, expires_at)
          VALUES (${rlKey}, ${points}::int, ${newExpiry})
          ON CONFLICT (key) DO UPDATE SET ${set}
          RETURNING points, ${msBeforeNextSql}`,
    );
    const row = rows[0];
    if (!row) throw new Error("rate_limits upsert returned no row");
    await this.#maybeClearExpired();
    return toStoreRow(row);
  }

  async _get(rlKey: string): Promise<StoreRow | null> {
    const rows = await queryRows<RawRow>(
      this.db,
      sql`SELECT points, ${msBeforeNextSql} FROM rate_limits
          WHERE key = ${rlKey} AND (expires_at IS NULL OR expires_at > now())`,
    );
    const row = rows[0];
    return row ? toStoreRow(row) : null;
  }

  async _delete(rlKey: string): Promise<boolean> {
    const rows = await queryRows<{ key: string }>(
      this.db,
      sql`DELETE FROM rate_limits WHERE key = ${rlKey} RETURNING key`,
    );
    return rows.length > 0;
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, row: StoreRow): RateLimiterResInstance {
    const isFirstInDuration = row.points === changedPoints;
    return new RateLimiterRes(
      Math.max(this.points - row.points, 0),
      row.msBeforeNext === null ? -1 : row.msBeforeNext,
      row.points,
      isFirstInDuration,
    );
  }

  /**
   * Now and then a consume also clears expired rows, so the table does not grow with
   * every IP address ever seen. Awaited (not fire-and-forget) so no query outlives the
   * request or a closing database; a failure is left for the next time.
   */
  async #maybeClearExpired(): Promise<void> {
    if (this.#clearEveryMs <= 0) return;
    const now = Date.now();
    if (now < this.#nextClearAt) return;
    this.#nextClearAt = now + this.#clearEveryMs;
    try {
      await clearExpiredBatch(this.db, CLEAR_BATCH);
    } catch {
      // Clean-up is best effort; the counters themselves are already correct.
    }
  }
}

/* ------------------------------------------------------------------------------------ */
/* Policy: the named limits of the auth flows.                                            */
/* ------------------------------------------------------------------------------------ */

export type LimitPolicy = {
  points: number;
  /** Seconds. */
  duration: number;
  /** How keys are normalised: IP addresses, or e-mail addresses (accounts). */
  keyKind: "ip" | "account";
};

const MINUTE = 60;
const HOUR = 60 * MINUTE;

export const AUTH_RATE_LIMITS = {
  signInPerIp: { points: 30, duration: 15 * MINUTE, keyKind: "ip" },
  // Keyed by account and IP address together, so nobody elsewhere can lock an account out;
  // the looser total below still bounds guesses spread over many addresses.
  signInPerAccount: { points: 10, duration: 15 * MINUTE, keyKind: "account" },
  signInPerAccountTotal: { points: 100, duration: HOUR, keyKind: "account" },
  signUpPerIp: { points: 10, duration: HOUR, keyKind: "ip" },
  resetPerIp: { points: 10, duration: HOUR, keyKind: "ip" },
  resetPerAccount: { points: 3, duration: HOUR, keyKind: "account" },
  verifyPerAccount: { points: 5, duration: HOUR, keyKind: "account" },
  verifyPerIp: { points: 20, duration: HOUR, keyKind: "ip" },
} as const satisfies Record<string, LimitPolicy>;

export type AuthLimitName = keyof typeof AUTH_RATE_LIMITS;
export const AUTH_LIMIT_NAMES = Object.keys(AUTH_RATE_LIMITS) as AuthLimitName[];

export type AuthRateLimitOverrides = Partial<
  Record<AuthLimitName, Partial<Pick<LimitPolicy, "points" | "duration">>>
>;

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export type AuthRateLimits = {
  /** The effective limits, after overrides. */
  policies: Readonly<Record<AuthLimitName, LimitPolicy>>;
  limiters: Readonly<Record<AuthLimitName, RateLimiterDb>>;
  /** Counts one attempt (or `points`); refused when the limit is already used up. */
  consume(name: AuthLimitName, key: string, points?: number): Promise<RateLimitResult>;
  /**
   * Counts the attempt against every pair (e.g. per IP and per account, so neither a
   * spread of accounts nor a spread of addresses gets around the other) and refuses if
   * any refuses, with the longest wait.
   */
  consumeAll(
    pairs: ReadonlyArray<readonly [name: AuthLimitName, key: string]>,
  ): Promise<RateLimitResult>;
  /** Forgets a key's counter, e.g. the per-account sign-in counter after a success. */
  reset(name: AuthLimitName, key: string): Promise<void>;
  /** Deletes expired counters of every limiter. */
  clearExpired(): Promise<number>;
};

/** `RATE_LIMIT_SIGN_IN_PER_IP` for `signInPerIp`. */
export function rateLimitEnvName(name: AuthLimitName): string {
  return `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/**
 * Reads overrides from the environment, one variable per limit, as `points/seconds`
 * (e.g. `RATE_LIMIT_SIGN_IN_PER_IP=100/60`) or just `points`. Malformed values throw,
 * so a typo does not silently leave the default in place.
 */
export function rateLimitOverridesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): AuthRateLimitOverrides {
  const overrides: AuthRateLimitOverrides = {};
  for (const name of AUTH_LIMIT_NAMES) {
    const variable = rateLimitEnvName(name);
    const value = env[variable]?.trim();
    if (!value) continue;
    const match = /^(\d+)(?:\/(\d+))?$/.exec(value);
    if (!match?.[1]) {
      throw new Error(
        `${variable} must be "points/seconds" or "points", e.g. 30/900; got "${value}"`,
      );
    }
    overrides[name] = {
      points: Number(match[1]),
      ...(match[2] === undefined ? {} : { duration: Number(match[2]) }),
    };
  }
  return overrides;
}

/** E-mail keys: case and surrounding spaces must not give an attacker fresh counters. */
export function normaliseAccountKey(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * IP keys: IPv4-mapped IPv6 becomes plain IPv4, and IPv6 is cut to its /64 (one
 * subscriber usually holds a whole /64, so per-address counting would be no limit).
 * Anything else (e.g. "unknown") is used as given.
 */
export function normaliseIpKey(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, "");
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  const groups = expandIPv6(address);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address;
  // A trailing dotted IPv4 part stands for the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros =
    tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}

function checkPolicy(name: AuthLimitName, policy: LimitPolicy): LimitPolicy {
  if (!Number.isInteger(policy.points) || policy.points < 1) {
    throw new Error(`Rate limit ${name}: points must be a positive integer, got ${policy.points}`);
  }
  // A window is required: refusals report how long to wait, which a counter that never
  // expires could not.
  if (!Number.isInteger(policy.duration) || policy.duration < 1) {
    throw new Error(
      `Rate limit ${name}: duration must be a positive number of seconds, got ${policy.duration}`,
    );
  }
  return policy;
}

function retryAfterSeconds(res: RateLimiterResInstance, durationSeconds: number): number {
  // msBeforeNext is -1 only for counters without expiry, which the policy does not allow.
  const ms = res.msBeforeNext >= 0 ? res.msBeforeNext : durationSeconds * 1000;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The auth flows' limiters, over the shared table; see AUTH_RATE_LIMITS for the defaults. */
export function createAuthRateLimits(
  db: Db,
  overrides: AuthRateLimitOverrides = {},
): AuthRateLimits {
  const policies = {} as Record<AuthLimitName, LimitPolicy>;
  const limiters = {} as Record<AuthLimitName, RateLimiterDb>;
  for (const name of AUTH_LIMIT_NAMES) {
    const policy = checkPolicy(name, { ...AUTH_RATE_LIMITS[name], ...overrides[name] });
    policies[name] = policy;
    limiters[name] = new RateLimiterDb({
      db,
      points: policy.points,
      duration: policy.duration,
      keyPrefix: `auth:${name}`,
    });
  }

  const keyFor = (name: AuthLimitName, key: string) =>
    policies[name].keyKind === "ip" ? normaliseIpKey(key) : normaliseAccountKey(key);

  async function consume(name: AuthLimitName, key: string, points = 1): Promise<RateLimitResult> {
    try {
      await limiters[name].consume(keyFor(name, key), points);
      return { ok: true };
    } catch (error) {
      // The library rejects with a RateLimiterRes when the limit is used up, and with an
      // Error when the database fails; only the first is an answer.
      if (error instanceof RateLimiterRes) {
        return { ok: false, retryAfterSeconds: retryAfterSeconds(error, policies[name].duration) };
      }
      throw error;
    }
  }

  return {
    policies,
    limiters,
    consume,
    async consumeAll(pairs) {
      const results = await Promise.all(pairs.map(([name, key]) => consume(name, key)));
      let longest = 0;
      for (const result of results) {
        if (!result.ok) longest = Math.max(longest, result.retryAfterSeconds);
      }
      return longest > 0 ? { ok: false, retryAfterSeconds: longest } : { ok: true };
    },
    async reset(name, key) {
      await limiters[name].delete(keyFor(name, key));
    },
    clearExpired: () => clearExpiredRateLimits(db),
  };
}
