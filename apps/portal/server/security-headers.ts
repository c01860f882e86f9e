import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

declare global {
  namespace Express {
    interface Locals {
      /** This response's CSP nonce, set by `securityHeaders`. */
      cspNonce?: string;
    }
  }
}

/**
 * The content security policy of a response whose inline scripts carry `nonce`.
 *
 * - Scripts: only those carrying this response's nonce (React Router's inline hydration
 *   and module scripts, React's streaming scripts, entry.server.tsx passes the nonce to
 *   both), plus whatever they load ('strict-dynamic': route modules are imported at
 *   run time). 'self' is only a fallback for browsers without 'strict-dynamic'.
 * - Styles: Vite's built CSS is a linked same-origin stylesheet; 'unsafe-inline' keeps
 *   `style` attributes working, which cannot run code.
 * - Images: article images are remote https URLs chosen by editors.
 * - Everything else (fonts, route data fetches, form posts) stays on our own origin, and
 *   no one may frame us, change the base URL, or load plugins.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Headers every response carries, and the per-request CSP nonce in `res.locals.cspNonce`
 * (handed to React Router as `context.cspNonce` by app.ts). Mounted first, so even
 * responses the other middleware answer themselves (403s, cache hits) carry them.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  // 128 random bits per response: a nonce an attacker could predict or replay is no nonce.
  const nonce = randomBytes(16).toString("base64");
  res.locals.cspNonce = nonce;
  res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  // Older browsers' frame-ancestors.
  res.setHeader("X-Frame-Options", "DENY");
  // A page we open (an outbound source link) gets no handle on our window.
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // Browsers ignore HSTS over plain http, and sending it from a local http server would only
  // mislead: only when the request really came over https (directly or, with TRUST_PROXY,
  // through a proxy that says so).
  if (req.secure) {
    res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
  next();
}
