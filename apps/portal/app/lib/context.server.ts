import type { Viewer } from "@briefings/core";

/** The signed-in account behind a request, as the session check loaded it. */
export type SessionUser = {
  id: string;
  email: string;
  emailVerified: boolean;
  role: "member" | "editor" | "admin" | "owner";
};

/**
 * What the Express server hands every loader and action (`context`): built once per
 * request by server/app.ts, before React Router runs.
 */
export type RequestContext = {
  /** The nonce of this response's Content-Security-Policy, for inline scripts. */
  cspNonce: string;
  /** The client's address (behind a trusted proxy: the forwarded one). */
  clientIp: string;
  /** Whether the request reached us over https (directly or through a trusted proxy). */
  secure: boolean;
  /** The request's own origin, e.g. "https://briefings.example". */
  origin: string;
  /** Who is asking: the only input to access decisions. */
  viewer: Viewer;
  /** The signed-in account and its session id, or null for anonymous readers. */
  user: SessionUser | null;
  sessionId: string | null;
};

declare module "react-router" {
  interface AppLoadContext extends RequestContext {}
}
