import {
  type AccountDeps,
  type AuditActor,
  createAuthRateLimits,
  createMailer,
  type Failure,
  type Mailer,
  rateLimitOverridesFromEnv,
  validateSessionToken,
} from "@briefings/auth";
import type { Role } from "@briefings/core";
import type { Submission } from "@conform-to/zod/v4";
import { parse as parseCookie } from "cookie";
import { data, redirect, redirectDocument } from "react-router";
import type { RequestContext } from "./context.server.ts";
import { db } from "./db.server.ts";
import { env } from "./env.server.ts";
import { logger } from "./logger.server.ts";
import { SESSION_COOKIE } from "./session-cookie.ts";

// ---------------------------------------------------------------------------------------
// The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on foreign
// sub-requests or cross-site POSTs), Path=/, Secure whenever the site is served over https.

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "HttpOnly",
    "SameSite=Lax",
    "Path=/",
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    "HttpOnly",
    "SameSite=Lax",
    "Path=/",
    "Max-Age=0",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function readSessionToken(cookieHeader: string | undefined | null): string | undefined {
  if (!cookieHeader) return undefined;
  return parseCookie(cookieHeader)[SESSION_COOKIE] || undefined;
}

export type ResolvedSession = Pick<RequestContext, "viewer" | "user" | "sessionId"> & {
  /** A Set-Cookie header to send: the renewed cookie, or one that clears a dead session. */
  setCookie: string | null;
};

/**
 * Reads the session cookie and turns it into the request's viewer. Runs once per request
 * in the Express server, before React Router (server/session.ts).
 */
export async function resolveSession(
  cookieHeader: string | undefined,
  secure: boolean,
): Promise<ResolvedSession> {
  const token = readSessionToken(cookieHeader);
  if (!token)
    return { viewer: { kind: "anonymous" }, user: null, sessionId: null, setCookie: null };
  const validated = await validateSessionToken(await db(), token);
  if (!validated) {
    return {
      viewer: { kind: "anonymous" },
      user: null,
      sessionId: null,
      setCookie: clearSessionCookie(secure),
    };
  }
  return {
    viewer: validated.viewer,
    user: validated.user,
    sessionId: validated.session.id,
    setCookie: validated.renewed ? sessionCookie(token, validated.session.expiresAt, secure) : null,
  };
}

// ---------------------------------------------------------------------------------------
// The account services' dependencies, made once per process.

let mailer: Mailer | undefined;
let limits: ReturnType<typeof createAuthRateLimits> | undefined;

/** The origin links in e-mails point to: configured, never taken from a request's Host. */
export function appUrl(): string {
  return env.PUBLIC_ORIGIN ?? `http://localhost:${env.PORT}`;
}

/**
 * Whether mail kept in the outbox has its links logged, so someone trying the portal on
 * their machine can follow them: in development, and on a local run of the production
 * build (`npm start`) that has neither an SMTP server nor a public origin, whose links can
 * only point to localhost anyway. A deployed server sets PUBLIC_ORIGIN and never logs them.
 */
export function logsMailLinks(): boolean {
  return env.NODE_ENV === "development" || (!env.SMTP_URL && !env.PUBLIC_ORIGIN);
}

export async function accountDeps(): Promise<AccountDeps> {
  const database = await db();
  mailer ??= createMailer({
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM,
    db: database,
    logger,
    logLinks: logsMailLinks(),
  });
  // RATE_LIMIT_* variables may change the limits (the end-to-end runs raise the per-IP ones).
  limits ??= createAuthRateLimits(database, rateLimitOverridesFromEnv());
  return {
    db: database,
    mailer,
    limits,
    appUrl: appUrl(),
    // Mail goes out after the answer: see AccountDeps.defer.
    defer: (task) => {
      task().catch((error: unknown) => logger.error({ err: error }, "sending account mail failed"));
    },
  };
}

export async function closeMailer(): Promise<void> {
  await mailer?.close();
  mailer = undefined;
}

// ---------------------------------------------------------------------------------------
// Guards for loaders and actions.

/** Where to come back to after signing in: a path on this site, never another origin. */
export function safeNextPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > 1000) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}

/** The signed-in user, or a redirect to the sign-in page that comes back here. */
export function requireUser(context: RequestContext, request: Request) {
  if (context.user && context.sessionId)
    return { user: context.user, sessionId: context.sessionId };
  const url = new URL(request.url);
  const next = safeNextPath(`${url.pathname}${url.search}`.replace(/\.data$/, ""));
  throw redirect(`/sign-in?next=${encodeURIComponent(next)}`, {
    headers: { "Cache-Control": "private, no-store" },
  });
}

export const STAFF_ROLES = {
  admin: ["admin", "owner"],
  editor: ["editor", "admin", "owner"],
} as const satisfies Record<string, readonly Role[]>;

/** The signed-in user if their role is one of `roles`; otherwise sign-in, or 403. */
export function requireRole(context: RequestContext, request: Request, roles: readonly Role[]) {
  const signedIn = requireUser(context, request);
  if (!roles.includes(signedIn.user.role)) {
    throw data(
      { message: "You do not have access to this page." },
      { status: 403, headers: { "Cache-Control": "private, no-store" } },
    );
  }
  return signedIn;
}

/** The signed-in staff member as the audit log records them: id, e-mail, address. */
export function auditActor(context: RequestContext): AuditActor {
  if (!context.user) throw new Error("auditActor needs a signed-in user");
  return { id: context.user.id, name: context.user.email, ipAddress: context.clientIp };
}

// ---------------------------------------------------------------------------------------
// Account forms (conform on both sides): the answers of the account routes' actions.

/** Every response of the account and sign-in pages: personal, never stored by anyone. */
export const PRIVATE_NO_STORE = { "Cache-Control": "private, no-store" } as const;

/** Fields whose values a failed submission never echoes back into the page. */
export const SECRET_FIELDS = ["password", "currentPassword", "newPassword", "token"] as const;

type ConformSubmission = Pick<Submission<unknown>, "reply">;
type ReplyOptions = NonNullable<Parameters<ConformSubmission["reply"]>[0]>;

/**
 * conform's reply options for a service's Failure: its field errors beside their fields,
 * its form error above the form, and the secret fields left out of the echoed values.
 */
export function failureReplyOptions(
  failure: Pick<Failure, "fieldErrors" | "formError"> | null,
  hideFields: readonly string[] = SECRET_FIELDS,
): ReplyOptions {
  return {
    ...(failure?.fieldErrors ? { fieldErrors: failure.fieldErrors } : {}),
    ...(failure?.formError ? { formErrors: [failure.formError] } : {}),
    hideFields: [...hideFields],
  };
}

/** The headers of a refused form: private, and with Retry-After when rate limited. */
export function failureHeaders(
  failure: Pick<Failure, "retryAfterSeconds"> | null,
): Record<string, string> {
  return failure?.retryAfterSeconds === undefined
    ? { ...PRIVATE_NO_STORE }
    : { ...PRIVATE_NO_STORE, "Retry-After": String(failure.retryAfterSeconds) };
}

/**
 * The answer to a form that did not go through: conform's result with the errors, and
 * the failure's status (400 when the schema refused a field; 401, 409, 429… from the
 * service), 429 with Retry-After.
 */
export function rejectSubmission(
  submission: ConformSubmission,
  failure: Failure | null = null,
  hideFields: readonly string[] = SECRET_FIELDS,
) {
  return data(submission.reply(failureReplyOptions(failure, hideFields)), {
    status: failure?.status ?? 400,
    headers: failureHeaders(failure),
  });
}

/** Headers the account routes pass on from their loader or action answers. */
const PASSED_ON_HEADERS = ["Retry-After", "Referrer-Policy"] as const;

/**
 * The `headers` of every account route: `private, no-store` whatever happened (loader,
 * action, thrown error), keeping a Retry-After or Referrer-Policy the answers set.
 */
export function privateRouteHeaders({
  loaderHeaders,
  actionHeaders,
  errorHeaders,
}: {
  loaderHeaders?: Headers;
  actionHeaders?: Headers;
  errorHeaders?: Headers | undefined;
}): Headers {
  const headers = new Headers(PRIVATE_NO_STORE);
  for (const source of [loaderHeaders, actionHeaders, errorHeaders]) {
    for (const name of PASSED_ON_HEADERS) {
      const value = source?.get(name);
      if (value) headers.set(name, value);
    }
  }
  return headers;
}

/** What a new session records about the browser that started it. */
export function sessionMeta(request: Request, context: Pick<RequestContext, "clientIp">) {
  return { userAgent: request.headers.get("user-agent"), ipAddress: context.clientIp };
}

/**
 * A redirect that signs the browser in with a new session. `document`: the target is a
 * resource route (a download), which the browser must load itself, not the client router.
 */
export function redirectSignedIn(
  to: string,
  started: { token: string; session: { expiresAt: Date } },
  secure: boolean,
  options: { document?: boolean } = {},
) {
  return (options.document ? redirectDocument : redirect)(to, {
    headers: {
      ...PRIVATE_NO_STORE,
      "Set-Cookie": sessionCookie(started.token, started.session.expiresAt, secure),
    },
  });
}

/** A redirect that drops the browser's session cookie. */
export function redirectSignedOut(to: string, secure: boolean) {
  return redirect(to, {
    headers: { ...PRIVATE_NO_STORE, "Set-Cookie": clearSessionCookie(secure) },
  });
}
