/**
 * The tags that describe a public page to search engines and link previews: canonical URL,
 * Open Graph, Twitter cards and JSON-LD (schema.org), as React Router meta descriptors.
 *
 * Everything here is built from public fields only, and is the same for every viewer: a
 * page's description must not depend on who asked for it, or an admitted reader's text
 * would end up in a tag (and a shared cache). Briefings reach these builders only as their
 * gates, which say whether a block is gated and nothing of what it holds.
 *
 * Pure: no I/O. The public origin comes from the root loader (`originFromMatches`),
 * never from the request's Host header.
 */
import type { Gate } from "@briefings/core";
import type { MetaDescriptor } from "react-router";

export const SITE_NAME = "Briefings";

/**
 * The class on the outer element of every gated briefing block, locked or unlocked: the
 * paywall markup (`hasPart.cssSelector`) points search engines at it.
 */
export const GATED_BRIEFING_CLASS = "gated-briefing";

/** Link previews cut descriptions at about this many characters. */
export const DESCRIPTION_MAX = 200;

/** Google ignores headlines longer than this. */
export const HEADLINE_MAX = 110;

export type JsonLdValue = string | number | boolean | null | readonly JsonLdValue[] | JsonLdObject;
export type JsonLdObject = { [key: string]: JsonLdValue };

/** A public image of the page, e.g. an article's first picture. */
export type SeoImage = { url: string; width?: number; height?: number };

type DateLike = Date | string;

// ---------------------------------------------------------------------------------------
// The origin and the canonical URL

/** What a meta function sees of a route match: enough to find the root's data. */
type MatchLike = { id: string; loaderData?: unknown } | undefined;

/**
 * The configured public origin, which the root loader hands to every page as `origin`.
 * Null when the root has no data (its loader failed and an error page is rendering): the
 * page then goes without a canonical URL rather than guessing one.
 */
export function originFromMatches(matches: readonly MatchLike[]): string | null {
  const rootData = matches.find((match) => match?.id === "root")?.loaderData;
  if (typeof rootData !== "object" || rootData === null || !("origin" in rootData)) return null;
  const { origin } = rootData;
  if (typeof origin !== "string") return null;
  try {
    const url = new URL(origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The one address of a page: the configured origin, the path without trailing slashes,
 * and only the query parameters named in `keep` (those that define the content). Paging
 * cursors, filters and sort orders are dropped, so every variant of a list points to its
 * first, unfiltered page. A `//host` path stays a path on this origin.
 */
export function canonicalUrl(origin: string, path: string, keep: readonly string[] = []): string {
  const withoutHash = path.split("#", 1)[0] ?? "";
  const queryAt = withoutHash.indexOf("?");
  const pathname = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? "" : withoutHash.slice(queryAt + 1));
  const url = new URL(origin);
  url.pathname = `/${pathname.replace(/^\/+|\/+$/g, "")}`;
  url.search = "";
  url.hash = "";
  for (const name of keep) {
    const value = query.get(name);
    if (value) url.searchParams.set(name, value);
  }
  return url.href;
}

/** The site's home page URL; also the publisher's URL in JSON-LD. */
function homeUrl(origin: string): string {
  return canonicalUrl(origin, "/");
}

// ---------------------------------------------------------------------------------------
// Text

/**
 * One line of at most `max` characters: whitespace collapsed, cut at the last word
 * boundary that fits (a hard cut only when a single word would leave almost nothing),
 * trailing punctuation dropped, and an ellipsis to show that text was cut.
 */
export function truncateText(text: string, max: number = DESCRIPTION_MAX): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const head = clean.slice(0, max);
  const boundary = head.lastIndexOf(" ");
  let kept = boundary >= max / 2 ? head.slice(0, boundary) : clean.slice(0, max - 1);
  // Never leave half of a surrogate pair (an emoji) at the end.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept.replace(/[\s,;:.·–—-]+$/u, "")}…`;
}

/** An ISO 8601 timestamp, or null for a missing or invalid date (then the field is left out). */
function isoDate(value: DateLike | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * An absolute http(s) URL for an image, resolved against the origin when stored as a
 * path; null for anything else (a `javascript:` or `data:` URL never becomes a tag).
 */
function absoluteHttpUrl(url: string, origin: string | null): string | null {
  try {
    const resolved = origin ? new URL(url, origin) : new URL(url);
    return resolved.protocol === "https:" || resolved.protocol === "http:" ? resolved.href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Access: the paywall markup

/** Whether a gate stands in front of a block; the gate itself is public. */
export function isGated(gate: Gate): boolean {
  return gate.kind !== "public";
}

/**
 * The page's structured-data statement about access (Google's "subscription and
 * paywalled content" markup): free when every briefing on it is public; otherwise not
 * free, with the gated blocks named by their class. It is built from the gates alone, so
 * it reads the same for a reader who holds every tier and for one who holds none.
 */
export function accessMarkup(gates: readonly Gate[]): JsonLdObject {
  if (!gates.some(isGated)) return { isAccessibleForFree: true };
  return {
    isAccessibleForFree: false,
    hasPart: [
      {
        "@type": "WebPageElement",
        isAccessibleForFree: false,
        cssSelector: `.${GATED_BRIEFING_CLASS}`,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------
// The tags of a page

export type PageSeo = {
  /** The configured public origin; null leaves out the canonical URL and JSON-LD. */
  origin: string | null;
  /** The page's path; a query string on it is dropped except for the names in `keep`. */
  path: string;
  keep?: readonly string[];
  /** The document title, with the site's name. */
  title: string;
  /** The title of link previews, without the site's name; defaults to `title`. */
  socialTitle?: string;
  /** Public text only; cut to `DESCRIPTION_MAX` here. */
  description: string;
  /** Open Graph's type: "article" for a news item, "website" for everything else. */
  ogType: "website" | "article";
  image?: SeoImage | null;
  /** Further public Open Graph tags (e.g. `article:published_time`). */
  extra?: readonly MetaDescriptor[];
  /** Builds the page's JSON-LD from its canonical URL; called only when the origin is known. */
  jsonLd?: (canonical: string, origin: string) => JsonLdObject;
};

/** `og:image` and its size, when the page has a usable public image. */
function imageTags(image: SeoImage | null): MetaDescriptor[] {
  if (!image) return [];
  const tags: MetaDescriptor[] = [{ property: "og:image", content: image.url }];
  if (image.width && image.height) {
    tags.push(
      { property: "og:image:width", content: String(image.width) },
      { property: "og:image:height", content: String(image.height) },
    );
  }
  return tags;
}

/**
 * Every tag of a public page: title and description, the canonical link, Open Graph,
 * the Twitter card (large when there is an image to show) and the JSON-LD script.
 */
export function pageMeta(page: PageSeo): MetaDescriptor[] {
  const description = truncateText(page.description, DESCRIPTION_MAX);
  const socialTitle = page.socialTitle ?? page.title;
  const canonical = page.origin ? canonicalUrl(page.origin, page.path, page.keep) : null;
  const imageUrl = page.image ? absoluteHttpUrl(page.image.url, page.origin) : null;
  const image = page.image && imageUrl ? { ...page.image, url: imageUrl } : null;
  const tags: MetaDescriptor[] = [
    { title: page.title },
    { name: "description", content: description },
  ];
  if (canonical) {
    tags.push(
      { tagName: "link", rel: "canonical", href: canonical },
      { property: "og:url", content: canonical },
    );
  }
  tags.push(
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:type", content: page.ogType },
    { property: "og:title", content: socialTitle },
    { property: "og:description", content: description },
    ...imageTags(image),
    { name: "twitter:card", content: image ? "summary_large_image" : "summary" },
    { name: "twitter:title", content: socialTitle },
    { name: "twitter:description", content: description },
  );
  if (image) tags.push({ name: "twitter:image", content: image.url });
  tags.push(...(page.extra ?? []));
  if (canonical && page.origin && page.jsonLd) {
    tags.push({ "script:ld+json": page.jsonLd(canonical, page.origin) });
  }
  return tags;
}

// ---------------------------------------------------------------------------------------
// The publisher and the site

/** The publisher, one node referred to by its `@id` from every page. */
function publisher(origin: string): JsonLdObject {
  return {
    "@type": "Organization",
    "@id": `${homeUrl(origin)}#organization`,
    name: SITE_NAME,
    url: homeUrl(origin),
  };
}

const HOME_DESCRIPTION =
  "Profiles and news on the registries, networks, exchanges and institutions that run the internet, with member briefings by tier.";

/**
 * The home page: the site (with its search box for search engines, `/search?q=`) and the
 * organisation that publishes it.
 */
export function homeMeta(origin: string | null): MetaDescriptor[] {
  return pageMeta({
    origin,
    path: "/",
    title: "Briefings — intelligence on the internet's infrastructure",
    socialTitle: SITE_NAME,
    description: HOME_DESCRIPTION,
    ogType: "website",
    jsonLd: (canonical, knownOrigin) => ({
      "@context": "https://schema.org",
      "@graph": [
        {
          "@type": "WebSite",
          "@id": `${canonical}#website`,
          url: canonical,
          name: SITE_NAME,
          description: HOME_DESCRIPTION,
          inLanguage: "en",
          publisher: { "@id": `${homeUrl(knownOrigin)}#organization` },
          potentialAction: {
            "@type": "SearchAction",
            target: {
              "@type": "EntryPoint",
              urlTemplate: `${canonicalUrl(knownOrigin, "/search")}?q={search_term_string}`,
            },
            "query-input": "required name=search_term_string",
          },
        },
        publisher(knownOrigin),
      ],
    }),
  });
}

/**
 * A list or information page (the directory, the news list, membership): canonical and
 * Open Graph basics. Its query string (filters, sort, paging cursor) is never canonical.
 */
export function basicPageMeta(
  origin: string | null,
  page: { path: string; title: string; socialTitle: string; description: string },
): MetaDescriptor[] {
  return pageMeta({ origin, ogType: "website", ...page });
}

// ---------------------------------------------------------------------------------------
// A profile

/** The public fields of a profile that its tags are made of. */
export type ProfileSeoFields = {
  slug: string;
  name: string;
  summary: string;
  base: string;
  topics: readonly string[];
  publishedAt: DateLike;
  updatedAt: DateLike;
};

/** Bases that name no place: an organisation based "Global" gets no location. */
const PLACELESS_BASES = new Set(["global", "worldwide", "international", "online"]);

/**
 * The profiled organisation as schema.org's Organization. Its description is the public
 * summary; its location the base, unless the base is no place at all.
 */
function organizationJsonLd(profile: ProfileSeoFields, canonical: string): JsonLdObject {
  const base = profile.base.trim();
  const organization: JsonLdObject = {
    "@type": "Organization",
    "@id": `${canonical}#organization`,
    name: profile.name,
    description: profile.summary.replace(/\s+/g, " ").trim(),
    url: canonical,
  };
  if (base && !PLACELESS_BASES.has(base.toLowerCase())) {
    organization.location = { "@type": "Place", name: base };
  }
  if (profile.topics.length > 0) organization.knowsAbout = [...profile.topics];
  return organization;
}

/**
 * A profile page: a ProfilePage whose main entity is the organisation, with the paywall
 * markup of its briefings. Briefings arrive as their gates only (`gates`), never as the
 * loader's briefing objects, which hold an admitted reader's full text.
 */
export function profileMeta(
  origin: string | null,
  input: { profile: ProfileSeoFields; gates: readonly Gate[] },
): MetaDescriptor[] {
  const { profile, gates } = input;
  return pageMeta({
    origin,
    path: `/profiles/${profile.slug}`,
    title: `${profile.name} — ${SITE_NAME}`,
    socialTitle: profile.name,
    description: profile.summary,
    // Open Graph's "profile" type describes a person; an organisation's page is a website.
    ogType: "website",
    jsonLd: (canonical, knownOrigin) => {
      const page: JsonLdObject = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "@id": canonical,
        url: canonical,
        name: profile.name,
        description: truncateText(profile.summary, DESCRIPTION_MAX),
        inLanguage: "en",
        isPartOf: {
          "@type": "WebSite",
          "@id": `${homeUrl(knownOrigin)}#website`,
          name: SITE_NAME,
          url: homeUrl(knownOrigin),
        },
        publisher: publisher(knownOrigin),
        mainEntity: organizationJsonLd(profile, canonical),
        ...accessMarkup(gates),
      };
      const published = isoDate(profile.publishedAt);
      const modified = isoDate(profile.updatedAt);
      if (published) page.datePublished = published;
      if (modified) page.dateModified = modified;
      return page;
    },
  });
}

// ---------------------------------------------------------------------------------------
// An article

/** The public fields of an article that its tags are made of. */
export type ArticleSeoFields = {
  slug: string;
  title: string;
  excerpt: string;
  category: string;
  webUrl: string;
  providerName: string;
  publishedDateTime: DateLike;
  updatedAt: DateLike;
  images: readonly SeoImage[];
};

type NamedLink = { slug: string; name: string };

/** The description of an article: its excerpt, or a line naming title and source. */
function articleDescription(article: ArticleSeoFields): string {
  const excerpt = article.excerpt.trim();
  return excerpt || `${article.title}, reported by ${article.providerName}.`;
}

/**
 * The third-party article this page summarises, with its publisher: the page is based on
 * it, and says so.
 */
function originalArticle(article: ArticleSeoFields): JsonLdObject | null {
  const url = absoluteHttpUrl(article.webUrl, null);
  if (!url) return null;
  return {
    "@type": "CreativeWork",
    url,
    headline: truncateText(article.title, HEADLINE_MAX),
    publisher: { "@type": "Organization", name: article.providerName, url: new URL(url).origin },
  };
}

/**
 * An article page: a NewsArticle with its public image, dates, topics, the profiles it
 * mentions, the original it is based on, and the paywall markup of its premium parts.
 * Briefings arrive as their gates only (`gates`).
 */
export function articleMeta(
  origin: string | null,
  input: {
    article: ArticleSeoFields;
    topics: readonly NamedLink[];
    mentions: readonly NamedLink[];
    gates: readonly Gate[];
  },
): MetaDescriptor[] {
  const { article, topics, mentions, gates } = input;
  const description = articleDescription(article);
  const firstImage = article.images[0] ?? null;
  const published = isoDate(article.publishedDateTime);
  const modified = isoDate(article.updatedAt);
  const extra: MetaDescriptor[] = [];
  if (published) extra.push({ property: "article:published_time", content: published });
  if (modified) extra.push({ property: "article:modified_time", content: modified });
  if (article.category) extra.push({ property: "article:section", content: article.category });
  for (const topic of topics) extra.push({ property: "article:tag", content: topic.name });
  return pageMeta({
    origin,
    path: `/news/${article.slug}`,
    title: `${article.title} — ${SITE_NAME}`,
    socialTitle: article.title,
    description,
    ogType: "article",
    image: firstImage,
    extra,
    jsonLd: (canonical, knownOrigin) => {
      const images = article.images
        .map((image) => absoluteHttpUrl(image.url, knownOrigin))
        .filter((url) => url !== null);
      const ld: JsonLdObject = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": canonical,
        url: canonical,
        mainEntityOfPage: { "@type": "WebPage", "@id": canonical },
        headline: truncateText(article.title, HEADLINE_MAX),
        description: truncateText(description, DESCRIPTION_MAX),
        inLanguage: "en",
        publisher: publisher(knownOrigin),
        ...accessMarkup(gates),
      };
      if (published) ld.datePublished = published;
      if (modified) ld.dateModified = modified;
      if (images.length > 0) ld.image = images;
      if (article.category) ld.articleSection = article.category;
      const original = originalArticle(article);
      if (original) ld.isBasedOn = original;
      if (topics.length > 0) {
        ld.about = topics.map((topic) => ({ "@type": "Thing", name: topic.name }));
      }
      if (mentions.length > 0) {
        ld.mentions = mentions.map((profile) => ({
          "@type": "Organization",
          name: profile.name,
          url: canonicalUrl(knownOrigin, `/profiles/${profile.slug}`),
        }));
      }
      return ld;
    },
  });
}
