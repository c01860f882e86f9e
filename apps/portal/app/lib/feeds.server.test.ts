import type { FeedEntry } from "@briefings/db/queries";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import {
  absoluteUrl,
  escapeXml,
  feedResponse,
  profileChannel,
  renderAtom,
  renderRss,
  siteChannel,
  topicChannel,
} from "./feeds.server.ts";

const ORIGIN = "https://briefings.example.org";
const NOW = new Date("2025-01-01T00:00:00Z");

/** A title with every XML special character, a CDATA terminator twice, and an entity. */
const NASTY_TITLE = `Fish & Chips <b>"bold"</b> 'quoted' ]]> and ]]> again &amp; done`;
const NASTY_SUMMARY = `Summary with <script>alert("x")</script> & more`;

const ENTRIES: FeedEntry[] = [
  {
    kind: "article",
    path: "/news/nasty-title-1a2b3c",
    title: NASTY_TITLE,
    summary: NASTY_SUMMARY,
    updated: new Date("2024-06-02T08:30:00Z"),
    published: new Date("2024-06-02T08:30:00Z"),
    categories: ["Routing", "Peering & Transit"],
    provider: { name: "Example <News> & Co", domain: "news.example.com" },
  },
  {
    kind: "profile",
    path: "/profiles/routing-registry",
    title: "Routing Registry",
    // A control character (form feed) XML 1.0 cannot carry, and a lone surrogate.
    summary: "Runs the registry.\u000c Keeps \ud800 records.",
    updated: new Date("2024-05-20T12:00:00Z"),
    published: new Date("2024-01-10T12:00:00Z"),
    categories: ["Registries", "Routing"],
    provider: null,
  },
];

/** A parser that keeps every value as written and reads the named elements as lists. */
const parserFor = (lists: string[]) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => lists.includes(name),
  });
const rssParser = parserFor(["item", "category", "atom:link"]);
const atomParser = parserFor(["entry", "category", "link", "author"]);

type Node = Record<string, unknown>;
const node = (value: unknown): Node => value as Node;
const nodes = (value: unknown): Node[] => (value ?? []) as Node[];

/** RFC 822 date-time as RSS 2.0 uses it (RFC 1123's four-digit year, GMT). */
const RFC_822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
/** RFC 3339 date-time as Atom requires. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("escapeXml", () => {
  it("escapes the five special characters and drops what XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;",
    );
    expect(escapeXml("a\u0000b\u0008c\u000bd\u001fe\ufffef\ud800g")).toBe("abcdefg");
    // Tabs, line breaks and characters outside the BMP stay.
    expect(escapeXml("a\tb\nc\rd 😀")).toBe("a\tb\nc\rd 😀");
  });
});

describe("absoluteUrl", () => {
  it("joins the configured origin and a path, whatever the origin ends with", () => {
    expect(absoluteUrl("https://example.org", "/news/x")).toBe("https://example.org/news/x");
    expect(absoluteUrl("https://example.org/", "/news/x")).toBe("https://example.org/news/x");
    expect(absoluteUrl("https://example.org/base/", "/news/x")).toBe("https://example.org/news/x");
  });
});

describe("RSS 2.0", () => {
  const xml = renderRss(
    topicChannel({ slug: "routing", name: "Routing & Peering" }),
    ENTRIES,
    ORIGIN,
    NOW,
  );
  const rss = node(rssParser.parse(xml).rss);
  const channel = node(rss.channel);
  const items = nodes(channel.item);

  it("is well-formed XML", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it("has the channel's required elements, its language, and a link to itself", () => {
    expect(rss["@version"]).toBe("2.0");
    expect(channel.title).toBe("Briefings — Routing & Peering");
    expect(channel.link).toBe(`${ORIGIN}/topics/routing`);
    expect(channel.description).toBe("Profiles and news on Routing & Peering.");
    expect(channel.language).toBe("en");
    const self = nodes(channel["atom:link"]);
    expect(self).toEqual([
      {
        "@href": `${ORIGIN}/topics/routing/feed.rss`,
        "@rel": "self",
        "@type": "application/rss+xml",
      },
    ]);
    expect(rss["@xmlns:atom"]).toBe("http://www.w3.org/2005/Atom");
    // The newest entry's date, not the time of the request.
    expect(channel.lastBuildDate).toBe("Sun, 02 Jun 2024 08:30:00 GMT");
    expect(channel.lastBuildDate).toMatch(RFC_822);
  });

  it("gives every item a title, a link to our page, a permalink guid and an RFC 822 date", () => {
    expect(items).toHaveLength(2);
    for (const [i, item] of items.entries()) {
      const entry = ENTRIES[i] as FeedEntry;
      expect(item.link).toBe(`${ORIGIN}${entry.path}`);
      expect(item.guid).toEqual({ "#text": `${ORIGIN}${entry.path}`, "@isPermaLink": "true" });
      expect(item.pubDate).toMatch(RFC_822);
      expect(new Date(String(item.pubDate)).getTime()).toBe(entry.updated.getTime());
    }
    expect(items[1]?.title).toBe("Routing Registry");
  });

  it("escapes XML special characters: the title reads back exactly", () => {
    expect(items[0]?.title).toBe(NASTY_TITLE);
    expect(xml).not.toContain("<b>");
    expect(xml).not.toContain("<script>");
  });

  it("writes the summary as HTML that displays the plain text", () => {
    // What the reader gets after XML parsing is HTML: the summary's "<" is still escaped.
    expect(items[0]?.description).toBe(
      "Summary with &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more",
    );
    expect(items[1]?.description).toBe("Runs the registry. Keeps  records.");
  });

  it("lists topics as categories and the provider as the creator", () => {
    expect(items[0]?.category).toEqual(["Routing", "Peering & Transit"]);
    expect(items[0]?.["dc:creator"]).toBe("Example <News> & Co");
    expect(items[1]?.["dc:creator"]).toBeUndefined();
    expect(rss["@xmlns:dc"]).toBe("http://purl.org/dc/elements/1.1/");
  });

  it("dates an empty feed by the time it is built", () => {
    const empty = renderRss(siteChannel(), [], ORIGIN, NOW);
    expect(XMLValidator.validate(empty)).toBe(true);
    expect(node(node(rssParser.parse(empty).rss).channel).lastBuildDate).toBe(NOW.toUTCString());
  });
});

describe("Atom 1.0", () => {
  const xml = renderAtom(
    profileChannel({ slug: "routing-registry", name: "Routing Registry" }),
    ENTRIES,
    ORIGIN,
    NOW,
  );
  const feed = node(atomParser.parse(xml).feed);
  const entries = nodes(feed.entry);
  const text = (value: unknown) => node(value)["#text"];

  it("is well-formed XML in the Atom namespace", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
  });

  it("has the feed's id, title, updated date, self link and author", () => {
    expect(feed.id).toBe(`${ORIGIN}/profiles/routing-registry/feed.atom`);
    expect(text(feed.title)).toBe("Briefings — Routing Registry");
    expect(feed.updated).toBe("2024-06-02T08:30:00.000Z");
    expect(feed.updated).toMatch(RFC_3339);
    expect(nodes(feed.link)).toEqual([
      {
        "@rel": "self",
        "@type": "application/atom+xml",
        "@href": `${ORIGIN}/profiles/routing-registry/feed.atom`,
      },
      { "@rel": "alternate", "@type": "text/html", "@href": `${ORIGIN}/profiles/routing-registry` },
    ]);
    // Required on the feed, since a profile's entry has no author of its own.
    expect(nodes(feed.author)[0]?.name).toBe("Briefings");
  });

  it("gives every entry an id, a title, an updated date and a link to our page", () => {
    expect(entries).toHaveLength(2);
    for (const [i, entry] of entries.entries()) {
      const expected = ENTRIES[i] as FeedEntry;
      expect(entry.id).toBe(`${ORIGIN}${expected.path}`);
      expect(entry.updated).toBe(expected.updated.toISOString());
      expect(entry.updated).toMatch(RFC_3339);
      expect(entry.published).toBe(expected.published.toISOString());
      expect(nodes(entry.link)).toEqual([
        { "@rel": "alternate", "@type": "text/html", "@href": `${ORIGIN}${expected.path}` },
      ]);
      expect(node(entry.title)["@type"]).toBe("text");
      expect(node(entry.summary)["@type"]).toBe("text");
    }
  });

  it("escapes XML special characters: title and summary read back exactly as text", () => {
    expect(text(entries[0]?.title)).toBe(NASTY_TITLE);
    expect(text(entries[0]?.summary)).toBe(NASTY_SUMMARY);
    expect(text(entries[1]?.summary)).toBe("Runs the registry. Keeps  records.");
    expect(xml).not.toContain("<script>");
  });

  it("lists topics as categories and the provider as the entry's author", () => {
    expect(nodes(entries[0]?.category).map((c) => c["@term"])).toEqual([
      "Routing",
      "Peering & Transit",
    ]);
    expect(nodes(entries[0]?.author)).toEqual([{ name: "Example <News> & Co" }]);
    expect(entries[1]?.author).toBeUndefined();
  });
});

describe("feedResponse", () => {
  it.each([
    ["rss", "application/rss+xml; charset=utf-8"],
    ["atom", "application/atom+xml; charset=utf-8"],
  ] as const)("serves %s with its media type, publicly cacheable", async (format, type) => {
    const response = feedResponse(format, siteChannel(), ENTRIES, ORIGIN);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(type);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(response.headers.get("Vary")).toBe("Cookie");
    const body = await response.text();
    expect(XMLValidator.validate(body)).toBe(true);
    expect(body).toContain(`${ORIGIN}/feed.${format}`);
  });

  it("a malformed document fails the well-formedness check", () => {
    // The check used above can fail: the same feed with one ampersand left raw.
    const broken = renderRss(siteChannel(), ENTRIES, ORIGIN, NOW).replace("&amp;", "&");
    expect(XMLValidator.validate(broken)).not.toBe(true);
  });
});
