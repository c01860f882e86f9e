import { emailSchema, passwordInputSchema, type Role } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { exportFollows, getDigestPreference } from "@briefings/db/queries";
import { and, eq, gt, sql } from "drizzle-orm";
import { type Actor, type AuditActor, recordAudit } from "./audit.ts";
import * as templates from "./mail-templates.ts";
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from "./password.ts";
import { normaliseIpKey } from "./rate-limit.ts";
import {
  createSession,
  invalidateUserSessions,
  type Session,
  type SessionMeta,
} from "./session.ts";
import { generateToken, hashToken, isWellFormedToken } from "./tokens.ts";

const HOUR_MS = 60 * 60 * 1000;
export const TOKEN_LIFETIMES_MS = {
  "verify-email": 48 * HOUR_MS,
  "reset-password": HOUR_MS,
  "change-email": HOUR_MS,
} as const;
type TokenPurpose = keyof typeof TOKEN_LIFETIMES_MS;

/** Outgoing mail, however it is delivered (SMTP, or the outbox table). */
export type MailSender = {
  send(message: { to: string; subject: string; text: string; html?: string }): Promise<void>;
};

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The abuse limits the account flows consult (see rate-limit.ts). */
export type AccountLimits = {
  consumeAll(pairs: [name: AccountLimitName, key: string][]): Promise<LimitVerdict>;
  reset(name: AccountLimitName, key: string): Promise<void>;
};
export type AccountLimitName =
  | "signInPerIp"
  | "signInPerAccount"
  | "signInPerAccountTotal"
  | "signUpPerIp"
  | "resetPerIp"
  | "resetPerAccount"
  | "verifyPerAccount"
  | "verifyPerIp";

export type AccountDeps = {
  db: Db;
  mailer: MailSender;
  limits: AccountLimits;
  /** The site's own origin, for links in e-mails (e.g. "https://briefings.example"). */
  appUrl: string;
  /**
   * Runs work the answer must not wait for (issuing a link and sending its mail), so an
   * answer takes as long whether or not there was anything to send: the timing may not
   * reveal which addresses are registered. The portal runs it in the background and logs
   * failures; without it the work is awaited (tests).
   */
  defer?: (task: () => Promise<void>) => void;
};

async function later(deps: AccountDeps, task: () => Promise<void>): Promise<void> {
  if (deps.defer) deps.defer(task);
  else await task();
}

/** What a form shows: errors beside fields, or one for the whole form, with an HTTP status. */
export type Failure = {
  ok: false;
  status: 400 | 401 | 403 | 409 | 429 | 503;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  retryAfterSeconds?: number;
};

function fieldError(field: string, message: string, status: Failure["status"] = 400): Failure {
  return { ok: false, status, fieldErrors: { [field]: [message] } };
}
function formError(message: string, status: Failure["status"] = 400): Failure {
  return { ok: false, status, formError: message };
}
function rateLimited(verdict: { retryAfterSeconds: number }): Failure {
  const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
  return {
    ok: false,
    status: 429,
    retryAfterSeconds: verdict.retryAfterSeconds,
    formError: `Too many attempts. Try again in ${minutes === 1 ? "a minute" : `${minutes} minutes`}.`,
  };
}

// ---------------------------------------------------------------------------------------
// Field schemas: core's, shared with the portal's forms; re-exported for this package's users.

export { emailSchema, passwordInputSchema };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------
// Single-use e-mailed tokens.

async function issueToken(
  db: Db,
  userId: string,
  purpose: TokenPurpose,
  email: string,
  now = new Date(),
  lifetimeMs: number = TOKEN_LIFETIMES_MS[purpose],
): Promise<string> {
  const token = generateToken();
  await db.insert(schema.authTokens).values({
    id: hashToken(token),
    userId,
    purpose,
    email,
    expiresAt: new Date(now.getTime() + lifetimeMs),
    createdAt: now,
  });
  return token;
}

/** Where each kind of link leads on the site. */
const LINK_PATHS: Record<TokenPurpose, string> = {
  "verify-email": "/verify-email",
  "reset-password": "/reset-password",
  "change-email": "/confirm-email",
};

/** Issues a single-use token and mails `to` the link that carries it. */
async function mailLink(
  deps: Pick<AccountDeps, "db" | "mailer" | "appUrl">,
  userId: string,
  purpose: TokenPurpose,
  to: string,
  content: (link: string) => templates.MailContent,
  lifetimeMs?: number,
): Promise<void> {
  const token = await issueToken(deps.db, userId, purpose, to, new Date(), lifetimeMs);
  await deps.mailer.send({ to, ...content(link(deps.appUrl, LINK_PATHS[purpose], token)) });
}

type TokenRow = typeof schema.authTokens.$inferSelect;

/**
 * Takes a token out of the table: it is deleted in the same statement that reads it, so
 * a link works once even when clicked twice at the same moment.
 */
async function consumeToken(
  db: Db,
  token: unknown,
  purpose: TokenPurpose,
  now = new Date(),
): Promise<TokenRow | null> {
  if (!isWellFormedToken(token)) return null;
  const [row] = await db
    .delete(schema.authTokens)
    .where(and(eq(schema.authTokens.id, hashToken(token)), eq(schema.authTokens.purpose, purpose)))
    .returning();
  if (!row || row.expiresAt.getTime() <= now.getTime()) return null;
  return row;
}

/**
 * `email_verified_at`, or `now` if it is not set yet. The date goes through the column's
 * encoder: postgres-js, as Drizzle configures it, cannot send a bare Date in raw SQL.
 */
function coalesceVerifiedAt(now: Date) {
  return sql`coalesce(${schema.users.emailVerifiedAt}, ${sql.param(now, schema.users.emailVerifiedAt)})`;
}

function link(appUrl: string, path: string, token: string): string {
  return `${appUrl.replace(/\/$/, "")}${path}?token=${token}`;
}

// ---------------------------------------------------------------------------------------
// Sign-up and e-mail verification.

export type SignUpInput = { email: string; password: string };

/**
 * Creates an account and mails a verification link. The answer is the same whether or
 * not the address was registered already (its owner is mailed instead), so the form
 * cannot be used to find out who has an account.
 */
export async function signUp(
  deps: AccountDeps,
  input: SignUpInput,
  meta: { ipAddress: string },
): Promise<{ ok: true } | Failure> {
  // The address is checked here, not only by the form: it becomes the account's key and
  // the recipient of every link.
  const parsedEmail = emailSchema.safeParse(input.email);
  if (!parsedEmail.success)
    return fieldError("email", parsedEmail.error.issues[0]?.message ?? "Enter an e-mail address");
  const email = parsedEmail.data;
  const problem = await passwordProblem(input.password, { email });
  if (problem) return fieldError("password", problem);
  const verdict = await deps.limits.consumeAll([["signUpPerIp", meta.ipAddress]]);
  if (!verdict.ok) return rateLimited(verdict);
  // Hash before looking: both paths then take the same time.
  const passwordHash = await hashPassword(input.password);
  const created = await deps.db
    .insert(schema.users)
    .values({ email, passwordHash })
    .onConflictDoNothing({ target: schema.users.email })
    .returning({ id: schema.users.id });
  const user = created[0];
  if (!user) {
    const base = deps.appUrl.replace(/\/$/, "");
    await deps.mailer.send({
      to: email,
      ...templates.accountExists({
        signInLink: `${base}/sign-in`,
        resetLink: `${base}/forgot-password`,
      }),
    });
    return { ok: true };
  }
  await mailLink(deps, user.id, "verify-email", email, (link) => templates.verifyEmail({ link }));
  return { ok: true };
}

/** Sends a new verification link to a signed-in member whose address is not verified. */
export async function resendVerification(
  deps: AccountDeps,
  userId: string,
  meta: { ipAddress: string },
): Promise<{ ok: true } | Failure> {
  const [user] = await deps.db
    .select({ email: schema.users.email, verifiedAt: schema.users.emailVerifiedAt })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) return formError("This account no longer exists.", 403);
  if (user.verifiedAt) return formError("Your e-mail address is already verified.", 409);
  const verdict = await deps.limits.consumeAll([
    ["verifyPerIp", meta.ipAddress],
    ["verifyPerAccount", user.email],
  ]);
  if (!verdict.ok) return rateLimited(verdict);
  await mailLink(deps, userId, "verify-email", user.email, (link) =>
    templates.verifyEmail({ link }),
  );
  return { ok: true };
}

/** Marks the address verified. The link only counts for the address it was sent to. */
export async function verifyEmail(
  deps: Pick<AccountDeps, "db">,
  token: unknown,
  now = new Date(),
): Promise<{ ok: true; userId: string } | Failure> {
  const row = await consumeToken(deps.db, token, "verify-email", now);
  if (!row) return formError("This verification link has expired or was already used.");
  const updated = await deps.db
    .update(schema.users)
    .set({
      emailVerifiedAt: coalesceVerifiedAt(now),
      updatedAt: now,
    })
    .where(and(eq(schema.users.id, row.userId), eq(schema.users.email, row.email)))
    .returning({ id: schema.users.id });
  if (updated.length === 0) return formError("This verification link is for an old address.");
  return { ok: true, userId: row.userId };
}

// ---------------------------------------------------------------------------------------
// Sign-in.

export type SignInResult = { ok: true; token: string; session: Session; userId: string } | Failure;

const WRONG_CREDENTIALS = "The e-mail or password is incorrect.";
export const SUSPENDED_ACCOUNT =
  "This account is suspended, so it cannot sign in. If you think this is a mistake, contact us.";

/**
 * Checks the credentials and starts a new session. Unknown address and wrong password
 * get the same answer after the same work. A suspended account is told so only after
 * the right password, so the answer reveals nothing to someone who does not know it.
 */
export async function signIn(
  deps: AccountDeps,
  input: { email: string; password: string },
  meta: SessionMeta & { ipAddress: string },
): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  const accountFromHere = `${email} ${normaliseIpKey(meta.ipAddress)}`;
  const verdict = await deps.limits.consumeAll([
    ["signInPerIp", meta.ipAddress],
    ["signInPerAccount", accountFromHere],
    ["signInPerAccountTotal", email],
  ]);
  if (!verdict.ok) return rateLimited(verdict);
  const [user] = await deps.db
    .select({
      id: schema.users.id,
      passwordHash: schema.users.passwordHash,
      suspendedAt: schema.users.suspendedAt,
    })
    .from(schema.users)
    .where(eq(schema.users.email, email));
  const valid = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!user || !valid) return formError(WRONG_CREDENTIALS, 401);
  if (user.suspendedAt) return formError(SUSPENDED_ACCOUNT, 403);
  await deps.limits.reset("signInPerAccount", accountFromHere);
  const { token, session } = await createSession(deps.db, user.id, meta);
  return { ok: true, token, session, userId: user.id };
}

// ---------------------------------------------------------------------------------------
// Password reset and change.

/** Mails a reset link if the address has an account; answers the same either way. */
export async function requestPasswordReset(
  deps: AccountDeps,
  input: { email: string },
  meta: { ipAddress: string },
): Promise<{ ok: true } | Failure> {
  const email = normaliseEmail(input.email);
  const verdict = await deps.limits.consumeAll([
    ["resetPerIp", meta.ipAddress],
    ["resetPerAccount", email],
  ]);
  if (!verdict.ok) return rateLimited(verdict);
  const [user] = await deps.db
    .select({ id: schema.users.id, suspendedAt: schema.users.suspendedAt })
    .from(schema.users)
    .where(eq(schema.users.email, email));
  // A suspended account gets no link (the same answer, so nothing is revealed).
  if (!user || user.suspendedAt) return { ok: true };
  await later(deps, async () => {
    await mailLink(deps, user.id, "reset-password", email, (link) =>
      templates.resetPassword({ link }),
    );
  });
  return { ok: true };
}

/** How long an invitation's link to set a password works: long enough to be seen. */
export const INVITATION_LIFETIME_MS = 7 * 24 * HOUR_MS;

/**
 * Invites a member whose account an admin made (a CSV import): a single-use link to set a
 * password, which also confirms the address, valid for a week. It is a reset link, so it
 * dies with any other reset or a suspension.
 */
export async function sendInvitation(
  deps: Pick<AccountDeps, "db" | "mailer" | "appUrl">,
  userId: string,
  email: string,
): Promise<void> {
  await mailLink(
    deps,
    userId,
    "reset-password",
    email,
    (link) => templates.invitation({ link }),
    INVITATION_LIFETIME_MS,
  );
}

/** Whether a reset link is still good, without using it (to show the form or an error). */
export async function isResetTokenValid(
  db: Db,
  token: unknown,
  now = new Date(),
): Promise<boolean> {
  if (!isWellFormedToken(token)) return false;
  const [row] = await db
    .select({ id: schema.authTokens.id })
    .from(schema.authTokens)
    .where(
      and(
        eq(schema.authTokens.id, hashToken(token)),
        eq(schema.authTokens.purpose, "reset-password"),
        gt(schema.authTokens.expiresAt, now),
      ),
    );
  return row !== undefined;
}

/**
 * Sets a new password from a reset link: every session of the account ends, every other
 * reset link dies, and the address counts as verified (the link proved it). The caller
 * signs the browser in with the returned session.
 */
export async function resetPassword(
  deps: AccountDeps,
  input: { token: unknown; password: string },
  meta: SessionMeta,
): Promise<SignInResult> {
  if (!isWellFormedToken(input.token))
    return formError("This reset link has expired or was already used.");
  const [pending] = await deps.db
    .select({ email: schema.authTokens.email })
    .from(schema.authTokens)
    .where(eq(schema.authTokens.id, hashToken(input.token)));
  const problem = await passwordProblem(input.password, { email: pending?.email });
  if (problem) return fieldError("password", problem);
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  const result = await deps.db.transaction(async (tx) => {
    const row = await consumeToken(tx as unknown as Db, input.token, "reset-password", now);
    if (!row) return null;
    // A link mailed before a suspension must not hand the account back.
    const [owner] = await tx
      .select({ suspendedAt: schema.users.suspendedAt })
      .from(schema.users)
      .where(eq(schema.users.id, row.userId));
    if (owner?.suspendedAt) return null;
    await tx
      .update(schema.users)
      .set({
        passwordHash,
        emailVerifiedAt: coalesceVerifiedAt(now),
        updatedAt: now,
      })
      .where(eq(schema.users.id, row.userId));
    // Every other mailed link dies with the old password: a pending change of e-mail
    // requested by whoever had it must not survive the owner taking the account back.
    await tx.delete(schema.authTokens).where(eq(schema.authTokens.userId, row.userId));
    await invalidateUserSessions(tx as unknown as Db, row.userId);
    const created = await createSession(tx as unknown as Db, row.userId, meta, now);
    return { ...created, userId: row.userId, email: row.email };
  });
  if (!result) return formError("This reset link has expired or was already used.");
  await deps.mailer.send({ to: result.email, ...templates.passwordChanged() });
  return { ok: true, token: result.token, session: result.session, userId: result.userId };
}

async function checkPassword(
  db: Db,
  userId: string,
  password: string,
): Promise<{ email: string } | null> {
  const [user] = await db
    .select({ email: schema.users.email, passwordHash: schema.users.passwordHash })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) return null;
  return (await verifyPassword(user.passwordHash, password)) ? { email: user.email } : null;
}

/**
 * Changes the password of a signed-in member who knows the current one. Every session
 * ends (a thief's too); this device gets a fresh one.
 */
export async function changePassword(
  deps: AccountDeps,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  meta: SessionMeta & { ipAddress: string },
): Promise<SignInResult> {
  const verdict = await deps.limits.consumeAll([["signInPerAccount", userId]]);
  if (!verdict.ok) return rateLimited(verdict);
  const account = await checkPassword(deps.db, userId, input.currentPassword);
  if (!account) return fieldError("currentPassword", "Your current password is not correct.", 401);
  const problem = await passwordProblem(input.newPassword, { email: account.email });
  if (problem) return fieldError("newPassword", problem);
  if (input.newPassword === input.currentPassword)
    return fieldError("newPassword", "Choose a password different from the current one.");
  const passwordHash = await hashPassword(input.newPassword);
  const created = await deps.db.transaction(async (tx) => {
    await tx
      .update(schema.users)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(schema.users.id, userId));
    // Every mailed link dies with the old password: a reset link would undo the change,
    // and a pending change of e-mail may be an intruder's.
    await tx.delete(schema.authTokens).where(eq(schema.authTokens.userId, userId));
    await invalidateUserSessions(tx as unknown as Db, userId);
    return createSession(tx as unknown as Db, userId, meta);
  });
  await deps.mailer.send({ to: account.email, ...templates.passwordChanged() });
  return { ok: true, token: created.token, session: created.session, userId };
}

// ---------------------------------------------------------------------------------------
// Change of e-mail.

/**
 * Mails a confirmation link to the new address. If the address belongs to another
 * account nothing is sent, and the answer is the same.
 */
export async function requestEmailChange(
  deps: AccountDeps,
  userId: string,
  input: { password: string; newEmail: string },
): Promise<{ ok: true } | Failure> {
  const verdict = await deps.limits.consumeAll([["verifyPerAccount", userId]]);
  if (!verdict.ok) return rateLimited(verdict);
  const account = await checkPassword(deps.db, userId, input.password);
  if (!account) return fieldError("password", "Your password is not correct.", 401);
  const parsedEmail = emailSchema.safeParse(input.newEmail);
  if (!parsedEmail.success)
    return fieldError(
      "newEmail",
      parsedEmail.error.issues[0]?.message ?? "Enter an e-mail address",
    );
  const newEmail = parsedEmail.data;
  if (newEmail === account.email) return fieldError("newEmail", "This is already your address.");
  const [taken] = await deps.db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.email, newEmail));
  if (taken) return { ok: true };
  await later(deps, async () => {
    await mailLink(deps, userId, "change-email", newEmail, (link) =>
      templates.changeEmail({ link, newEmail }),
    );
    // The current address hears of it too: if this was not its owner, resetting the
    // password kills the pending change.
    await deps.mailer.send({
      to: account.email,
      ...templates.emailChangeRequested({
        newEmail,
        resetLink: `${deps.appUrl.replace(/\/$/, "")}/forgot-password`,
      }),
    });
  });
  return { ok: true };
}

/** Switches the account to the confirmed address and ends every session of it. */
export async function confirmEmailChange(
  deps: Pick<AccountDeps, "db">,
  token: unknown,
  now = new Date(),
): Promise<{ ok: true; userId: string; email: string } | Failure> {
  try {
    return await deps.db.transaction(async (tx) => {
      const row = await consumeToken(tx as unknown as Db, token, "change-email", now);
      if (!row) throw new TokenFailure("This confirmation link has expired or was already used.");
      await tx
        .update(schema.users)
        .set({ email: row.email, emailVerifiedAt: now, updatedAt: now })
        .where(eq(schema.users.id, row.userId));
      // Every other link dies too: a reset link mailed to the old address must not keep
      // working for an account that has moved away from it.
      await tx.delete(schema.authTokens).where(eq(schema.authTokens.userId, row.userId));
      await invalidateUserSessions(tx as unknown as Db, row.userId);
      return { ok: true as const, userId: row.userId, email: row.email };
    });
  } catch (error) {
    if (error instanceof TokenFailure) return formError(error.message);
    if (isUniqueViolation(error))
      return formError("That address now belongs to another account.", 409);
    throw error;
  }
}

class TokenFailure extends Error {}

/** Whether a database error (or one it wraps, as Drizzle does) is a unique violation. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Roles, export and deletion.

/** Changes a user's role; their sessions end, so no page keeps the old role's access. */
export async function setUserRole(
  db: Db,
  userId: string,
  role: Role,
  actor: Actor,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ role: schema.users.role })
      .from(schema.users)
      .where(eq(schema.users.id, userId))
      .for("update");
    if (!before) return false;
    await tx
      .update(schema.users)
      .set({ role, updatedAt: new Date() })
      .where(eq(schema.users.id, userId));
    await recordAudit(tx as unknown as Db, actor, {
      action: "user.role",
      targetType: "user",
      targetId: userId,
      before: { role: before.role },
      after: { role },
    });
    await tx.delete(schema.authTokens).where(eq(schema.authTokens.userId, userId));
    await invalidateUserSessions(tx as unknown as Db, userId);
    return true;
  });
}

/** Everything stored about a member, for the data export (no secrets, no hashes). */
export async function exportAccountData(db: Db, userId: string) {
  const [account] = await db
    .select({
      id: schema.users.id,
      email: schema.users.email,
      emailVerifiedAt: schema.users.emailVerifiedAt,
      role: schema.users.role,
      createdAt: schema.users.createdAt,
    })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!account) return null;
  const sessions = await db
    .select({
      device: schema.sessions.device,
      createdAt: schema.sessions.createdAt,
      lastUsedAt: schema.sessions.lastUsedAt,
      expiresAt: schema.sessions.expiresAt,
    })
    .from(schema.sessions)
    .where(eq(schema.sessions.userId, userId));
  const joins = await db
    .select({
      tier: schema.tierJoins.tierSlug,
      joinedAt: schema.tierJoins.joinedAt,
      leftAt: schema.tierJoins.leftAt,
    })
    .from(schema.tierJoins)
    .where(eq(schema.tierJoins.userId, userId));
  const applications = await db
    .select({
      tier: schema.applications.tierSlug,
      status: schema.applications.status,
      organisation: schema.applications.organisation,
      website: schema.applications.website,
      roleTitle: schema.applications.roleTitle,
      evidence: schema.applications.evidence,
      statement: schema.applications.statement,
      reviewerMessage: schema.applications.reviewerMessage,
      submittedAt: schema.applications.submittedAt,
      decidedAt: schema.applications.decidedAt,
    })
    .from(schema.applications)
    .where(eq(schema.applications.userId, userId));
  const grants = await db
    .select({
      tier: schema.tierGrants.tierSlug,
      startsAt: schema.tierGrants.startsAt,
      endsAt: schema.tierGrants.endsAt,
      reason: schema.tierGrants.reason,
      revokedAt: schema.tierGrants.revokedAt,
    })
    .from(schema.tierGrants)
    .where(eq(schema.tierGrants.userId, userId));
  const following = await exportFollows(db, userId);
  const { frequency } = await getDigestPreference(db, userId);
  return {
    exportedAt: new Date(),
    account,
    sessions,
    joins,
    applications,
    grants,
    following,
    digest: { frequency },
  };
}

/** Deletes the account and everything hanging off it, after the password is confirmed. */
export async function deleteAccount(
  deps: Pick<AccountDeps, "db" | "limits">,
  userId: string,
  input: { password: string },
  hooks: {
    /**
     * Runs once the password is right, before anything is deleted (e.g. cancelling paid
     * subscriptions elsewhere): a message refuses the deletion, which can be tried again.
     */
    beforeDelete?: (userId: string) => Promise<string | null>;
  } = {},
): Promise<{ ok: true } | Failure> {
  // A stolen session must not be able to guess the password here without limit.
  const verdict = await deps.limits.consumeAll([["signInPerAccount", userId]]);
  if (!verdict.ok) return rateLimited(verdict);
  const account = await checkPassword(deps.db, userId, input.password);
  if (!account) return fieldError("password", "Your password is not correct.", 401);
  const refusal = (await hooks.beforeDelete?.(userId)) ?? null;
  if (refusal) return formError(refusal, 503);
  await deps.db.delete(schema.users).where(eq(schema.users.id, userId));
  return { ok: true };
}

/**
 * A role change asked for in the admin area. Only owners change roles; nobody changes
 * their own (an owner cannot lock themselves out by a slip); the last owner stays an owner.
 * The change ends the target's sessions and is recorded in the audit log.
 */
export async function changeRoleAsStaff(
  db: Db,
  actor: AuditActor & { id: string; role: Role },
  targetUserId: string,
  role: Role,
): Promise<{ ok: true } | Failure> {
  if (actor.role !== "owner") return formError("Only an owner can change roles.", 403);
  if (actor.id === targetUserId) return formError("You cannot change your own role.", 403);
  return db.transaction(async (tx) => {
    const owners = await tx
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.role, "owner"))
      .for("update");
    const [target] = await tx
      .select({ role: schema.users.role })
      .from(schema.users)
      .where(eq(schema.users.id, targetUserId));
    if (!target) return formError("There is no such member.", 400);
    if (target.role === role) return formError(`This member is already ${role}.`, 409);
    if (target.role === "owner" && owners.length <= 1)
      return formError("The last owner cannot be given another role.", 409);
    await setUserRole(tx as unknown as Db, targetUserId, role, actor);
    return { ok: true as const };
  });
}
