import { createContext, useContext } from "react";
import { config } from "zod/v4/core";

/**
 * What the document needs to run under the content security policy of
 * server/security-headers.ts (scripts only with the response's nonce, no eval).
 */

/**
 * The CSP nonce of the response being rendered, for the inline scripts of the document.
 * entry.server.tsx provides it; in the browser there is no provider and it is undefined,
 * which is all hydration needs: the browser hides nonce attributes from scripts anyway, and
 * React Router's script elements suppress hydration warnings for them.
 */
const NonceContext = createContext<string | undefined>(undefined);

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}

// Zod (shipped to the browser with @briefings/core) probes whether it may compile parsers
// with `new Function`. The policy forbids eval, so the probe fails, harmlessly, but the
// browser still reports it as a violation; jitless mode skips the probe. This module is
// imported by root.tsx, so it runs before any route module parses. The server keeps the
// faster compiled parsers.
if (typeof document !== "undefined") config({ jitless: true });
