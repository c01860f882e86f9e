import type { AddressInfo } from "node:net";
import compression from "compression";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseCache } from "./response-cache.ts";

/** A real Express server: each route counts how often it rendered. */
let base: string;
let close: () => void;
const renders = new Map<string, number>();
const rendered = (name: string) => renders.get(name) ?? 0;

beforeAll(async () => {
  const app = express();
  // As in production: compression in front of the cache.
  app.use(compression({ threshold: 0 }));
  app.use(responseCache({ ttlMs: 60_000, maxEntries: 100 }));
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

  it("treats reordered query parameters as the same page", async () => {
    await fetch(`${base}/public?a=1&b=2`);
    const reordered = await fetch(`${base}/public?b=2&a=1`);
    expect(reordered.headers.get("x-cache")).toBe("HIT");
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
