import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "./listen.testing.ts";
import { securityHeaders } from "./security-headers.ts";

let direct: string;
let proxied: string;
const closers: (() => void)[] = [];

function appWith(trustProxy: boolean) {
  const app = express();
  app.set("trust proxy", trustProxy);
  app.use(securityHeaders);
  // Echoes the nonce the middleware handed on, as React Router's context would get it.
  app.get("/", (_req, res) => {
    res.type("text/plain").send(res.locals.cspNonce);
  });
  app.get("/missing", (_req, res) => {
    res.status(404).type("text/plain").send("not found");
  });
  return app;
}

beforeAll(async () => {
  const plain = await listen(appWith(false));
  const behindProxy = await listen(appWith(true));
  direct = plain.base;
  proxied = behindProxy.base;
  closers.push(plain.close, behindProxy.close);
});
afterAll(() => {
  for (const close of closers) close();
});

describe("securityHeaders", () => {
  it("sends a policy with a fresh nonce per response, the one handed to the app", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(direct);
      const nonce = await response.text();
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect(response.headers.get("content-security-policy")).toBe(
        "default-src 'self'; " +
          `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'; ` +
          "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; " +
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; " +
          "object-src 'none'",
      );
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
  });

  it("sends the fixed headers on every response, errors included", async () => {
    const response = await fetch(`${direct}/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(response.headers.get("permissions-policy")).toBe(
      "camera=(), microphone=(), geolocation=()",
    );
    expect(response.headers.get("content-security-policy")).toContain("'nonce-");
  });

  it("sends HSTS only for requests that came over https", async () => {
    const hsts = async (base: string, headers: Record<string, string> = {}) =>
      (await fetch(base, { headers })).headers.get("strict-transport-security");
    expect(await hsts(direct)).toBeNull();
    // A client cannot claim https unless the proxy it claims through is trusted.
    expect(await hsts(direct, { "x-forwarded-proto": "https" })).toBeNull();
    expect(await hsts(proxied)).toBeNull();
    expect(await hsts(proxied, { "x-forwarded-proto": "https" })).toBe(
      "max-age=31536000; includeSubDomains",
    );
  });
});
