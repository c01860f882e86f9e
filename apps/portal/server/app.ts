import { recordProfileViews } from "@briefings/db/queries";
import { createRequestHandler } from "@react-router/express";
import express from "express";
import "react-router";
import {
  closeMailer,
  logsMailLinks,
  type ResolvedSession,
  resolveSession,
} from "../app/lib/auth.server.ts";
import type { RequestContext } from "../app/lib/context.server.ts";
import { getDatabase, shutdownDatabase } from "../app/lib/db.server.ts";
import { startDigestJob, stopDigestJob } from "../app/lib/digest.server.ts";
import { env } from "../app/lib/env.server.ts";
import { logger } from "../app/lib/logger.server.ts";
import { onPublicContentChange } from "../app/lib/public-cache.server.ts";
import { startScheduler, stopScheduler } from "../app/lib/scheduler.server.ts";
import { SESSION_COOKIE } from "../app/lib/session-cookie.ts";
import { originCheck, requestOrigin } from "./origin-check.ts";
import { privateResponses } from "./private-responses.ts";
import { responseCache } from "./response-cache.ts";
import { securityHeaders } from "./security-headers.ts";
import { createViewCounter } from "./view-counter.ts";

export { logger };

// Anonymous page views of profiles, written in one batch every 10 s (view-counter.ts).
const profileViews = createViewCounter({
  record: async (counts, day) => recordProfileViews((await getDatabase()).db, counts, day),
  onError: (error) =>
    logger.warn({ err: error }, "profile views not written; kept for the next try"),
});

/** Opens the database, applies migrations and seeds demo content into an empty one. */
export async function startup(): Promise<void> {
  await getDatabase();
  profileViews.start();
  startScheduler();
  startDigestJob();
  if (env.NODE_ENV === "production") warnAboutProductionSettings();
}

/** Settings that are fine on a laptop and wrong on a public server. */
function warnAboutProductionSettings(): void {
  if (!env.PUBLIC_ORIGIN)
    logger.warn(`PUBLIC_ORIGIN is not set: links in e-mails point to http://localhost:${env.PORT}`);
  if (!env.SMTP_URL)
    logger.warn(
      logsMailLinks()
        ? "SMTP_URL is not set: mail is kept in the outbox table and its links are logged here (a local run)"
        : "SMTP_URL is not set: mail, with its sign-in links, is kept in the outbox table",
    );
  if (env.TRUST_PROXY === true)
    logger.warn(
      "TRUST_PROXY=true believes any X-Forwarded-For a client sends, so per-IP limits can be dodged; give the number of proxies or their addresses",
    );
}

export async function shutdown(): Promise<void> {
  await stopScheduler();
  await stopDigestJob();
  // The last profile views are written while the database is still open.
  await profileViews.stop();
  await closeMailer();
  await shutdownDatabase();
}

/**
 * Whether the browser talks https to us. Behind a TLS proxy that is not trusted,
 * req.secure is false; a public https origin still means https, so cookies must be Secure.
 */
function isSecure(req: express.Request): boolean {
  return req.secure || env.PUBLIC_ORIGIN?.startsWith("https:") === true;
}

export const app = express();
// server.js disables this on the outer app; a mounted app has its own setting.
app.disable("x-powered-by");
// Which proxies' X-Forwarded-* headers to believe for req.ip, req.protocol (req.secure)
// and req.host. Set on this app because it is the one that reads them.
app.set("trust proxy", env.TRUST_PROXY);

// Order matters: the security headers (and the CSP nonce) go on every response, even those
// answered below; the cache policy hook must be in place before anything writes headers;
// forged requests are refused before the cache or React Router can act on them.
app.use(securityHeaders);
app.use(privateResponses({ cookieName: SESSION_COOKIE }));
app.use(
  originCheck({
    allowedOrigins: env.PUBLIC_ORIGIN ? [env.PUBLIC_ORIGIN] : [],
    // Mail providers post one-click unsubscribes (RFC 8058) without Origin; the signed token
    // in the link, not a cookie, is what that request proves.
    exemptPaths: ["/webhooks/", "/unsubscribe"],
  }),
);
// Counts profile views before the micro-cache, so that pages it serves count too.
app.use(profileViews.middleware);
const publicPages = responseCache({ ttlMs: env.RESPONSE_CACHE_SECONDS * 1000, maxEntries: 2000 });
onPublicContentChange(publicPages.clear);
app.use(publicPages);
// Who is asking: the session cookie checked once per request (after the cache, which
// only ever answers cookie-less requests). A renewed or dead session's cookie is set here.
app.use((req, res, next) => {
  resolveSession(req.headers.cookie, isSecure(req))
    .then((session) => {
      if (session.setCookie) res.append("Set-Cookie", session.setCookie);
      res.locals.session = session;
      next();
    })
    .catch(next);
});
app.use(
  createRequestHandler({
    build: () => import("virtual:react-router/server-build"),
    getLoadContext: (req, res): RequestContext => {
      const session = res.locals.session as ResolvedSession;
      return {
        cspNonce: res.locals.cspNonce ?? "",
        clientIp: req.ip ?? "",
        secure: isSecure(req),
        // Without a Host header (HTTP/1.0) there is no origin to see; fall back to the
        // configured public one.
        origin: requestOrigin(req) ?? env.PUBLIC_ORIGIN ?? `${req.protocol}://localhost`,
        viewer: session.viewer,
        user: session.user,
        sessionId: session.sessionId,
      };
    },
  }),
);
