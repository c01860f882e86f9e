import { readFileSync } from "node:fs";
import type { SitemapIndexEntry, SitemapUrl } from "@briefings/db/queries";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import {
  renderRobots,
  renderSitemapIndex,
  renderUrlset,
  robotsResponse,
  sitemapResponse,
  w3cDatetime,
} from "./sitemap.server.ts";

const ORIGIN = "https://briefings.example.org";

/** The official schemas of sitemaps.org (protocol 0.9), unchanged. */
const fixture = (name: string) => ({
  fileName: name,
  contents: readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8"),
});
const SITEMAP_XSD = fixture("sitemap.xsd");
const SITEINDEX_XSD = fixture("siteindex.xsd");

async function validate(xml: string, schema: typeof SITEMAP_XSD) {
  return validateXML({ xml: [{ fileName: "document.xml", contents: xml }], schema: [schema] });
}

const INDEX: SitemapIndexEntry[] = [
  { name: "pages", lastmod: new Date("2024-06-15T12:00:00.123Z") },
  { name: "profiles-1", lastmod: new Date("2024-05-20T12:00:00Z") },
  { name: "articles-1", lastmod: null },
];

const URLS: SitemapUrl[] = [
  { path: "/", lastmod: new Date("2024-06-15T12:00:00Z") },
  { path: "/profiles", lastmod: null },
  { path: "/topics/routing-peering", lastmod: new Date("2024-06-01T00:00:00Z") },
  { path: "/news/fish-chips-1a2b3c", lastmod: new Date("2024-02-15T08:30:59.999Z") },
];

describe("sitemap XML", () => {
  it("writes lastmod as a W3C datetime to the second, in UTC", () => {
    expect(w3cDatetime(new Date("2024-02-15T08:30:59.999Z"))).toBe("2024-02-15T08:30:59Z");
  });

  it("writes an index the official siteindex.xsd accepts", async () => {
    const xml = renderSitemapIndex(INDEX, ORIGIN);
    const result = await validate(xml, SITEINDEX_XSD);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(xml).toContain(`<loc>${ORIGIN}/sitemaps/pages.xml</loc>`);
    expect(xml).toContain(
      `<sitemap><loc>${ORIGIN}/sitemaps/profiles-1.xml</loc><lastmod>2024-05-20T12:00:00Z</lastmod></sitemap>`,
    );
    // A chunk without a date has no lastmod rather than an invented one.
    expect(xml).toContain(`<sitemap><loc>${ORIGIN}/sitemaps/articles-1.xml</loc></sitemap>`);
  });

  it("writes chunks the official sitemap.xsd accepts", async () => {
    const xml = renderUrlset(URLS, ORIGIN);
    const result = await validate(xml, SITEMAP_XSD);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(xml).toContain(
      `<url><loc>${ORIGIN}/</loc><lastmod>2024-06-15T12:00:00Z</lastmod></url>`,
    );
    expect(xml).toContain(`<url><loc>${ORIGIN}/profiles</loc></url>`);
  });

  it("escapes what XML needs escaped in a location", async () => {
    const xml = renderUrlset([{ path: "/news/a?b=1&c=<2>", lastmod: null }], ORIGIN);
    expect(xml).toContain(`<loc>${ORIGIN}/news/a?b=1&amp;c=%3C2%3E</loc>`);
    expect((await validate(xml, SITEMAP_XSD)).valid).toBe(true);
  });

  it.each([
    [
      "an index checked against the chunk schema",
      () => renderSitemapIndex(INDEX, ORIGIN),
      SITEMAP_XSD,
    ],
    ["a chunk checked against the index schema", () => renderUrlset(URLS, ORIGIN), SITEINDEX_XSD],
    [
      "a lastmod that is not a W3C datetime",
      () => renderUrlset(URLS, ORIGIN).replace("2024-06-15T12:00:00Z", "15 June 2024"),
      SITEMAP_XSD,
    ],
    [
      "a url without its loc",
      () => renderUrlset(URLS, ORIGIN).replace(`<loc>${ORIGIN}/profiles</loc>`, ""),
      SITEMAP_XSD,
    ],
    ["an empty urlset", () => renderUrlset([], ORIGIN), SITEMAP_XSD],
  ])("rejects %s, so the checks above can fail", async (_, render, schema) => {
    const result = await validate(render(), schema);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });

  it("serves XML, publicly cacheable", async () => {
    const response = sitemapResponse(renderUrlset(URLS, ORIGIN));
    expect(response.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(response.headers.get("Vary")).toBe("Cookie");
    expect((await validate(await response.text(), SITEMAP_XSD)).valid).toBe(true);
  });
});

describe("robots.txt", () => {
  const lines = renderRobots(`${ORIGIN}/`).split("\n");

  it("lets every crawler in, except the private and endless parts", () => {
    expect(lines.slice(0, 2)).toEqual(["User-agent: *", "Allow: /"]);
    const disallowed = lines
      .filter((line) => line.startsWith("Disallow: "))
      .map((l) => l.slice(10));
    for (const path of [
      "/admin",
      "/account",
      "/membership/checkout",
      "/sign-out",
      "/search",
      "/reset-password",
      "/verify-email",
      "/confirm-email",
    ]) {
      expect(disallowed).toContain(path);
    }
    // Nothing a reader is meant to find is disallowed.
    for (const open of ["/", "/profiles", "/news", "/topics", "/feed.rss", "/sitemap.xml"]) {
      expect(disallowed.some((path) => open.startsWith(path))).toBe(false);
    }
  });

  it("names the sitemap at the configured origin", () => {
    expect(lines).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
  });

  it("is served as plain text, publicly cacheable", () => {
    const response = robotsResponse(ORIGIN);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(response.headers.get("Vary")).toBe("Cookie");
  });
});
