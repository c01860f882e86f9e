import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountDeps,
  changePassword,
  confirmEmailChange,
  deleteAccount,
  exportAccountData,
  isResetTokenValid,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  setUserRole,
  signIn,
  signUp,
  verifyEmail,
} from "./accounts.ts";
import { type AuthRateLimitOverrides, createAuthRateLimits } from "./rate-limit.ts";
import { createSession, validateSessionToken } from "./session.ts";
import { hashToken } from "./tokens.ts";

type Sent = { to: string; subject: string; text: string; html?: string };

function recordingMailer() {
  const sent: Sent[] = [];
  return {
    sent,
    async send(message: Sent) {
      sent.push(message);
    },
  };
}

const APP_URL = "https://briefings.example";
const CLI = { id: null, name: "cli (test)" };
const PASSWORD = "violet tractor umbrella sings";
const NEW_PASSWORD = "orange kettle mountain hums";
const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** The token of the one link in a mail to `path`. */
function tokenFrom(mail: Sent | undefined, path: string): string {
  const match = new RegExp(`${APP_URL}${path}\\?token=([a-z2-7]{32})\\b`).exec(mail?.text ?? "");
  if (!match?.[1]) throw new Error(`no ${path} link in ${JSON.stringify(mail)}`);
  return match[1];
}

let ipCounter = 0;
/** A fresh address per test, so IP counters of one test do not limit another. */
const freshIp = () => {
  ipCounter++;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};
const freshEmail = (name = "member") => `${name}-${randomUUID().slice(0, 8)}@example.org`;

describe.each(testDrivers())("accounts on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function setup(overrides: AuthRateLimitOverrides = {}) {
    const mailer = recordingMailer();
    const deps: AccountDeps = {
      db,
      mailer,
      limits: createAuthRateLimits(db, overrides),
      appUrl: `${APP_URL}/`,
    };
    return { deps, sent: mailer.sent };
  }

  async function userByEmail(email: string) {
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email));
    return user;
  }

  async function tokensOf(userId: string) {
    return db.select().from(schema.authTokens).where(eq(schema.authTokens.userId, userId));
  }

  /** A verified account, signed up and confirmed through the real flows. */
  async function verifiedAccount(deps: AccountDeps, sent: Sent[], email = freshEmail()) {
    expect(await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() })).toEqual({
      ok: true,
    });
    const verified = await verifyEmail(deps, tokenFrom(sent.at(-1), "/verify-email"));
    if (!verified.ok) throw new Error("verification failed");
    sent.length = 0;
    return { email, userId: verified.userId };
  }

  async function signedIn(deps: AccountDeps, email: string, password = PASSWORD) {
    const result = await signIn(deps, { email, password }, { ipAddress: freshIp(), userAgent: UA });
    if (!result.ok) throw new Error(`sign-in failed: ${JSON.stringify(result)}`);
    return result;
  }

  // -------------------------------------------------------------------------------------
  // Sign-up and verification

  it("signs up an unverified user and mails a single-use verification link", async () => {
    const { deps, sent } = setup();
    const email = freshEmail();
    const result = await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() });
    expect(result).toEqual({ ok: true });

    const user = await userByEmail(email);
    expect(user).toBeDefined();
    expect(user?.emailVerifiedAt).toBeNull();
    expect(user?.role).toBe("member");
    expect(user?.passwordHash.startsWith("$argon2id$")).toBe(true);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(email);
    expect(sent[0]?.subject).toMatch(/Confirm your e-mail/);
    const token = tokenFrom(sent[0], "/verify-email");
    // Only the hash is kept.
    const tokens = await tokensOf(user?.id ?? "");
    expect(tokens.map((t) => t.id)).toEqual([hashToken(token)]);
    expect(JSON.stringify(tokens)).not.toContain(token);

    const verified = await verifyEmail(deps, token);
    expect(verified).toEqual({ ok: true, userId: user?.id });
    expect((await userByEmail(email))?.emailVerifiedAt).toBeInstanceOf(Date);

    const again = await verifyEmail(deps, token);
    expect(again).toMatchObject({ ok: false, status: 400 });
    expect(await verifyEmail(deps, "not-a-token")).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses an expired verification link", async () => {
    const { deps, sent } = setup();
    const email = freshEmail();
    await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() });
    const token = tokenFrom(sent[0], "/verify-email");
    await db
      .update(schema.authTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.authTokens.id, hashToken(token)));
    expect(await verifyEmail(deps, token)).toMatchObject({ ok: false, status: 400 });
    expect((await userByEmail(email))?.emailVerifiedAt).toBeNull();
  });

  it("resends verification only to an unverified address", async () => {
    const { deps, sent } = setup();
    const email = freshEmail();
    await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() });
    const user = await userByEmail(email);
    const userId = user?.id ?? "";
    expect(await resendVerification(deps, userId, { ipAddress: freshIp() })).toEqual({ ok: true });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.to).toBe(email);
    expect((await verifyEmail(deps, tokenFrom(sent[1], "/verify-email"))).ok).toBe(true);
    expect(await resendVerification(deps, userId, { ipAddress: freshIp() })).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it("answers a sign-up with a registered address the same, mailing its owner instead", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const before = await userByEmail(email);
    const usersBefore = await db.$count(schema.users);

    const result = await signUp(
      deps,
      { email: `  ${email.toUpperCase()} `, password: NEW_PASSWORD },
      { ipAddress: freshIp() },
    );
    expect(result).toEqual({ ok: true });
    expect(await db.$count(schema.users)).toBe(usersBefore);
    expect(await userByEmail(email)).toEqual(before);
    expect(await tokensOf(userId)).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(email);
    expect(sent[0]?.subject).toMatch(/already have/);
    expect(sent[0]?.text).toContain(`${APP_URL}/forgot-password`);
    expect(sent[0]?.text).not.toMatch(/token=/);
  });

  it("refuses a weak password beside the field, creating nothing", async () => {
    const { deps, sent } = setup();
    const email = "grace.hopper-weak@example.org";
    for (const password of ["too short", "password123456", "grace.hopper-weak rocks"]) {
      const result = await signUp(deps, { email, password }, { ipAddress: freshIp() });
      expect(result).toMatchObject({ ok: false, status: 400 });
      if (result.ok) continue;
      expect(result.fieldErrors?.password?.[0]).toEqual(expect.any(String));
    }
    expect(await userByEmail(email)).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it("refuses an address that is not an e-mail address", async () => {
    const { deps, sent } = setup();
    for (const email of ["", "   ", "not-an-address", "two@@example.org"]) {
      const result = await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() });
      expect(result, email).toMatchObject({ ok: false, status: 400 });
      if (!result.ok) expect(result.fieldErrors?.email?.[0]).toEqual(expect.any(String));
    }
    expect(sent).toEqual([]);
  });

  it("normalises the e-mail address (case, spaces)", async () => {
    const { deps, sent } = setup();
    const email = freshEmail("ada.lovelace");
    const messy = `  ${email.replace("ada", "Ada").replace("example.org", "EXAMPLE.org")}\t`;
    expect(
      await signUp(deps, { email: messy, password: PASSWORD }, { ipAddress: freshIp() }),
    ).toEqual({
      ok: true,
    });
    expect((await userByEmail(email))?.email).toBe(email);
    expect(sent[0]?.to).toBe(email);
    const result = await signedIn(deps, ` ${email.toUpperCase()} `);
    expect(result.userId).toBe((await userByEmail(email))?.id);
  });

  // -------------------------------------------------------------------------------------
  // Sign-in

  it("signs in with a new session; wrong password and unknown address fail identically", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const result = await signedIn(deps, email);
    expect(result.userId).toBe(userId);
    const validated = await validateSessionToken(db, result.token);
    expect(validated?.user).toMatchObject({ id: userId, email, emailVerified: true });
    expect(validated?.session.device).toBe("Firefox on Linux");

    const wrong = await signIn(deps, { email, password: NEW_PASSWORD }, { ipAddress: freshIp() });
    const unknown = await signIn(
      deps,
      { email: freshEmail("nobody"), password: PASSWORD },
      { ipAddress: freshIp() },
    );
    expect(wrong).toEqual({
      ok: false,
      status: 401,
      formError: "The e-mail or password is incorrect.",
    });
    expect(unknown).toEqual(wrong);
  });

  it("limits attempts per account from one address, so others cannot lock the owner out", async () => {
    const { deps, sent } = setup({ signInPerAccount: { points: 3, duration: 600 } });
    const { email } = await verifiedAccount(deps, sent);
    const attacker = freshIp();
    const wrong = (ipAddress = attacker) =>
      signIn(deps, { email, password: NEW_PASSWORD }, { ipAddress });

    // Two failures, then a success from the same address: the count starts again.
    expect(await wrong()).toMatchObject({ status: 401 });
    expect(await wrong()).toMatchObject({ status: 401 });
    expect((await signIn(deps, { email, password: PASSWORD }, { ipAddress: attacker })).ok).toBe(
      true,
    );
    for (let i = 0; i < 3; i++) expect(await wrong()).toMatchObject({ status: 401 });

    // The fourth attempt from there is refused before the password is checked, whatever the case.
    const refused = await signIn(
      deps,
      { email: email.toUpperCase(), password: PASSWORD },
      { ipAddress: attacker },
    );
    expect(refused).toMatchObject({ ok: false, status: 429 });
    if (refused.ok) return;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(600);
    expect(refused.formError).toMatch(/Too many attempts/);

    // The owner, elsewhere, still signs in; another account is not affected either.
    expect((await signedIn(deps, email)).ok).toBe(true);
    const other = await verifiedAccount(deps, sent);
    expect((await signedIn(deps, other.email)).ok).toBe(true);
  });

  it("bounds the guesses at one account spread over many addresses", async () => {
    const { deps, sent } = setup({ signInPerAccountTotal: { points: 4, duration: 600 } });
    const { email } = await verifiedAccount(deps, sent);
    for (let i = 0; i < 4; i++) {
      expect(
        await signIn(deps, { email, password: NEW_PASSWORD }, { ipAddress: freshIp() }),
      ).toMatchObject({ status: 401 });
    }
    expect(
      await signIn(deps, { email, password: PASSWORD }, { ipAddress: freshIp() }),
    ).toMatchObject({ ok: false, status: 429 });
  });

  it("limits attempts per IP address across accounts", async () => {
    const { deps } = setup({ signInPerIp: { points: 2, duration: 600 } });
    const ipAddress = freshIp();
    const attempt = () =>
      signIn(deps, { email: freshEmail("spray"), password: PASSWORD }, { ipAddress });
    expect(await attempt()).toMatchObject({ status: 401 });
    expect(await attempt()).toMatchObject({ status: 401 });
    expect(await attempt()).toMatchObject({ status: 429 });
  });

  // -------------------------------------------------------------------------------------
  // Password reset

  it("mails a reset link only to a registered address, answering the same", async () => {
    const { deps, sent } = setup();
    const { email } = await verifiedAccount(deps, sent);
    expect(
      await requestPasswordReset(deps, { email: freshEmail("nobody") }, { ipAddress: freshIp() }),
    ).toEqual({ ok: true });
    expect(sent).toEqual([]);

    expect(
      await requestPasswordReset(deps, { email: email.toUpperCase() }, { ipAddress: freshIp() }),
    ).toEqual({ ok: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(email);
    const token = tokenFrom(sent[0], "/reset-password");
    expect(await isResetTokenValid(db, token)).toBe(true);
    expect(await isResetTokenValid(db, token, new Date(Date.now() + 2 * 60 * 60 * 1000))).toBe(
      false,
    );
    expect(await isResetTokenValid(db, "nonsense")).toBe(false);
  });

  it("resets the password: old sessions end, a new one starts, the link works once", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const before = await signedIn(deps, email);
    const other = await signedIn(deps, email);

    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const first = tokenFrom(sent[0], "/reset-password");
    const second = tokenFrom(sent[1], "/reset-password");
    sent.length = 0;

    // A weak password is refused without using up the link.
    const weak = await resetPassword(deps, { token: first, password: "password1234" }, {});
    expect(weak).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { password: [expect.any(String)] },
    });
    expect(await isResetTokenValid(db, first)).toBe(true);

    const result = await resetPassword(
      deps,
      { token: first, password: NEW_PASSWORD },
      { userAgent: UA },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.userId).toBe(userId);
    expect(await validateSessionToken(db, before.token)).toBeNull();
    expect(await validateSessionToken(db, other.token)).toBeNull();
    expect((await validateSessionToken(db, result.token))?.user.id).toBe(userId);
    expect(sent.map((m) => [m.to, m.subject])).toEqual([
      [email, expect.stringMatching(/password was changed/)],
    ]);

    // The new password works, the old one does not.
    expect((await signedIn(deps, email, NEW_PASSWORD)).ok).toBe(true);
    expect(
      await signIn(deps, { email, password: PASSWORD }, { ipAddress: freshIp() }),
    ).toMatchObject({
      status: 401,
    });

    // Single use, and the other link sent before dies with it.
    const failed = { ok: false, status: 400, formError: expect.stringMatching(/expired/) };
    expect(
      await resetPassword(deps, { token: first, password: "another fine passphrase" }, {}),
    ).toMatchObject(failed);
    expect(
      await resetPassword(deps, { token: second, password: "another fine passphrase" }, {}),
    ).toMatchObject(failed);
    expect(await tokensOf(userId)).toEqual([]);
  });

  it("refuses an expired reset link", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const session = await signedIn(deps, email);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const token = tokenFrom(sent[0], "/reset-password");
    await db
      .update(schema.authTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.authTokens.userId, userId));
    expect(await isResetTokenValid(db, token)).toBe(false);
    expect(await resetPassword(deps, { token, password: NEW_PASSWORD }, {})).toMatchObject({
      ok: false,
      status: 400,
    });
    expect((await validateSessionToken(db, session.token))?.user.id).toBe(userId);
    expect((await signedIn(deps, email, PASSWORD)).ok).toBe(true);
  });

  it("a reset link clicked twice at once works once", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const token = tokenFrom(sent[0], "/reset-password");
    const results = await Promise.all(
      [NEW_PASSWORD, "another fine passphrase"].map((password) =>
        resetPassword(deps, { token, password }, {}),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ status: 400 })]);
    const [winner] = winners;
    if (!winner?.ok) return;
    // Only the winner's session survives.
    const sessions = await db
      .select({ id: schema.sessions.id })
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, userId));
    expect(sessions.map((s) => s.id)).toEqual([winner.session.id]);
  });

  it("a reset link verifies the address it was sent to", async () => {
    const { deps, sent } = setup();
    const email = freshEmail();
    await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() });
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const result = await resetPassword(
      deps,
      { token: tokenFrom(sent[1], "/reset-password"), password: NEW_PASSWORD },
      {},
    );
    expect(result.ok).toBe(true);
    expect((await userByEmail(email))?.emailVerifiedAt).toBeInstanceOf(Date);
  });

  // -------------------------------------------------------------------------------------
  // Password change

  it("changes the password only with the current one, ending every other session", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const here = await signedIn(deps, email);
    const elsewhere = await signedIn(deps, email);
    const meta = { ipAddress: freshIp(), userAgent: UA };

    const wrong = await changePassword(
      deps,
      userId,
      { currentPassword: NEW_PASSWORD, newPassword: "another fine passphrase" },
      meta,
    );
    expect(wrong).toMatchObject({
      ok: false,
      status: 401,
      fieldErrors: { currentPassword: [expect.any(String)] },
    });
    const same = await changePassword(
      deps,
      userId,
      { currentPassword: PASSWORD, newPassword: PASSWORD },
      meta,
    );
    expect(same).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { newPassword: [expect.any(String)] },
    });
    const weak = await changePassword(
      deps,
      userId,
      { currentPassword: PASSWORD, newPassword: "dragon123456" },
      meta,
    );
    expect(weak).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { newPassword: [expect.any(String)] },
    });
    expect(await validateSessionToken(db, elsewhere.token)).not.toBeNull();

    const changed = await changePassword(
      deps,
      userId,
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      meta,
    );
    expect(changed.ok).toBe(true);
    if (!changed.ok) return;
    expect(await validateSessionToken(db, here.token)).toBeNull();
    expect(await validateSessionToken(db, elsewhere.token)).toBeNull();
    expect((await validateSessionToken(db, changed.token))?.user.id).toBe(userId);
    expect(sent.map((m) => m.to)).toEqual([email]);
    expect((await signedIn(deps, email, NEW_PASSWORD)).ok).toBe(true);
  });

  // -------------------------------------------------------------------------------------
  // Change of e-mail

  it("changes the address once the new one is confirmed, ending every session", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const session = await signedIn(deps, email);
    const newEmail = freshEmail("moved");

    expect(
      await requestEmailChange(deps, userId, { password: NEW_PASSWORD, newEmail }),
    ).toMatchObject({ ok: false, status: 401 });
    expect(
      await requestEmailChange(deps, userId, { password: PASSWORD, newEmail: email }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
    const invalid = await requestEmailChange(deps, userId, {
      password: PASSWORD,
      newEmail: "nope",
    });
    expect(invalid).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { newEmail: [expect.any(String)] },
    });
    expect(sent).toEqual([]);

    expect(
      await requestEmailChange(deps, userId, {
        password: PASSWORD,
        newEmail: ` ${newEmail.toUpperCase()}`,
      }),
    ).toEqual({ ok: true });
    // The link goes to the new address; the current one is told, with a way to stop it.
    expect(sent.map((m) => m.to)).toEqual([newEmail, email]);
    expect(sent[1]?.text).toContain(newEmail);
    expect(sent[1]?.text).toContain("/forgot-password");
    const token = tokenFrom(sent[0], "/confirm-email");
    // Nothing changes before the confirmation.
    expect((await userByEmail(email))?.id).toBe(userId);

    const confirmed = await confirmEmailChange(deps, token);
    expect(confirmed).toEqual({ ok: true, userId, email: newEmail });
    const user = await userByEmail(newEmail);
    expect(user?.id).toBe(userId);
    expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await userByEmail(email)).toBeUndefined();
    expect(await validateSessionToken(db, session.token)).toBeNull();
    expect(await confirmEmailChange(deps, token)).toMatchObject({ ok: false, status: 400 });

    expect((await signedIn(deps, newEmail)).userId).toBe(userId);
    expect(
      await signIn(deps, { email, password: PASSWORD }, { ipAddress: freshIp() }),
    ).toMatchObject({
      status: 401,
    });
  });

  it("sends nothing when the new address belongs to someone else, answering the same", async () => {
    const { deps, sent } = setup();
    const a = await verifiedAccount(deps, sent);
    const b = await verifiedAccount(deps, sent);
    expect(
      await requestEmailChange(deps, a.userId, { password: PASSWORD, newEmail: b.email }),
    ).toEqual({
      ok: true,
    });
    expect(sent).toEqual([]);
  });

  it("refuses a confirmation to an address taken in the meantime, changing nothing", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const session = await signedIn(deps, email);
    const newEmail = freshEmail("contested");
    await requestEmailChange(deps, userId, { password: PASSWORD, newEmail });
    const token = tokenFrom(sent[0], "/confirm-email");

    // Someone else registers the address before the link is clicked.
    await signUp(deps, { email: newEmail, password: NEW_PASSWORD }, { ipAddress: freshIp() });
    const rival = await userByEmail(newEmail);
    expect(rival?.id).not.toBe(userId);

    expect(await confirmEmailChange(deps, token)).toMatchObject({ ok: false, status: 409 });
    expect((await userByEmail(email))?.id).toBe(userId);
    expect((await userByEmail(newEmail))?.id).toBe(rival?.id);
    expect((await validateSessionToken(db, session.token))?.user.email).toBe(email);
  });

  it("a reset link sent to the old address dies when the address changes", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const resetToken = tokenFrom(sent[0], "/reset-password");
    const newEmail = freshEmail("moved");
    await requestEmailChange(deps, userId, { password: PASSWORD, newEmail });
    expect((await confirmEmailChange(deps, tokenFrom(sent[1], "/confirm-email"))).ok).toBe(true);

    expect(await isResetTokenValid(db, resetToken)).toBe(false);
    expect(
      await resetPassword(deps, { token: resetToken, password: NEW_PASSWORD }, {}),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
    expect((await signedIn(deps, newEmail, PASSWORD)).userId).toBe(userId);
  });

  it("a password reset cancels a pending change of e-mail (an intruder's)", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const intruder = freshEmail("intruder");
    await requestEmailChange(deps, userId, { password: PASSWORD, newEmail: intruder });
    const changeToken = tokenFrom(sent[0], "/confirm-email");
    // The owner is told at the current address, and resets the password.
    expect(sent[1]?.to).toBe(email);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const reset = await resetPassword(
      deps,
      { token: tokenFrom(sent.at(-1), "/reset-password"), password: NEW_PASSWORD },
      {},
    );
    expect(reset.ok).toBe(true);
    expect(await confirmEmailChange(deps, changeToken)).toMatchObject({ ok: false, status: 400 });
    expect((await userByEmail(email))?.id).toBe(userId);
  });

  it("answers a reset request before issuing the link when work is deferred", async () => {
    const { deps, sent } = setup();
    const { email } = await verifiedAccount(deps, sent);
    const deferred: (() => Promise<void>)[] = [];
    const answer = await requestPasswordReset(
      { ...deps, defer: (task) => deferred.push(task) },
      { email },
      { ipAddress: freshIp() },
    );
    // Answered with nothing sent yet: a registered address costs the answer no extra time.
    expect(answer).toEqual({ ok: true });
    expect(sent).toEqual([]);
    expect(deferred).toHaveLength(1);
    await deferred[0]?.();
    expect(tokenFrom(sent[0], "/reset-password")).toMatch(/^[a-z2-7]{32}$/);
  });

  it("a reset link mailed before a password change dies with the change", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const resetToken = tokenFrom(sent[0], "/reset-password");
    expect(await isResetTokenValid(db, resetToken)).toBe(true);
    const changed = await changePassword(
      deps,
      userId,
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { ipAddress: freshIp() },
    );
    expect(changed.ok).toBe(true);
    expect(await isResetTokenValid(db, resetToken)).toBe(false);
  });

  it("limits password guesses on account deletion", async () => {
    const { deps, sent } = setup({ signInPerAccount: { points: 2, duration: 600 } });
    const { userId } = await verifiedAccount(deps, sent);
    for (let i = 0; i < 2; i++) {
      expect(await deleteAccount(deps, userId, { password: "wrong-password-guess" })).toMatchObject(
        { ok: false, status: 401 },
      );
    }
    expect(await deleteAccount(deps, userId, { password: PASSWORD })).toMatchObject({
      ok: false,
      status: 429,
    });
    const [still] = await db.select().from(schema.users).where(eq(schema.users.id, userId));
    expect(still?.id).toBe(userId);
  });

  // -------------------------------------------------------------------------------------
  // Roles, export, deletion

  it("changing a role ends the user's sessions", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const session = await signedIn(deps, email);
    expect(await setUserRole(db, userId, "editor", CLI)).toBe(true);
    expect((await userByEmail(email))?.role).toBe("editor");
    expect(await validateSessionToken(db, session.token)).toBeNull();
    expect(
      (await validateSessionToken(db, (await signedIn(deps, email)).token))?.viewer,
    ).toMatchObject({
      role: "editor",
    });
    expect(await setUserRole(db, randomUUID(), "admin", CLI)).toBe(false);
  });

  it("exports a member's data without password or token hashes", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const sessionA = await signedIn(deps, email);
    const sessionB = await signedIn(deps, email);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    const resetToken = tokenFrom(sent[0], "/reset-password");
    await db.insert(schema.tierJoins).values({ userId, tierSlug: STRATEGIC_CIRCLE });
    await db.insert(schema.applications).values({
      userId,
      tierSlug: LEADERSHIP_ALLIANCE,
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
      statement: "We hold address space and would like to join.",
    });

    const data = await exportAccountData(db, userId);
    expect(data?.account).toMatchObject({ id: userId, email, role: "member" });
    expect(data?.sessions).toHaveLength(2);
    expect(data?.joins).toEqual([expect.objectContaining({ tier: STRATEGIC_CIRCLE })]);
    expect(data?.applications).toEqual([
      expect.objectContaining({ tier: LEADERSHIP_ALLIANCE, organisation: "Example Networks" }),
    ]);
    const json = JSON.stringify(data);
    const user = await userByEmail(email);
    expect(json).not.toContain("$argon2");
    expect(json).not.toContain(user?.passwordHash ?? "");
    for (const secret of [sessionA, sessionB].flatMap((s) => [s.token, s.session.id])) {
      expect(json).not.toContain(secret);
    }
    expect(json).not.toContain(resetToken);
    expect(json).not.toContain(hashToken(resetToken));
    expect(await exportAccountData(db, randomUUID())).toBeNull();
  });

  it("deletes an account only with its password, and everything hanging off it", async () => {
    const { deps, sent } = setup();
    const { email, userId } = await verifiedAccount(deps, sent);
    const session = await signedIn(deps, email);
    await requestPasswordReset(deps, { email }, { ipAddress: freshIp() });
    await db.insert(schema.tierJoins).values({ userId, tierSlug: STRATEGIC_CIRCLE });
    await db.insert(schema.applications).values({
      userId,
      tierSlug: LEADERSHIP_ALLIANCE,
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
      statement: "We hold address space and would like to join.",
    });
    await db.insert(schema.tierGrants).values({
      userId,
      tierSlug: LEADERSHIP_ALLIANCE,
      endsAt: new Date(Date.now() + 86_400_000),
      reason: "test",
    });

    expect(await deleteAccount(deps, userId, { password: NEW_PASSWORD })).toMatchObject({
      ok: false,
      status: 401,
      fieldErrors: { password: [expect.any(String)] },
    });
    expect(await userByEmail(email)).toBeDefined();
    expect(await validateSessionToken(db, session.token)).not.toBeNull();

    // A hook that refuses (a subscription Stripe could not cancel) leaves everything; it is
    // asked only once the password is right.
    const asked: string[] = [];
    const refuse = async (id: string) => {
      asked.push(id);
      return "Your subscription could not be cancelled: try again.";
    };
    expect(
      await deleteAccount(deps, userId, { password: NEW_PASSWORD }, { beforeDelete: refuse }),
    ).toMatchObject({ ok: false, status: 401 });
    expect(asked).toEqual([]);
    expect(
      await deleteAccount(deps, userId, { password: PASSWORD }, { beforeDelete: refuse }),
    ).toEqual({
      ok: false,
      status: 503,
      formError: "Your subscription could not be cancelled: try again.",
    });
    expect(asked).toEqual([userId]);
    expect(await userByEmail(email)).toBeDefined();
    expect(await validateSessionToken(db, session.token)).not.toBeNull();

    expect(
      await deleteAccount(deps, userId, { password: PASSWORD }, { beforeDelete: async () => null }),
    ).toEqual({ ok: true });
    expect(await userByEmail(email)).toBeUndefined();
    expect(await validateSessionToken(db, session.token)).toBeNull();
    const count = async (
      table:
        | typeof schema.sessions
        | typeof schema.authTokens
        | typeof schema.tierJoins
        | typeof schema.applications
        | typeof schema.tierGrants,
    ) => db.$count(table, eq(table.userId, userId));
    for (const table of [
      schema.sessions,
      schema.authTokens,
      schema.tierJoins,
      schema.applications,
      schema.tierGrants,
    ]) {
      expect(await count(table)).toBe(0);
    }
    // The address is free again.
    expect(await signUp(deps, { email, password: PASSWORD }, { ipAddress: freshIp() })).toEqual({
      ok: true,
    });
    expect((await userByEmail(email))?.id).not.toBe(userId);
  });

  it("a session created before a role change cannot be revived", async () => {
    const { deps, sent } = setup();
    const { userId } = await verifiedAccount(deps, sent);
    const { token } = await createSession(db, userId);
    await setUserRole(db, userId, "admin", CLI);
    expect(await validateSessionToken(db, token)).toBeNull();
    const [row] = await db
      .select()
      .from(schema.sessions)
      .where(and(eq(schema.sessions.userId, userId), eq(schema.sessions.id, hashToken(token))));
    expect(row).toBeUndefined();
  });
});
