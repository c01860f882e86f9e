import http from "node:http";
import type { AddressInfo } from "node:net";
import compression from "compression";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseCache } from "./response-cache.ts";
import { securityHeaders } from "./security-headers.ts";

/** A GET with headers fetch() will not send (Host). */
function request(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        response.resume();
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers }),
        );
      })
      .on("error", reject);
  });
}

/** A real Express server: each route counts how often it rendered. */
let base: string;
let close: () => void;
let cache: ReturnType<typeof responseCache>;
const renders = new Map<string, number>();
const rendered = (name: string) => renders.get(name) ?? 0;

beforeAll(async () => {
  const app = express();
  // As in production: compression in front of the cache.
  app.use(compression({ threshold: 0 }));
  app.use(securityHeaders);
  cache = responseCache({ ttlMs: 60_000, maxEntries: 100 });
  app.use(cache);
  const count = (name: string) => renders.set(name, rendered(name) + 1);
  app.get("/public", (_req, res) => {
    count("public");
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.setHeader("Cache-Control", "public, max-age=60");
    res.write("<p>part one, ");
    res.end(`rendered ${rendered("public")}</p>`);
  });
  app.get("/private", (req, res) => {
    count("private");
    res.setHeader("Cache-Control", "private, no-store");
    res.end(`secret for ${req.headers.cookie ?? "nobody"} ${rendered("private")}`);
  });
  app.get("/sets-cookie", (_req, res) => {
    count("sets-cookie");
    res.setHeader("Cache-Control", "public, max-age=60");
    res.setHeader("Set-Cookie", "session=abc");
    res.end(`with cookie ${rendered("sets-cookie")}`);
  });
  app.get("/nonced", (_req, res) => {
    count("nonced");
    const nonce = res.locals.cspNonce;
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.setHeader("Cache-Control", "public, max-age=60");
    // Non-ASCII text around the nonces: the rewrite must leave the UTF-8 intact.
    res.write(`<p>Zoë’s page</p><script nonce="${nonce}">hydrate()</script>`);
    res.end(`<link rel="modulepreload" nonce="${nonce}"><script nonce="${nonce}">go()</script>`);
  });
  app.get("/missing", (_req, res) => {
    count("missing");
    res.status(404).setHeader("Cache-Control", "public, max-age=60");
    res.end("not found");
  });
  await new Promise<void>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => server.close();
      resolve();
    });
  });
});
afterAll(() => close?.());

describe("responseCache", () => {
  it("serves a public response to anonymous readers from memory, whole", async () => {
    const first = await fetch(`${base}/public?page=1`);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const firstBody = await first.text();
    const second = await fetch(`${base}/public?page=1`);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get("cache-control")).toBe("public, max-age=60");
    expect(firstBody).toBe("<p>part one, rendered 1</p>");
    // Another query string is another page.
    await fetch(`${base}/public?page=2`);
    expect(rendered("public")).toBe(2);
  });

  it("encodes each hit afresh for its client when compression is in front", async () => {
    const gzip = { "accept-encoding": "gzip" };
    const first = await fetch(`${base}/public?page=zip`, { headers: gzip });
    expect(first.headers.get("content-encoding")).toBe("gzip");
    const firstBody = await first.text();
    const plain = await fetch(`${base}/public?page=zip`, {
      headers: { "accept-encoding": "identity" },
    });
    expect(plain.headers.get("x-cache")).toBe("HIT");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(firstBody);
    const zipped = await fetch(`${base}/public?page=zip`, { headers: gzip });
    expect(zipped.headers.get("x-cache")).toBe("HIT");
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(await zipped.text()).toBe(firstBody);
  });

  it("never serves or stores for a request that carries a cookie", async () => {
    await fetch(`${base}/public?who=a`);
    const withCookie = await fetch(`${base}/public?who=a`, { headers: { cookie: "session=x" } });
    expect(withCookie.headers.get("x-cache")).toBeNull();
    const before = rendered("public");
    await fetch(`${base}/public?who=b`, { headers: { cookie: "session=x" } });
    const anonymous = await fetch(`${base}/public?who=b`);
    expect(anonymous.headers.get("x-cache")).toBe("MISS");
    expect(rendered("public")).toBe(before + 2);
  });

  it("gives a hit the current request's nonce, in its policy and in every script", async () => {
    const nonceOf = (response: Response) =>
      /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
    const first = await fetch(`${base}/nonced`);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const storedNonce = nonceOf(first);
    expect(storedNonce).toBeTruthy();
    const firstBody = await first.text();
    expect(firstBody.split(`nonce="${storedNonce}"`)).toHaveLength(4);

    for (const encoding of ["identity", "gzip"]) {
      const hit = await fetch(`${base}/nonced`, { headers: { "accept-encoding": encoding } });
      expect(hit.headers.get("x-cache")).toBe("HIT");
      const nonce = nonceOf(hit);
      expect(nonce).toBeTruthy();
      expect(nonce).not.toBe(storedNonce);
      expect(hit.headers.get("content-security-policy")).not.toContain(storedNonce);
      const body = await hit.text();
      expect(body).not.toContain(storedNonce);
      expect(body.split(`nonce="${nonce}"`)).toHaveLength(4);
      // Nothing else changed.
      expect(body.replaceAll(nonce as string, storedNonce as string)).toBe(firstBody);
    }
    expect(rendered("nonced")).toBe(1);
  });

  it("treats reordered query parameters as the same page", async () => {
    await fetch(`${base}/public?a=1&b=2`);
    const reordered = await fetch(`${base}/public?b=2&a=1`);
    expect(reordered.headers.get("x-cache")).toBe("HIT");
  });

  it("keeps pages apart by host, so a forged Host header cannot fill the cache", async () => {
    const before = rendered("public");
    await fetch(`${base}/public?host=1`);
    const other = await request(`${base}/public?host=1`, { host: "evil.example" });
    expect(other.headers["x-cache"]).toBe("MISS");
    const again = await request(`${base}/public?host=1`, { host: "evil.example" });
    expect(again.headers["x-cache"]).toBe("HIT");
    expect(rendered("public")).toBe(before + 2);
  });

  it("never stores private responses, responses that set a cookie, or errors", async () => {
    for (const path of ["/private", "/sets-cookie", "/missing"]) {
      await fetch(`${base}${path}`);
      const again = await fetch(`${base}${path}`);
      expect(again.headers.get("x-cache"), path).toBe("MISS");
    }
    expect(rendered("private")).toBe(2);
    expect(rendered("sets-cookie")).toBe(2);
    expect(rendered("missing")).toBe(2);
  });
});

describe("clearing the cache", () => {
  it("renders afresh after clear(): an editor's change reaches the next reader", async () => {
    await fetch(`${base}/public`);
    const before = rendered("public");
    await fetch(`${base}/public`);
    expect(rendered("public")).toBe(before);
    cache.clear();
    const fresh = await fetch(`${base}/public`);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(rendered("public")).toBe(before + 1);
  });
});
