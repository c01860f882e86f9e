import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "@briefings/db/client";
import {
  claimDueDigests,
  type DigestClaim,
  digestFrequencySchema,
  followedArticlesInWindow,
  followedChangesInWindow,
  releaseDigestClaim,
  setDigestFrequency,
  stopDigests,
} from "@briefings/db/queries";
import type { DigestFrequency } from "@briefings/db/schema";
import type { MailMessage } from "./mail.ts";
import * as templates from "./mail-templates.ts";

// E-mail digests of what members follow, and their one-click unsubscribe links.
//
// A digest is built from public fields only (profile names, the names of changed sections,
// article titles, providers and excerpts): nothing here reads a briefing, so no gate has
// to be decided and no member, whatever their tier, can be mailed gated text.

/** What an unsubscribe token signs besides the member: a token for anything else fails. */
const UNSUBSCRIBE_PURPOSE = "digest";

/**
 * `<user id>.<HMAC-SHA256 in base64url>`: the member's uuid (lower-case hex, as Postgres
 * writes it) and 43 base64url characters (32 bytes). Anything else is refused unread.
 */
const TOKEN_FORMAT =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

function sign(secret: string, userId: string): Buffer {
  return createHmac("sha256", secret).update(`${UNSUBSCRIBE_PURPOSE}\n${userId}`).digest();
}

/** The token of a member's unsubscribe link: it never expires, and works without a session. */
export function unsubscribeToken(secret: string, userId: string): string {
  return `${userId}.${sign(secret, userId).toString("base64url")}`;
}

/**
 * The member a token was made for, or null when it was not made with this secret for
 * this purpose (altered, truncated, made up). Signatures are compared in constant time.
 */
export function verifyUnsubscribeToken(secret: string, token: unknown): string | null {
  const match = typeof token === "string" ? TOKEN_FORMAT.exec(token) : null;
  const [, userId, signature] = match ?? [];
  if (!userId || !signature) return null;
  const given = Buffer.from(signature, "base64url");
  const expected = sign(secret, userId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return userId;
}

export function unsubscribeLink(appUrl: string, secret: string, userId: string): string {
  return `${appUrl.replace(/\/$/, "")}/unsubscribe?token=${unsubscribeToken(secret, userId)}`;
}

export const INVALID_UNSUBSCRIBE_LINK =
  "This unsubscribe link is not valid: it may have been cut or changed. Use the link from your latest digest, or change your digest on your account page.";

/** Stops a member's digests by the token of their link, with no session needed. */
export async function unsubscribeFromDigests(
  db: Db,
  secret: string,
  token: unknown,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; status: 400; message: string }> {
  const userId = verifyUnsubscribeToken(secret, token);
  if (!userId) return { ok: false, status: 400, message: INVALID_UNSUBSCRIBE_LINK };
  await stopDigests(db, userId, now);
  return { ok: true };
}

/** Sets a member's digest frequency from a form value; the error names what is wrong. */
export async function chooseDigestFrequency(
  db: Db,
  userId: string,
  value: unknown,
  now = new Date(),
): Promise<{ ok: true; frequency: DigestFrequency } | { ok: false; status: 400; message: string }> {
  const parsed = digestFrequencySchema.safeParse(value);
  if (!parsed.success)
    return { ok: false, status: 400, message: parsed.error.issues[0]?.message ?? "Invalid choice" };
  await setDigestFrequency(db, userId, parsed.data, now);
  return { ok: true, frequency: parsed.data };
}

export type DigestDeps = {
  db: Db;
  mailer: { send(message: MailMessage): Promise<void> };
  /** The site's public origin, for every link in the mail. */
  appUrl: string;
  /** The key unsubscribe tokens are signed with. */
  secret: string;
  logger?: { error(obj: object, msg: string): void };
};

/**
 * The digest of one claimed window, or null when nothing changed in it. Reads profile
 * changes and articles only (never briefings).
 */
export async function buildDigest(
  deps: Pick<DigestDeps, "db" | "appUrl" | "secret">,
  claim: DigestClaim,
): Promise<MailMessage | null> {
  const window = { since: claim.since, until: claim.until };
  const [changes, articles] = await Promise.all([
    followedChangesInWindow(deps.db, claim.userId, window),
    followedArticlesInWindow(deps.db, claim.userId, window),
  ]);
  if (changes.length === 0 && articles.length === 0) return null;
  const base = deps.appUrl.replace(/\/$/, "");
  const unsubscribe = unsubscribeLink(base, deps.secret, claim.userId);
  const content = templates.digest({
    frequency: claim.frequency,
    profiles: changes.map((change) => ({
      name: change.name,
      sections: change.sections,
      changedAt: change.changedAt,
      link: `${base}/profiles/${change.slug}`,
    })),
    articles: articles.map((article) => ({
      title: article.title,
      providerName: article.providerName,
      excerpt: article.excerpt,
      publishedAt: article.publishedDateTime,
      link: `${base}/news/${article.slug}`,
    })),
    watchlistLink: `${base}/watchlist`,
    unsubscribeLink: unsubscribe,
  });
  return {
    to: claim.email,
    ...content,
    // RFC 2369 and RFC 8058: mail clients offer their own one-click unsubscribe button.
    headers: {
      "List-Unsubscribe": `<${unsubscribe}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

export type DigestRun = { sent: number; empty: number; failed: number };

/**
 * Sends every digest due at `now`. Members are claimed in batches (each claim moves the
 * member's window on in the database, so another process running at the same time claims
 * other members, never the same one); a window with nothing new is claimed all the same
 * and sends nothing. A digest that could not be built or sent gives its window back once
 * the run is over, so the next run tries it again and this one does not loop on it.
 */
export async function sendDueDigests(
  deps: DigestDeps,
  now = new Date(),
  options: { batchSize?: number } = {},
): Promise<DigestRun> {
  const run: DigestRun = { sent: 0, empty: 0, failed: 0 };
  const failed: DigestClaim[] = [];
  for (;;) {
    const claims = await claimDueDigests(deps.db, now, options.batchSize ?? 50);
    if (claims.length === 0) break;
    for (const claim of claims) {
      try {
        const message = await buildDigest(deps, claim);
        if (!message) {
          run.empty += 1;
          continue;
        }
        await deps.mailer.send(message);
        run.sent += 1;
      } catch (error) {
        run.failed += 1;
        failed.push(claim);
        // Logged by member id; the mail's content stays out of the log.
        deps.logger?.error({ err: error, userId: claim.userId }, "digest not sent; retried later");
      }
    }
  }
  for (const claim of failed) await releaseDigestClaim(deps.db, claim);
  return run;
}
