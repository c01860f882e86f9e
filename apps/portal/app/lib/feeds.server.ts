/**
 * RSS 2.0 and Atom 1.0 documents of the portal's feeds, and the responses that carry them.
 *
 * The builders are pure: they take the entries (already public: see `@briefings/db`'s
 * feeds queries) and the configured public origin, never a request's Host, so a forged
 * Host header cannot put foreign links into a feed that caches then hand to everyone.
 *
 * The XML is written here rather than by a feed library: every text goes through one
 * escaping function, which also drops the characters XML 1.0 cannot carry, so no title
 * (imported from article files) can make a feed malformed. Titles and summaries are plain
 * text: Atom says so (`type="text"`); RSS readers render `description` as HTML, so it is
 * HTML-escaped before it is XML-escaped, and "<b>" in a summary stays text.
 */
import type { FeedEntry } from "@briefings/db/queries";

export type FeedFormat = "rss" | "atom";

/** What a feed is about: the site, one topic, or one profile. */
export type FeedChannel = {
  title: string;
  description: string;
  /** The page the feed follows, e.g. `/topics/routing`. */
  pagePath: string;
  /** The feed's address without its extension, e.g. `/topics/routing/feed`. */
  feedPath: string;
};

export const FEED_CACHE_CONTROL = "public, max-age=300";

const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
};

const SITE_NAME = "Briefings";

export const siteChannel = (): FeedChannel => ({
  title: `${SITE_NAME} — Latest profiles and news`,
  description: "New and updated profiles, and news on the internet infrastructure ecosystem.",
  pagePath: "/",
  feedPath: "/feed",
});

export const topicChannel = (topic: { slug: string; name: string }): FeedChannel => ({
  title: `${SITE_NAME} — ${topic.name}`,
  description: `Profiles and news on ${topic.name}.`,
  pagePath: `/topics/${encodeURIComponent(topic.slug)}`,
  feedPath: `/topics/${encodeURIComponent(topic.slug)}/feed`,
});

export const profileChannel = (profile: { slug: string; name: string }): FeedChannel => ({
  title: `${SITE_NAME} — ${profile.name}`,
  description: `The profile of ${profile.name} and the news that mentions it.`,
  pagePath: `/profiles/${encodeURIComponent(profile.slug)}`,
  feedPath: `/profiles/${encodeURIComponent(profile.slug)}/feed`,
});

// Everything outside XML 1.0's Char production: C0 controls other than tab and line
// breaks, U+FFFE/U+FFFF, and lone surrogates (with the `u` flag a lone surrogate is one
// code point in D800–DFFF, which the class leaves out).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Text or an attribute value for XML: escaped, and without characters XML cannot carry. */
export function escapeXml(value: string): string {
  return value.replace(NOT_XML_CHAR, "").replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Plain text as HTML (what an RSS `description` is read as). */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** `origin` as configured (it may end in a slash), joined with a path of this site. */
export function absoluteUrl(origin: string, path: string): string {
  return new URL(path, new URL(origin).origin).toString();
}

/**
 * The feed's date: its newest entry's. An empty feed (a site without content yet) takes
 * `fallback`, the time of the request.
 */
function feedUpdated(entries: readonly FeedEntry[], fallback: Date): Date {
  let newest: Date | null = null;
  for (const entry of entries) if (!newest || entry.updated > newest) newest = entry.updated;
  return newest ?? fallback;
}

const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

/** RSS 2.0, with an atom:link to itself and dc:creator for an article's provider. */
export function renderRss(
  channel: FeedChannel,
  entries: readonly FeedEntry[],
  origin: string,
  now: Date,
): string {
  const items = entries.map((entry) => {
    const url = absoluteUrl(origin, entry.path);
    return [
      "<item>",
      element("title", entry.title),
      element("link", url),
      `<guid isPermaLink="true">${escapeXml(url)}</guid>`,
      element("pubDate", entry.updated.toUTCString()),
      element("description", escapeHtml(entry.summary)),
      ...entry.categories.map((name) => element("category", name)),
      entry.provider ? element("dc:creator", entry.provider.name) : "",
      "</item>",
    ].join("");
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    "<channel>",
    element("title", channel.title),
    element("link", absoluteUrl(origin, channel.pagePath)),
    element("description", channel.description),
    element("language", "en"),
    element("lastBuildDate", feedUpdated(entries, now).toUTCString()),
    `<atom:link href="${escapeXml(absoluteUrl(origin, `${channel.feedPath}.rss`))}" rel="self" type="application/rss+xml"/>`,
    ...items,
    "</channel>",
    "</rss>",
    "",
  ].join("\n");
}

/**
 * Atom 1.0. The feed names the site as its author: Atom requires one on the feed unless
 * every entry has its own, and profiles have none.
 */
export function renderAtom(
  channel: FeedChannel,
  entries: readonly FeedEntry[],
  origin: string,
  now: Date,
): string {
  const self = absoluteUrl(origin, `${channel.feedPath}.atom`);
  const page = absoluteUrl(origin, channel.pagePath);
  const items = entries.map((entry) => {
    const url = absoluteUrl(origin, entry.path);
    return [
      "<entry>",
      element("id", url),
      `<title type="text">${escapeXml(entry.title)}</title>`,
      `<link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
      element("updated", entry.updated.toISOString()),
      element("published", entry.published.toISOString()),
      `<summary type="text">${escapeXml(entry.summary)}</summary>`,
      ...entry.categories.map((name) => `<category term="${escapeXml(name)}"/>`),
      entry.provider ? `<author>${element("name", entry.provider.name)}</author>` : "",
      "</entry>",
    ].join("");
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    element("id", self),
    `<title type="text">${escapeXml(channel.title)}</title>`,
    `<subtitle type="text">${escapeXml(channel.description)}</subtitle>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(page)}"/>`,
    element("updated", feedUpdated(entries, now).toISOString()),
    `<author>${element("name", SITE_NAME)}${element("uri", absoluteUrl(origin, "/"))}</author>`,
    ...items,
    "</feed>",
    "",
  ].join("\n");
}

export function renderFeed(
  format: FeedFormat,
  channel: FeedChannel,
  entries: readonly FeedEntry[],
  origin: string,
  now = new Date(),
): string {
  return format === "rss"
    ? renderRss(channel, entries, origin, now)
    : renderAtom(channel, entries, origin, now);
}

/**
 * A public resource's response: the same for every reader (it holds published, public
 * fields only), so shared caches may keep it for a few minutes. It still varies on the
 * cookie, like every public page (decision 009): a signed-in request is answered
 * `private, no-store` by the server, and a cache must not mix the two.
 */
export function publicResponse(body: string, contentType: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Cache-Control": FEED_CACHE_CONTROL,
      Vary: "Cookie",
    },
  });
}

export function feedResponse(
  format: FeedFormat,
  channel: FeedChannel,
  entries: readonly FeedEntry[],
  origin: string,
): Response {
  return publicResponse(renderFeed(format, channel, entries, origin), CONTENT_TYPES[format]);
}
