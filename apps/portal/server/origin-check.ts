import type { NextFunction, Request, Response } from "express";

// Methods that must not change anything, so anyone may send them.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type OriginCheckOptions = {
  /** Origins accepted besides the request's own, e.g. PUBLIC_ORIGIN ("https://host"). */
  allowedOrigins?: readonly string[];
  /**
   * Path prefixes that clients without Origin and Sec-Fetch-Site (servers, not
   * browsers) may post to: webhooks, which prove who sent them with a signature.
   */
  exemptPaths?: readonly string[];
};

/**
 * Cross-site request forgery protection for every state-changing request: documents,
 * resource routes and route data (`.data`) alike, before React Router or the cache run.
 *
 * Browsers say where a request comes from: `Origin` on every non-GET request, and on
 * top `Sec-Fetch-Site` in current ones. A request is let through when
 * - its Origin is our own (scheme://host as Express sees it, so behind a proxy it takes
 *   TRUST_PROXY to see the public one) or an allowed one, or
 * - it has no Origin but Sec-Fetch-Site says same-origin, or none (the user's own action,
 *   e.g. the address bar), or
 * - it has neither, and goes to an exempt path. Other clients without either header
 *   are refused: they are not browsers, and the only non-browser clients we serve are
 *   the exempt ones.
 * Origin "null" (sandboxed frames, some redirects, file: pages) is never ours.
 */
export function originCheck(options: OriginCheckOptions = {}) {
  const allowed = new Set(options.allowedOrigins ?? []);
  const exemptPaths = options.exemptPaths ?? ["/webhooks/"];

  return function originCheckMiddleware(req: Request, res: Response, next: NextFunction): void {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const origin = req.get("origin");
    const site = req.get("sec-fetch-site");
    let permitted: boolean;
    if (origin !== undefined) {
      permitted = origin === requestOrigin(req) || allowed.has(origin);
    } else if (site !== undefined) {
      permitted = site === "same-origin" || site === "none";
    } else {
      permitted = exemptPaths.some((prefix) => req.path.startsWith(prefix));
    }
    if (permitted) {
      next();
      return;
    }
    res
      .status(403)
      .set("Cache-Control", "no-store")
      .type("text/plain")
      .send("Cross-origin request refused");
  };
}

/**
 * The request's own origin as a browser would write it in Origin (lower case, default
 * port dropped), or undefined without a usable Host header.
 */
export function requestOrigin(req: Request): string | undefined {
  const host = req.host;
  if (!host) return undefined;
  try {
    const origin = new URL(`${req.protocol}://${host}`).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}
