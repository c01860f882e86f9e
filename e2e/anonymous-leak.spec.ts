import { readFileSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, test } from "@playwright/test";

/**
 * Crawls everything an anonymous reader can reach — every page linked from the home
 * page, its route data (`.data`), and error pages — and proves that no canary planted
 * in gated briefings (see prepare-database.ts) is in any body or header.
 */

const canaryFile = path.resolve(import.meta.dirname, "..", "test-results", "e2e-canary.json");
const MAX_PAGES = 400;

function dataUrl(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, "http://x");
  url.pathname = url.pathname === "/" ? "/_root.data" : `${url.pathname.replace(/\/$/, "")}.data`;
  return url.pathname + url.search;
}

function sameOriginLinks(html: string): string[] {
  const links = new Set<string>();
  for (const match of html.matchAll(/href="(\/[^"#]*)(?:#[^"]*)?"/g)) {
    const href = (match[1] ?? "").replaceAll("&amp;", "&");
    if (href.startsWith("/assets/") || href.startsWith("//")) continue;
    links.add(href);
  }
  return [...links];
}

async function fetchText(request: APIRequestContext, url: string) {
  const response = await request.get(url, { maxRedirects: 0, failOnStatusCode: false });
  const headers = Object.entries(response.headers())
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  return {
    status: response.status(),
    body: await response.text(),
    headers,
    type: response.headers()["content-type"] ?? "",
  };
}

test("no gated canary reaches an anonymous reader: pages, route data, error pages", async ({
  request,
}) => {
  test.setTimeout(180_000);
  const { canary, planted, control } = JSON.parse(readFileSync(canaryFile, "utf8")) as {
    canary: string;
    planted: number;
    control: string;
  };
  // Every gated briefing of the demo content carries the canary (41 profiles × 3 + 46 articles).
  expect(planted).toBe(41 * 3 + 46);

  const queue = ["/"];
  const seen = new Set<string>(queue);
  const fetched: string[] = [];
  const leaks: string[] = [];
  const controlSeenIn: string[] = [];
  const check = (url: string, text: string) => {
    if (text.includes(control)) controlSeenIn.push(url);
    if (text.includes(canary)) leaks.push(url);
    fetched.push(url);
  };

  while (queue.length > 0 && fetched.length < MAX_PAGES * 2) {
    const url = queue.shift() as string;
    const page = await fetchText(request, url);
    check(url, page.body + page.headers);
    if (page.type.includes("text/html")) {
      for (const link of sameOriginLinks(page.body)) {
        if (!seen.has(link)) {
          seen.add(link);
          queue.push(link);
        }
      }
    }
    const data = await fetchText(request, dataUrl(url));
    check(dataUrl(url), data.body + data.headers);
  }

  const errorPages = [
    "/no-such-page",
    "/profiles/no-such-profile",
    "/profiles/no-such-profile.data",
    "/news/no-such-article",
    "/news/no-such-article.data",
    "/profiles?after=tampered",
    "/profiles.data?after=tampered",
    "/profiles?grade=Z",
    "/news?after=tampered",
  ];
  for (const url of errorPages) {
    const page = await fetchText(request, url);
    expect(page.status, url).toBeGreaterThanOrEqual(400);
    check(url, page.body + page.headers);
  }

  // The crawl is only evidence if it finished and reached the gated pages, and if it
  // found the public control text in both the page and its route data.
  expect(queue, "the crawl stopped at its page limit").toEqual([]);
  expect(controlSeenIn).toContain(
    "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai",
  );
  expect(controlSeenIn).toContain(
    "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai.data",
  );
  expect(fetched).toContain(
    "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai",
  );
  expect(fetched).toContain(
    "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai.data",
  );
  expect(fetched.some((url) => url.startsWith("/news/the-microsoft-police-state"))).toBe(true);
  expect(
    fetched.filter((url) => url.startsWith("/profiles/") && !url.endsWith(".data")).length,
  ).toBeGreaterThanOrEqual(41);
  expect(
    fetched.filter((url) => url.startsWith("/news/") && !url.endsWith(".data")).length,
  ).toBeGreaterThanOrEqual(46);
  expect(leaks).toEqual([]);
});

test("locked teasers say how much is withheld without carrying any of it", async ({ request }) => {
  const { canary } = JSON.parse(readFileSync(canaryFile, "utf8")) as { canary: string };
  const page = await fetchText(
    request,
    "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai",
  );
  expect(page.status).toBe(200);
  expect(page.body).not.toContain(canary);
  expect(page.body).toContain("Deeper Profile Context");
  expect(page.body).toMatch(/\d+ words? withheld/);
  expect(page.headers).toMatch(/cache-control: public, max-age=60/);
});
