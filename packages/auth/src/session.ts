import { memberViewer, type Role, type Viewer } from "@briefings/core";
import type { Db } from "@briefings/db/client";
import { queryRows, schema } from "@briefings/db/client";
import {
  applicationStatusesJson,
  entitlementSourcesJson,
  parseApplicationStatuses,
  parseEntitlementSources,
} from "@briefings/db/queries";
import { and, eq, lt, ne, sql } from "drizzle-orm";
import { generateToken, hashToken, isWellFormedToken } from "./tokens.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sessions last 30 days from their last renewal… */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** …and are renewed on use once fewer than 15 days remain (a sliding expiry). */
export const SESSION_RENEW_WITHIN_MS = 15 * DAY_MS;
/**
 * However often it is used, a session ends 90 days after sign-in: a stolen token cannot
 * be kept alive for ever by using it.
 */
export const SESSION_MAX_AGE_MS = 90 * DAY_MS;
/** `last_used_at` is written at most this often, so reading a page is not a write. */
const LAST_USED_GRANULARITY_MS = 5 * 60 * 1000;

export type Session = {
  id: string;
  userId: string;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date;
  device: string;
};

export type SessionUser = {
  id: string;
  email: string;
  emailVerified: boolean;
  role: Role;
};

export type ValidatedSession = {
  session: Session;
  user: SessionUser;
  viewer: Viewer;
  /** True when the expiry moved: the cookie must be sent again with the new date. */
  renewed: boolean;
};

export type SessionMeta = { userAgent?: string | null; ipAddress?: string | null };

/**
 * Starts a new session for a user. Called on every sign-in, so a session id planted
 * before sign-in is never promoted (no fixation). Returns the token for the cookie;
 * only its hash is stored.
 */
export async function createSession(
  db: Db,
  userId: string,
  meta: SessionMeta = {},
  now = new Date(),
): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const session: Session = {
    id: hashToken(token),
    userId,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    device: describeDevice(meta.userAgent),
  };
  await db.insert(schema.sessions).values({ ...session, ipAddress: meta.ipAddress ?? null });
  return { token, session };
}

/**
 * Checks a session token and loads who it belongs to, with their tiers, in one query.
 * An expired session, or one of a suspended account, is deleted; a session within 15 days
 * of expiry is extended.
 */
export async function validateSessionToken(
  db: Db,
  token: unknown,
  now = new Date(),
): Promise<ValidatedSession | null> {
  if (!isWellFormedToken(token)) return null;
  const id = hashToken(token);
  const [row] = await queryRows<{
    user_id: string;
    expires_at: Date | string;
    created_at: Date | string;
    last_used_at: Date | string;
    device: string;
    email: string;
    email_verified_at: Date | string | null;
    role: Role;
    suspended_at: Date | string | null;
    sources: unknown;
    applications: unknown;
  }>(
    db,
    sql`SELECT s.user_id, s.expires_at, s.created_at, s.last_used_at, s.device,
               u.email, u.email_verified_at, u.role, u.suspended_at,
               ${entitlementSourcesJson(sql`u.id`)} AS sources,
               ${applicationStatusesJson(sql`u.id`)} AS applications
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = ${id}`,
  );
  if (!row) return null;
  const session: Session = {
    id,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    device: row.device,
  };
  const endOfLife = session.createdAt.getTime() + SESSION_MAX_AGE_MS;
  // Suspending an account ends its sessions in the same transaction; a session that is
  // still there (one made between the two by a racing sign-in) dies here.
  if (
    row.suspended_at !== null ||
    now.getTime() >= Math.min(session.expiresAt.getTime(), endOfLife)
  ) {
    await db.delete(schema.sessions).where(eq(schema.sessions.id, id));
    return null;
  }
  const renewedExpiry = Math.min(now.getTime() + SESSION_TTL_MS, endOfLife);
  const renewed =
    session.expiresAt.getTime() - now.getTime() < SESSION_RENEW_WITHIN_MS &&
    renewedExpiry > session.expiresAt.getTime();
  const touch = now.getTime() - session.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS;
  if (renewed || touch) {
    if (renewed) session.expiresAt = new Date(renewedExpiry);
    session.lastUsedAt = now;
    await db
      .update(schema.sessions)
      .set({ expiresAt: session.expiresAt, lastUsedAt: now })
      .where(eq(schema.sessions.id, id));
  }
  const user: SessionUser = {
    id: row.user_id,
    email: row.email,
    emailVerified: row.email_verified_at !== null,
    role: row.role,
  };
  const viewer = memberViewer({
    userId: user.id,
    role: user.role,
    sources: parseEntitlementSources(row.sources),
    applications: parseApplicationStatuses(row.applications),
    now,
  });
  return { session, user, viewer, renewed };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(schema.sessions).where(eq(schema.sessions.id, sessionId));
}

/** Ends every session of a user, or every one but `exceptSessionId` ("sign out other devices"). */
export async function invalidateUserSessions(
  db: Db,
  userId: string,
  exceptSessionId?: string,
): Promise<number> {
  const where = exceptSessionId
    ? and(eq(schema.sessions.userId, userId), ne(schema.sessions.id, exceptSessionId))
    : eq(schema.sessions.userId, userId);
  const deleted = await db
    .delete(schema.sessions)
    .where(where)
    .returning({ id: schema.sessions.id });
  return deleted.length;
}

/** A user's live sessions, most recently used first, for the account page. */
export async function listUserSessions(
  db: Db,
  userId: string,
  now = new Date(),
): Promise<Session[]> {
  const rows = await db
    .select({
      id: schema.sessions.id,
      userId: schema.sessions.userId,
      expiresAt: schema.sessions.expiresAt,
      createdAt: schema.sessions.createdAt,
      lastUsedAt: schema.sessions.lastUsedAt,
      device: schema.sessions.device,
    })
    .from(schema.sessions)
    .where(eq(schema.sessions.userId, userId))
    .orderBy(sql`${schema.sessions.lastUsedAt} DESC`);
  return rows.filter((s) => s.expiresAt.getTime() > now.getTime());
}

/** Deletes sessions past their expiry (run now and then; validation also drops them). */
export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const deleted = await db
    .delete(schema.sessions)
    .where(lt(schema.sessions.expiresAt, now))
    .returning({ id: schema.sessions.id });
  return deleted.length;
}

/** "Firefox on Linux" from a User-Agent header: enough to recognise a device in a list. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const ua = userAgent.slice(0, 512);
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Chrome\/|Chromium\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : /curl\//i.test(ua)
              ? "curl"
              : null;
  const os = /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
      ? "Android"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? "Unknown device";
}
