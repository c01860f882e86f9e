/**
 * The sitemap (sitemaps.org protocol 0.9) and robots.txt. Pure: they take what the
 * sitemap queries of `@briefings/db` return and the configured public origin.
 */
import type { SitemapIndexEntry, SitemapUrl } from "@briefings/db/queries";
import { absoluteUrl, escapeXml, publicResponse } from "./feeds.server.ts";

const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XML_CONTENT_TYPE = "application/xml; charset=utf-8";

/** A W3C datetime to the second, in UTC (e.g. 2024-06-01T12:00:00Z). */
export function w3cDatetime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A chunk's address, from its name as the index query writes it (`profiles-2`). */
export function sitemapChunkPath(name: string): string {
  return `/sitemaps/${name}.xml`;
}

const lastmod = (date: Date | null) => (date ? `<lastmod>${w3cDatetime(date)}</lastmod>` : "");

/** The sitemap index: one `<sitemap>` per chunk. */
export function renderSitemapIndex(entries: readonly SitemapIndexEntry[], origin: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<sitemapindex xmlns="${SITEMAP_NS}">`,
    ...entries.map(
      (entry) =>
        `<sitemap><loc>${escapeXml(absoluteUrl(origin, sitemapChunkPath(entry.name)))}</loc>${lastmod(entry.lastmod)}</sitemap>`,
    ),
    "</sitemapindex>",
    "",
  ].join("\n");
}

/** One chunk: a `<urlset>` of the site's pages. */
export function renderUrlset(urls: readonly SitemapUrl[], origin: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<urlset xmlns="${SITEMAP_NS}">`,
    ...urls.map(
      (url) =>
        `<url><loc>${escapeXml(absoluteUrl(origin, url.path))}</loc>${lastmod(url.lastmod)}</url>`,
    ),
    "</urlset>",
    "",
  ].join("\n");
}

/**
 * Paths crawlers are asked to leave alone: pages for signed-in members and admins, forms
 * that act (sign-out, checkout), search results (every query is a new page: an endless
 * crawl), and the single-use links mailed to members, whose tokens must not be fetched by
 * anyone but the member.
 */
export const ROBOTS_DISALLOW = [
  "/admin",
  "/account",
  "/membership/apply",
  "/membership/checkout",
  "/sign-out",
  "/search",
  "/reset-password",
  "/verify-email",
  "/confirm-email",
  "/webhooks",
] as const;

export function renderRobots(origin: string): string {
  return [
    "User-agent: *",
    "Allow: /",
    ...ROBOTS_DISALLOW.map((path) => `Disallow: ${path}`),
    "",
    `Sitemap: ${absoluteUrl(origin, "/sitemap.xml")}`,
    "",
  ].join("\n");
}

export function sitemapResponse(xml: string): Response {
  return publicResponse(xml, XML_CONTENT_TYPE);
}

export function robotsResponse(origin: string): Response {
  return publicResponse(renderRobots(origin), "text/plain; charset=utf-8");
}
