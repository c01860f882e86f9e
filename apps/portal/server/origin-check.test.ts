import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "./listen.testing.ts";
import { originCheck } from "./origin-check.ts";

let base: string;
let proxied: string;
const closers: (() => void)[] = [];

function appWith(trustProxy: boolean) {
  const app = express();
  app.set("trust proxy", trustProxy);
  app.use(originCheck({ allowedOrigins: ["https://public.example"] }));
  app.all("/{*path}", (req, res) => {
    res.type("text/plain").send(`handled ${req.method} ${req.path}`);
  });
  return app;
}

beforeAll(async () => {
  const plain = await listen(appWith(false));
  const behindProxy = await listen(appWith(true));
  base = plain.base;
  proxied = behindProxy.base;
  closers.push(plain.close, behindProxy.close);
});
afterAll(() => {
  for (const close of closers) close();
});

async function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  server = base,
) {
  const response = await fetch(`${server}${path}`, { method, headers });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe("originCheck", () => {
  it("lets safe methods through from anywhere", async () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const response = await send(method, "/", { origin: "https://evil.example" });
      expect(response.status, method).toBe(200);
    }
  });

  it("accepts requests from our own origin and from the allowed one", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect((await send(method, "/form", { origin: base })).status, method).toBe(200);
    }
    expect((await send("POST", "/x.data", { origin: "https://public.example" })).status).toBe(200);
  });

  it("refuses a foreign or null Origin with a plain 403, whatever else the request says", async () => {
    for (const origin of [
      "https://evil.example",
      "null",
      base.replace("127.0.0.1", "localhost"),
      base.replace("http:", "https:"),
      `${base}.evil.example`,
      "https://public.example:8443",
    ]) {
      const response = await send("POST", "/form", {
        origin,
        // A header an attacker's page cannot set, but its claim must not help either.
        "sec-fetch-site": "same-origin",
      });
      expect(response.status, origin).toBe(403);
      expect(response.body).toBe("Cross-origin request refused");
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    // Resource routes, route data and webhooks alike.
    for (const path of ["/_root.data", "/news.data", "/feed.xml", "/webhooks/billing"]) {
      const response = await send("POST", path, { origin: "https://evil.example" });
      expect(response.status, path).toBe(403);
    }
  });

  it("without Origin, trusts Sec-Fetch-Site only when same-origin or none", async () => {
    for (const site of ["same-origin", "none"]) {
      expect((await send("POST", "/form", { "sec-fetch-site": site })).status, site).toBe(200);
    }
    for (const site of ["same-site", "cross-site", "bogus"]) {
      expect((await send("POST", "/form", { "sec-fetch-site": site })).status, site).toBe(403);
    }
  });

  it("refuses clients that send neither header, except on exempt paths", async () => {
    expect((await send("POST", "/form")).status).toBe(403);
    expect((await send("DELETE", "/webhooks")).status).toBe(403);
    const webhook = await send("POST", "/webhooks/billing");
    expect(webhook.status).toBe(200);
    expect(webhook.body).toBe("handled POST /webhooks/billing");
  });

  it("sees its own origin through a trusted proxy, and only through a trusted one", async () => {
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "briefings.example" };
    const origin = "https://briefings.example";
    expect((await send("POST", "/form", { ...forwarded, origin }, proxied)).status).toBe(200);
    expect((await send("POST", "/form", { ...forwarded, origin }, base)).status).toBe(403);
    // Behind the proxy, the direct address is no longer our origin.
    expect((await send("POST", "/form", { ...forwarded, origin: proxied }, proxied)).status).toBe(
      403,
    );
  });
});
