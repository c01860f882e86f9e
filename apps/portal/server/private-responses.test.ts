import compression from "compression";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../app/lib/session-cookie.ts";
import { listen } from "./listen.testing.ts";
import { privateResponses } from "./private-responses.ts";

let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(compression({ threshold: 0 }));
  app.use(privateResponses({ cookieName: SESSION_COOKIE }));
  // A route that (wrongly) calls any response public, as one that forgot the viewer would.
  app.get("/public", (_req, res) => {
    res.set("Cache-Control", "public, max-age=60").send("a public page");
  });
  app.get("/varies", (_req, res) => {
    res.set("Cache-Control", "public, max-age=60").vary("Accept-Language").send("varies");
  });
  app.get("/sets-cookie", (_req, res) => {
    res.set("Cache-Control", "public, max-age=60");
    res.cookie("flash", "saved").send("with a cookie");
  });
  // Headers handed straight to writeHead, as Node-level code (and some adapters) do.
  app.get("/write-head", (_req, res) => {
    res.writeHead(200, {
      "Cache-Control": "public, max-age=60",
      "Set-Cookie": "flash=saved",
      "Content-Type": "text/plain",
    });
    res.end("raw");
  });
  ({ base, close } = await listen(app));
});
afterAll(() => close?.());

const get = (path: string, cookie?: string) =>
  fetch(`${base}${path}`, cookie ? { headers: { cookie } } : {});

describe("privateResponses", () => {
  it("leaves an anonymous public response public, varying by Cookie", async () => {
    const response = await get("/public");
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    expect(response.headers.get("vary")).toMatch(/\bCookie\b/);
    expect(await response.text()).toBe("a public page");
  });

  it("makes every response to a request with the session cookie private", async () => {
    for (const cookie of [
      `${SESSION_COOKIE}=abc`,
      `theme=dark; ${SESSION_COOKIE}=abc; other=1`,
      `${SESSION_COOKIE}=`,
    ]) {
      const response = await get("/public", cookie);
      expect(response.headers.get("cache-control"), cookie).toBe("private, no-store");
      expect(response.headers.get("vary"), cookie).toMatch(/\bCookie\b/);
    }
  });

  it("ignores other cookies, even with a similar name", async () => {
    const response = await get("/public", `theme=dark; ${SESSION_COOKIE}_old=abc`);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
  });

  it("makes a response that sets a cookie private, however the cookie was set", async () => {
    for (const path of ["/sets-cookie", "/write-head"]) {
      const response = await get(path);
      expect(response.headers.get("set-cookie"), path).toContain("flash=saved");
      expect(response.headers.get("cache-control"), path).toBe("private, no-store");
      expect(response.headers.get("vary"), path).toMatch(/\bCookie\b/);
    }
  });

  it("adds Cookie to the Vary a route set, keeping the route's own", async () => {
    const response = await get("/varies", "accept-language=de");
    const vary = (response.headers.get("vary") ?? "").split(/\s*,\s*/);
    expect(vary).toContain("Accept-Language");
    expect(vary).toContain("Cookie");
    // compression adds its own; nothing is repeated.
    expect(vary.filter((field) => field === "Cookie")).toHaveLength(1);
  });
});
