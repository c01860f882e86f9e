import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import {
  DIGEST_FREQUENCIES,
  type DigestFrequency,
  digestPreferences,
  signingKeys,
} from "../schema.ts";

// E-mail digests of what a member follows. Each member's digest covers a window that
// starts where their last one ended; the job claims due members with one UPDATE that moves
// the window on, so two processes sending at once never send one member the same changes
// twice. Nothing here reads the briefings table: a digest is built from public fields only.

/** A digest choice as a form posts it. */
export const digestFrequencySchema = z.enum(DIGEST_FREQUENCIES, {
  error: "Choose how often to receive the digest: never, daily or weekly",
});

export type DigestPreference = { frequency: DigestFrequency; lastDigestAt: Date | null };

/** How long after the last digest the next one is due. */
export const DIGEST_INTERVALS: Record<Exclude<DigestFrequency, "none">, string> = {
  daily: "1 day",
  weekly: "7 days",
};

export async function getDigestPreference(db: Db, userId: string): Promise<DigestPreference> {
  const [row] = await db
    .select({
      frequency: digestPreferences.frequency,
      lastDigestAt: digestPreferences.lastDigestAt,
    })
    .from(digestPreferences)
    .where(eq(digestPreferences.userId, userId));
  return row ?? { frequency: "none", lastDigestAt: null };
}

/**
 * Sets a member's digest frequency. Turning digests on starts the window now: the first
 * digest tells what changed since the member asked for it, not everything before.
 * Changing between daily and weekly keeps the window, so nothing is skipped or repeated.
 */
export async function setDigestFrequency(
  db: Db,
  userId: string,
  frequency: DigestFrequency,
  now = new Date(),
): Promise<void> {
  await db
    .insert(digestPreferences)
    .values({ userId, frequency, lastDigestAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: digestPreferences.userId,
      set: {
        frequency,
        lastDigestAt: sql`CASE WHEN ${digestPreferences.frequency} = 'none'
          THEN excluded.last_digest_at ELSE ${digestPreferences.lastDigestAt} END`,
        updatedAt: now,
      },
    });
}

/**
 * Turns a member's digests off (the unsubscribe link, which needs no session): a member
 * without a preference, or without an account any more, has nothing to turn off.
 */
export async function stopDigests(db: Db, userId: string, now = new Date()): Promise<void> {
  await db
    .update(digestPreferences)
    .set({ frequency: "none", updatedAt: now })
    .where(eq(digestPreferences.userId, userId));
}

export type DigestClaim = {
  userId: string;
  email: string;
  frequency: Exclude<DigestFrequency, "none">;
  /** The window this digest covers: after `since`, up to and including `until`. */
  since: Date;
  until: Date;
};

/**
 * Claims up to `limit` members whose digest is due at `now` (verified, not suspended) and
 * moves their window on to `now`, in one statement: rows another sender holds are skipped
 * (SKIP LOCKED), and one it has just moved on no longer matches, so each member's window
 * is claimed once, whoever sends.
 */
export async function claimDueDigests(db: Db, now: Date, limit = 50): Promise<DigestClaim[]> {
  const at = now.toISOString();
  const rows = await queryRows<{
    userId: string;
    email: string;
    frequency: DigestClaim["frequency"];
    since: Date | string;
  }>(
    db,
    sql`WITH due AS (
          SELECT dp.user_id, dp.last_digest_at
          FROM digest_preferences dp
          JOIN users u ON u.id = dp.user_id
          WHERE dp.frequency <> 'none'
            AND u.email_verified_at IS NOT NULL AND u.suspended_at IS NULL
            AND dp.last_digest_at <= ${at}::timestamptz - (CASE dp.frequency
                  WHEN 'daily' THEN ${DIGEST_INTERVALS.daily}
                  ELSE ${DIGEST_INTERVALS.weekly} END)::interval
          ORDER BY dp.last_digest_at
          LIMIT ${limit}
          FOR UPDATE OF dp SKIP LOCKED
        )
        UPDATE digest_preferences d SET last_digest_at = ${at}::timestamptz
        FROM due JOIN users u ON u.id = due.user_id
        WHERE d.user_id = due.user_id
        RETURNING d.user_id AS "userId", u.email, d.frequency, due.last_digest_at AS since`,
  );
  return rows.map((row) => ({ ...row, since: new Date(row.since), until: now }));
}

/**
 * Gives a claimed window back after its mail could not be sent, so the next run tries
 * again; only while nobody changed the preference since the claim.
 */
export async function releaseDigestClaim(db: Db, claim: DigestClaim): Promise<void> {
  await db
    .update(digestPreferences)
    .set({ lastDigestAt: claim.since })
    .where(
      sql`${digestPreferences.userId} = ${claim.userId}
          AND ${digestPreferences.lastDigestAt} = ${claim.until.toISOString()}::timestamptz`,
    );
}

export type DigestProfileChange = {
  slug: string;
  name: string;
  /** Every section changed in the window, in the order first changed. */
  sections: string[];
  /** The latest change in the window. */
  changedAt: Date;
};

/**
 * The public changes in a window to the published profiles a member follows, one entry
 * per profile, most recently changed first.
 */
export async function followedChangesInWindow(
  db: Db,
  userId: string,
  window: { since: Date; until: Date },
  limit = 200,
): Promise<DigestProfileChange[]> {
  const rows = await queryRows<{
    profileId: string;
    slug: string;
    name: string;
    sections: string[];
    changedAt: Date | string;
  }>(
    db,
    sql`SELECT p.id AS "profileId", p.slug, p.name, pc.sections, pc.changed_at AS "changedAt"
        FROM profile_follows pf
        JOIN profiles p ON p.id = pf.profile_id AND p.status = 'published'
        JOIN profile_changes pc ON pc.profile_id = pf.profile_id
        WHERE pf.user_id = ${userId}
          AND pc.changed_at > ${window.since.toISOString()}::timestamptz
          AND pc.changed_at <= ${window.until.toISOString()}::timestamptz
        ORDER BY pc.changed_at, pc.id
        LIMIT ${limit}`,
  );
  const byProfile = new Map<string, DigestProfileChange>();
  for (const row of rows) {
    const entry = byProfile.get(row.profileId) ?? {
      slug: row.slug,
      name: row.name,
      sections: [],
      changedAt: new Date(row.changedAt),
    };
    for (const section of row.sections)
      if (!entry.sections.includes(section)) entry.sections.push(section);
    entry.changedAt = new Date(row.changedAt);
    byProfile.set(row.profileId, entry);
  }
  return [...byProfile.values()].sort((a, b) => b.changedAt.getTime() - a.changedAt.getTime());
}

/**
 * The key for the server's own signatures of one purpose: made at first use (32 random
 * bytes) and kept, so every process and every restart signs and checks alike.
 */
export async function signingKey(db: Db, purpose: string): Promise<string> {
  await db
    .insert(signingKeys)
    // Web Crypto, not node:crypto: this module is in the queries barrel, which route
    // modules shared with the browser bundle import (types and schemas) too.
    .values({
      purpose,
      secret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
    })
    .onConflictDoNothing();
  const [row] = await db
    .select({ secret: signingKeys.secret })
    .from(signingKeys)
    .where(eq(signingKeys.purpose, purpose));
  if (!row) throw new Error(`No signing key for ${purpose}`);
  return row.secret;
}
