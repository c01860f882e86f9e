import type { NextFunction, Request, Response } from "express";
import onHeaders from "on-headers";

export type PrivateResponsesOptions = {
  /** The session cookie: a request carrying it is a signed-in reader's. */
  cookieName: string;
};

/**
 * The last word on caching, whatever a route said: a response to a request that carries
 * the session cookie, or a response that sets a cookie, is `Cache-Control: private,
 * no-store`. A route that forgets to vary its cache policy by viewer (or a session
 * refresh on a public page) can then never put one reader's page or cookie into a
 * shared cache for another. Every response also varies by Cookie, so a shared cache that
 * stores an anonymous reader's public page never hands it to a signed-in one.
 *
 * The decision is taken when the headers are written, after every route and middleware
 * has set its own.
 */
export function privateResponses(options: PrivateResponsesOptions) {
  const { cookieName } = options;
  return function privateResponsesMiddleware(
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    const signedIn = hasCookie(req.headers.cookie, cookieName);
    onHeaders(res, () => {
      if (signedIn || res.getHeader("set-cookie") !== undefined) {
        res.setHeader("Cache-Control", "private, no-store");
      }
      res.vary("Cookie");
    });
    next();
  };
}

/** Whether a Cookie header holds a cookie of that name (with any value, even empty). */
function hasCookie(header: string | undefined, name: string): boolean {
  if (!header) return false;
  return header.split(";").some((pair) => {
    const equals = pair.indexOf("=");
    return (equals === -1 ? pair : pair.slice(0, equals)).trim() === name;
  });
}
