import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { listen } from "./listen.testing.ts";
import { responseCache } from "./response-cache.ts";
import { createViewCounter, profileSlugOf, type ViewCounter } from "./view-counter.ts";

const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

describe("profileSlugOf", () => {
  it.each([
    ["/profiles/ripe-ncc", "ripe-ncc"],
    ["/profiles/ripe-ncc.data", "ripe-ncc"],
    ["/profiles/as8075", "as8075"],
  ])("takes %s as %s", (path, slug) => {
    expect(profileSlugOf(path)).toBe(slug);
  });

  it.each([
    "/profiles",
    "/profiles/",
    "/profiles.data",
    "/profiles/ripe-ncc/",
    "/profiles/ripe-ncc/history",
    "/profiles/Ripe-NCC",
    "/profiles/ripe--ncc",
    "/profiles/%00",
    "/news/ripe-ncc",
    "/admin/profiles/ripe-ncc",
    `/profiles/${"a".repeat(201)}`,
  ])("ignores %s", (path) => {
    expect(profileSlugOf(path)).toBeNull();
  });
});

describe("the view counter in front of the micro-cache", () => {
  let base: string;
  let close: () => void;
  let counter: ViewCounter;
  const written: [string, Record<string, number>][] = [];
  const renders = { count: 0 };

  beforeAll(async () => {
    counter = createViewCounter({
      intervalMs: 0,
      record: async (counts, day) => {
        written.push([day, Object.fromEntries(counts)]);
      },
    });
    const app = express();
    app.use(counter.middleware);
    app.use(responseCache({ ttlMs: 60_000, maxEntries: 100 }));
    app.get(["/profiles/:file"], (req, res) => {
      renders.count += 1;
      const slug = String(req.params.file).replace(/\.data$/, "");
      if (slug === "missing") {
        res.status(404).setHeader("Cache-Control", "no-store").end("not found");
        return;
      }
      if (slug === "moved") {
        res.redirect(301, "/profiles/known");
        return;
      }
      res.setHeader("Cache-Control", "public, max-age=60");
      res.end(`profile ${slug}`);
    });
    app.post("/profiles/:file", (_req, res) => {
      res.end("posted");
    });
    ({ base, close } = await listen(app));
  });
  afterAll(() => close());
  beforeEach(async () => {
    // Start each test from nothing pending.
    await counter.flush();
    written.length = 0;
  });

  const get = (path: string, headers: Record<string, string> = { "User-Agent": BROWSER }) =>
    fetch(`${base}${path}`, { headers, redirect: "manual" }).then(async (r) => {
      await r.text();
      return r;
    });
  /** The pending counts of today, once every response in flight has finished. */
  const pendingToday = async (expected: Record<string, number>) => {
    await vi.waitFor(() => {
      const today = new Date().toISOString().slice(0, 10);
      expect(Object.fromEntries(counter.pending().get(today) ?? [])).toEqual(expected);
    });
  };

  it("counts documents and route data, micro-cache hits included", async () => {
    const first = await get("/profiles/known");
    expect(first.headers.get("x-cache")).toBe("MISS");
    const rendered = renders.count;
    const second = await get("/profiles/known");
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(renders.count).toBe(rendered);
    await get("/profiles/known.data");
    await get("/profiles/other");
    await pendingToday({ known: 3, other: 1 });
  });

  it("does not count crawlers, prefetches, errors, redirects, other methods or pages", async () => {
    await get("/profiles/known", { "User-Agent": GOOGLEBOT });
    await get("/profiles/known", {});
    await get("/profiles/known", { "User-Agent": BROWSER, "Sec-Purpose": "prefetch" });
    await get("/profiles/known.data", { "User-Agent": BROWSER, Purpose: "prefetch" });
    await get("/profiles/missing");
    const moved = await get("/profiles/moved");
    expect(moved.status).toBe(301);
    await fetch(`${base}/profiles/known`, { method: "HEAD", headers: { "User-Agent": BROWSER } });
    await fetch(`${base}/profiles/known`, { method: "POST", headers: { "User-Agent": BROWSER } });
    await get("/profiles");
    // One counted view last, so that the waiting below has something to wait for.
    await get("/profiles/other");
    await pendingToday({ other: 1 });
  });

  it("writes the counts in one batch and starts again from zero", async () => {
    await get("/profiles/known");
    await get("/profiles/known");
    await get("/profiles/other.data");
    await pendingToday({ known: 2, other: 1 });
    await counter.flush();
    const today = new Date().toISOString().slice(0, 10);
    expect(written).toEqual([[today, { known: 2, other: 1 }]]);
    expect(counter.pending().size).toBe(0);
    await counter.flush();
    expect(written).toHaveLength(1);
  });
});

describe("createViewCounter", () => {
  it("writes one batch per day, keeps the counts of a failed write, and flushes on stop", async () => {
    let clock = new Date("2025-03-31T23:59:59Z");
    const calls: [string, Record<string, number>][] = [];
    let failNext = false;
    const errors: unknown[] = [];
    const counter = createViewCounter({
      intervalMs: 0,
      now: () => clock,
      onError: (error) => errors.push(error),
      record: async (counts, day) => {
        if (failNext) {
          failNext = false;
          throw new Error("database away");
        }
        calls.push([day, Object.fromEntries(counts)]);
      },
    });
    counter.count("alpha");
    clock = new Date("2025-04-01T00:00:01Z");
    counter.count("alpha");
    counter.count("beta");

    failNext = true;
    await counter.flush();
    expect(errors).toHaveLength(1);
    // The first day's write failed; the second day's went through.
    expect(calls).toEqual([["2025-04-01", { alpha: 1, beta: 1 }]]);
    counter.count("alpha");
    await counter.stop();
    expect(calls).toEqual([
      ["2025-04-01", { alpha: 1, beta: 1 }],
      ["2025-03-31", { alpha: 1 }],
      ["2025-04-01", { alpha: 1 }],
    ]);
    expect(counter.pending().size).toBe(0);
  });

  it("writes on its own every interval, each write after the one before", async () => {
    vi.useFakeTimers();
    try {
      const calls: Record<string, number>[] = [];
      const counter = createViewCounter({
        intervalMs: 10_000,
        record: async (counts) => {
          calls.push(Object.fromEntries(counts));
        },
      });
      counter.start();
      counter.count("alpha");
      await vi.advanceTimersByTimeAsync(9_999);
      expect(calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toEqual([{ alpha: 1 }]);
      counter.count("beta");
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls).toEqual([{ alpha: 1 }, { beta: 1 }]);
      await counter.stop();
      counter.count("gamma");
      await vi.advanceTimersByTimeAsync(60_000);
      // Stopped: nothing is written on its own any more.
      expect(calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps a bounded number of slugs per day", async () => {
    const calls: Record<string, number>[] = [];
    const counter = createViewCounter({
      intervalMs: 0,
      maxSlugs: 2,
      record: async (counts) => {
        calls.push(Object.fromEntries(counts));
      },
    });
    for (const slug of ["a", "b", "c", "a"]) counter.count(slug);
    await counter.flush();
    expect(calls).toEqual([{ a: 2, b: 1 }]);
  });
});
