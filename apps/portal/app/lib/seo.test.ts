import { randomUUID } from "node:crypto";
import {
  type Gate,
  type LockedBriefing,
  MEMBERS_GATE,
  PUBLIC_GATE,
  tierGate,
} from "@briefings/core";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createRoutesStub, Meta, type MetaDescriptor, useLoaderData } from "react-router";
import { describe, expect, it } from "vitest";
import { BriefingList, type BriefingView } from "#app/components/briefing.tsx";
import { meta as articleRouteMeta } from "#app/routes/article.tsx";
import { meta as profileRouteMeta } from "#app/routes/profile.tsx";
import type { Route as ArticleRoute } from "../routes/+types/article";
import type { Route as ProfileRoute } from "../routes/+types/profile";
import {
  accessMarkup,
  articleMeta,
  canonicalUrl,
  DESCRIPTION_MAX,
  GATED_BRIEFING_CLASS,
  HEADLINE_MAX,
  homeMeta,
  originFromMatches,
  profileMeta,
  truncateText,
} from "./seo.ts";

const ORIGIN = "https://briefings.example";
const CANARY = `CANARY-${randomUUID()}`;

type ProfileData = NonNullable<ProfileRoute.MetaArgs["loaderData"]>;
type ArticleData = NonNullable<ArticleRoute.MetaArgs["loaderData"]>;
type RootData = { origin: string; account: null };

const STRATEGIC = tierGate("strategic-circle");
const LEADERSHIP = tierGate("leadership-alliance");

// ---------------------------------------------------------------------------------------
// Loader data as the routes return it, for an admitted reader (every briefing unlocked,
// its protected fields carrying the canary) and for an anonymous one (teasers only).

/** An unlocked briefing whose every protected field (and a stray sealed one) holds the canary. */
function unlockedBriefing(id: string, gate: Gate, position: number): BriefingView {
  // A field the redaction step never returns; it must not travel even if it did.
  const stray = { secured: `${CANARY}-secured;${CANARY}-iv` };
  return {
    id,
    kind: "profile-briefing",
    label: "Member Briefing",
    title: `Deeper Profile Context ${position}`,
    gate,
    position,
    state: "unlocked",
    via: gate.kind === "public" ? "public" : "tier",
    body: `## Context\n\n${CANARY} body text`,
    sources: [{ title: `${CANARY} source`, url: `https://example.org/${CANARY}`, note: CANARY }],
    sealed: false,
    html: `<h2>Context</h2><p>${CANARY} body text</p>`,
    ...stray,
  };
}

/** The same briefing as a reader who is not admitted receives it: public parts only. */
function lockedBriefing(id: string, gate: Gate, position: number): LockedBriefing {
  return {
    id,
    kind: "profile-briefing",
    label: "Member Briefing",
    title: `Deeper Profile Context ${position}`,
    gate,
    position,
    state: "locked",
    withheld: { sections: 1, sources: 1, words: 4 },
    nextStep: { action: "sign-in", label: "Sign in to read" },
  };
}

const GATES: Gate[] = [PUBLIC_GATE, MEMBERS_GATE, STRATEGIC, LEADERSHIP];

function briefingsFor(viewer: "admitted" | "anonymous"): BriefingView[] {
  return GATES.map((gate, position) =>
    viewer === "admitted" || gate.kind === "public"
      ? unlockedBriefing(`b${position}`, gate, position)
      : lockedBriefing(`b${position}`, gate, position),
  );
}

const SUMMARY =
  "Example Registry allocates IP address space and AS numbers to network operators in its region, runs the reverse DNS for it and keeps the public registry of who holds what, on which routing security depends.";

function profileData(viewer: "admitted" | "anonymous", base = "Netherlands"): ProfileData {
  return {
    profile: {
      id: "7b4f0f3e-1d1e-4b7e-9c55-0d1f2b3c4d5e",
      isDemo: false,
      slug: "example-registry",
      name: "Example Registry",
      type: "Internet infrastructure institution",
      ecosystem: "Internet infrastructure",
      base,
      focus: "Institution",
      summary: SUMMARY,
      whatItDoes: ["Allocates address space"],
      whyItMatters: ["Routing depends on it"],
      criticality: "High",
      timeHorizon: "Next quarter",
      whatToWatch: ["Policy changes"],
      keyPoints: ["Regional registry"],
      sections: [{ heading: "History", paragraphs: ["Founded long ago."] }],
      sources: [],
      sourcesNote: null,
      alsoRead: [],
      topics: ["IP addressing", "Routing security"],
      topicSlugs: [
        { slug: "ip-addressing", name: "IP addressing" },
        { slug: "routing-security", name: "Routing security" },
      ],
      confidence: 0.9,
      publishedAt: new Date("2025-01-10T09:00:00Z"),
      lastReviewedAt: new Date("2025-03-01T09:00:00Z"),
      updatedAt: new Date("2025-03-02T10:30:00Z"),
    },
    briefings: briefingsFor(viewer),
    news: [],
  };
}

function articleData(
  viewer: "admitted" | "anonymous",
  options: { title?: string; images?: boolean; gates?: Gate[] } = {},
): ArticleData {
  const gates = options.gates ?? [STRATEGIC];
  return {
    article: {
      id: "0c9a3d4e-5f60-4a71-8b92-a3b4c5d6e7f8",
      slug: "registry-tightens-transfer-policy",
      webUrl: "https://news.example.org/2025/03/registry-transfer-policy",
      category: "Policy",
      title: options.title ?? "Registry tightens its transfer policy",
      excerpt: "The registry now asks for more evidence before address space changes hands.",
      publishedDateTime: new Date("2025-03-04T08:15:00Z"),
      type: "news",
      quality: 80,
      heat: 40,
      providerName: "Example News",
      providerDomain: "news.example.org",
      images:
        options.images === false
          ? []
          : [
              { url: "https://cdn.example.org/img/transfer.jpg", width: 1200, height: 630 },
              { url: "https://cdn.example.org/img/second.jpg", width: 800, height: 600 },
            ].map((image) => ({ ...image, isCached: false })),
      related: [],
      isDemo: false,
      updatedAt: new Date("2025-03-05T12:00:00Z"),
    },
    bodyHtml: "<p>Public article body.</p>",
    topics: [{ slug: "ip-addressing", name: "IP addressing" }],
    mentions: [{ slug: "example-registry", name: "Example Registry" }],
    briefings: gates.map((gate, position) =>
      viewer === "admitted" || gate.kind === "public"
        ? unlockedBriefing(`a${position}`, gate, position)
        : lockedBriefing(`a${position}`, gate, position),
    ),
  };
}

/** The root match as React Router hands it to a route's meta function. */
function rootMatch(origin: string) {
  const data: RootData = { origin, account: null };
  return { id: "root" as const, params: {}, pathname: "/", meta: [], data, loaderData: data };
}

function runProfileMeta(loaderData: ProfileData, origin = ORIGIN): MetaDescriptor[] {
  const args: ProfileRoute.MetaArgs = {
    loaderData,
    data: loaderData,
    params: { slug: loaderData.profile.slug },
    // The address the reader typed, with a query string and on another host name.
    location: {
      pathname: "/profiles/example-registry",
      search: "?utm_source=feed&after=abc",
      hash: "",
      state: null,
      key: "default",
    },
    matches: [
      rootMatch(origin),
      {
        id: "routes/profile",
        params: { slug: loaderData.profile.slug },
        pathname: "/profiles/example-registry",
        meta: [],
        data: loaderData,
        loaderData,
      },
    ],
  };
  return profileRouteMeta(args) ?? [];
}

function runArticleMeta(loaderData: ArticleData, origin = ORIGIN): MetaDescriptor[] {
  const args: ArticleRoute.MetaArgs = {
    loaderData,
    data: loaderData,
    params: { slug: loaderData.article.slug },
    location: {
      pathname: `/news/${loaderData.article.slug}`,
      search: "?ref=home",
      hash: "",
      state: null,
      key: "default",
    },
    matches: [
      rootMatch(origin),
      {
        id: "routes/article",
        params: { slug: loaderData.article.slug },
        pathname: `/news/${loaderData.article.slug}`,
        meta: [],
        data: loaderData,
        loaderData,
      },
    ],
  };
  return articleRouteMeta(args) ?? [];
}

// ---------------------------------------------------------------------------------------
// Reading descriptors back

function byProperty(tags: MetaDescriptor[], property: string): string | undefined {
  for (const tag of tags) {
    if ("property" in tag && tag.property === property && typeof tag.content === "string") {
      return tag.content;
    }
  }
  return undefined;
}

function byName(tags: MetaDescriptor[], name: string): string | undefined {
  for (const tag of tags) {
    if ("name" in tag && tag.name === name && typeof tag.content === "string") return tag.content;
  }
  return undefined;
}

function canonicalOf(tags: MetaDescriptor[]): string | undefined {
  for (const tag of tags) {
    if ("tagName" in tag && tag.tagName === "link" && tag.rel === "canonical") {
      return typeof tag.href === "string" ? tag.href : undefined;
    }
  }
  return undefined;
}

type Json = Record<string, unknown>;

/** The page's JSON-LD, through a JSON round trip: what a crawler parses. */
function jsonLdOf(tags: MetaDescriptor[]): Json {
  const scripts = tags.filter((tag) => "script:ld+json" in tag);
  expect(scripts).toHaveLength(1);
  const [script] = scripts;
  if (!script || !("script:ld+json" in script)) throw new Error("no JSON-LD");
  const parsed: unknown = JSON.parse(JSON.stringify(script["script:ld+json"]));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("JSON-LD is not an object");
  }
  return parsed as Json;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Json)[key] : undefined;
}

/** A page of briefing blocks, from its route data. */
function BriefingsPage() {
  return createElement(BriefingList, {
    briefings: useLoaderData<BriefingView[]>(),
    heading: "Briefings",
  });
}

/** A document head: React Router's own rendering of the matched routes' meta. */
function HeadOnly() {
  return createElement(Meta);
}

function Nothing() {
  return null;
}

// ---------------------------------------------------------------------------------------

describe("nothing gated reaches a tag", () => {
  it("a profile's tags never carry briefing text, sources, notes or sealed text", () => {
    const admitted = runProfileMeta(profileData("admitted"));
    // The fixture does carry the canary: the check below could fail.
    expect(JSON.stringify(profileData("admitted"))).toContain(CANARY);
    expect(admitted.length).toBeGreaterThan(5);
    expect(JSON.stringify(admitted)).not.toContain(CANARY);
  });

  it("an article's tags never carry premium text, sources, notes or sealed text", () => {
    const admitted = runArticleMeta(articleData("admitted", { gates: GATES }));
    expect(JSON.stringify(articleData("admitted", { gates: GATES }))).toContain(CANARY);
    expect(JSON.stringify(admitted)).not.toContain(CANARY);
  });

  it("the tags are the same for an admitted reader and for an anonymous one", () => {
    expect(runProfileMeta(profileData("admitted"))).toEqual(
      runProfileMeta(profileData("anonymous")),
    );
    expect(runArticleMeta(articleData("admitted", { gates: GATES }))).toEqual(
      runArticleMeta(articleData("anonymous", { gates: GATES })),
    );
  });
});

describe("canonical URL", () => {
  it("uses the configured origin and drops the query string and fragment", () => {
    expect(canonicalUrl(ORIGIN, "/news?after=abc&topic=dns#top")).toBe(`${ORIGIN}/news`);
    expect(canonicalUrl(ORIGIN, "/profiles/?type=Registry&sort=name")).toBe(`${ORIGIN}/profiles`);
    expect(canonicalUrl(`${ORIGIN}/`, "/")).toBe(`${ORIGIN}/`);
  });

  it("keeps only the parameters that define the content", () => {
    expect(canonicalUrl(ORIGIN, "/search?page=2&q=dns+abuse&utm_source=x", ["q"])).toBe(
      `${ORIGIN}/search?q=dns+abuse`,
    );
    expect(canonicalUrl(ORIGIN, "/search", ["q"])).toBe(`${ORIGIN}/search`);
  });

  it("never leaves the origin, whatever the path", () => {
    expect(new URL(canonicalUrl(ORIGIN, "//evil.example/x")).origin).toBe(ORIGIN);
    expect(new URL(canonicalUrl(ORIGIN, "https://evil.example/x")).origin).toBe(ORIGIN);
  });

  it("comes from the root loader's origin, not from the address the reader used", () => {
    const tags = runProfileMeta(profileData("anonymous"), "https://other-origin.example");
    expect(canonicalOf(tags)).toBe("https://other-origin.example/profiles/example-registry");
    expect(byProperty(tags, "og:url")).toBe(canonicalOf(tags));
  });

  it("is left out when the root has no usable origin", () => {
    expect(originFromMatches([{ id: "root", loaderData: { origin: "javascript:alert(1)" } }])).toBe(
      null,
    );
    expect(originFromMatches([{ id: "root", loaderData: undefined }])).toBe(null);
    expect(originFromMatches([{ id: "routes/x", loaderData: { origin: ORIGIN } }])).toBe(null);
    const tags = profileMeta(null, { profile: profileData("anonymous").profile, gates: GATES });
    expect(canonicalOf(tags)).toBeUndefined();
    expect(tags.some((tag) => "script:ld+json" in tag)).toBe(false);
    expect(byProperty(tags, "og:title")).toBe("Example Registry");
  });
});

describe("descriptions", () => {
  it("keeps a short text whole, with its whitespace collapsed", () => {
    expect(truncateText("  A short\n summary.  ")).toBe("A short summary.");
  });

  it("cuts a long text on a word boundary with an ellipsis", () => {
    const text = `${"Registries allocate address space to operators ".repeat(8)}end.`;
    const cut = truncateText(text);
    expect(cut.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(cut.length).toBeGreaterThan(DESCRIPTION_MAX - 20);
    expect(cut.endsWith("…")).toBe(true);
    const kept = cut.slice(0, -1);
    expect(text.startsWith(kept)).toBe(true);
    expect(text.charAt(kept.length)).toBe(" ");
  });

  it("cuts a single overlong word hard rather than leaving nothing", () => {
    const cut = truncateText("x".repeat(500), 50);
    expect(cut).toBe(`${"x".repeat(49)}…`);
  });

  it("uses the profile's summary, cut to length, in every description tag", () => {
    const long = `${SUMMARY} ${SUMMARY}`;
    const data = profileData("anonymous");
    const tags = runProfileMeta({ ...data, profile: { ...data.profile, summary: long } });
    const description = byName(tags, "description");
    expect(description).toBe(truncateText(long));
    expect(description?.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(byProperty(tags, "og:description")).toBe(description);
    expect(byName(tags, "twitter:description")).toBe(description);
  });
});

describe("cards", () => {
  it("an article with an image gets a large card and og:image with its size", () => {
    const tags = runArticleMeta(articleData("anonymous"));
    expect(byName(tags, "twitter:card")).toBe("summary_large_image");
    expect(byProperty(tags, "og:image")).toBe("https://cdn.example.org/img/transfer.jpg");
    expect(byProperty(tags, "og:image:width")).toBe("1200");
    expect(byProperty(tags, "og:image:height")).toBe("630");
    expect(byName(tags, "twitter:image")).toBe("https://cdn.example.org/img/transfer.jpg");
  });

  it("a page without an image gets a summary card and no og:image", () => {
    for (const tags of [
      runArticleMeta(articleData("anonymous", { images: false })),
      runProfileMeta(profileData("anonymous")),
    ]) {
      expect(byName(tags, "twitter:card")).toBe("summary");
      expect(byProperty(tags, "og:image")).toBeUndefined();
    }
  });

  it("a profile page has the site's name, its title and the Open Graph basics", () => {
    const tags = runProfileMeta(profileData("anonymous"));
    expect(tags).toContainEqual({ title: "Example Registry — Briefings" });
    expect(byProperty(tags, "og:site_name")).toBe("Briefings");
    expect(byProperty(tags, "og:type")).toBe("website");
    expect(byProperty(tags, "og:title")).toBe("Example Registry");
    expect(byName(tags, "twitter:title")).toBe("Example Registry");
    expect(canonicalOf(tags)).toBe(`${ORIGIN}/profiles/example-registry`);
  });

  it("an article page is an Open Graph article with its dates", () => {
    const tags = runArticleMeta(articleData("anonymous"));
    expect(byProperty(tags, "og:type")).toBe("article");
    expect(byProperty(tags, "article:published_time")).toBe("2025-03-04T08:15:00.000Z");
    expect(canonicalOf(tags)).toBe(`${ORIGIN}/news/registry-tightens-transfer-policy`);
  });
});

describe("JSON-LD", () => {
  it("describes a profile as a ProfilePage about an Organization", () => {
    const ld = jsonLdOf(runProfileMeta(profileData("anonymous")));
    const canonical = `${ORIGIN}/profiles/example-registry`;
    expect(ld["@context"]).toBe("https://schema.org");
    expect(ld["@type"]).toBe("ProfilePage");
    expect(ld.url).toBe(canonical);
    expect(ld.datePublished).toBe("2025-01-10T09:00:00.000Z");
    expect(ld.dateModified).toBe("2025-03-02T10:30:00.000Z");
    const organization = ld.mainEntity;
    expect(field(organization, "@type")).toBe("Organization");
    expect(field(organization, "name")).toBe("Example Registry");
    expect(field(organization, "description")).toBe(SUMMARY);
    expect(field(organization, "url")).toBe(canonical);
    expect(field(organization, "knowsAbout")).toEqual(["IP addressing", "Routing security"]);
    expect(field(organization, "location")).toEqual({ "@type": "Place", name: "Netherlands" });
  });

  it("gives a global organisation no location", () => {
    const ld = jsonLdOf(runProfileMeta(profileData("anonymous", "Global")));
    expect(field(ld.mainEntity, "location")).toBeUndefined();
  });

  it("describes an article as a NewsArticle based on the original", () => {
    const ld = jsonLdOf(runArticleMeta(articleData("anonymous")));
    const canonical = `${ORIGIN}/news/registry-tightens-transfer-policy`;
    expect(ld["@context"]).toBe("https://schema.org");
    expect(ld["@type"]).toBe("NewsArticle");
    expect(ld.headline).toBe("Registry tightens its transfer policy");
    expect(ld.description).toBe(
      "The registry now asks for more evidence before address space changes hands.",
    );
    expect(ld.datePublished).toBe("2025-03-04T08:15:00.000Z");
    expect(ld.dateModified).toBe("2025-03-05T12:00:00.000Z");
    expect(ld.url).toBe(canonical);
    expect(field(ld.mainEntityOfPage, "@id")).toBe(canonical);
    expect(ld.image).toEqual([
      "https://cdn.example.org/img/transfer.jpg",
      "https://cdn.example.org/img/second.jpg",
    ]);
    expect(field(ld.publisher, "@type")).toBe("Organization");
    expect(field(ld.publisher, "name")).toBe("Briefings");
    expect(field(ld.isBasedOn, "url")).toBe(
      "https://news.example.org/2025/03/registry-transfer-policy",
    );
    expect(field(field(ld.isBasedOn, "publisher"), "name")).toBe("Example News");
    expect(ld.about).toEqual([{ "@type": "Thing", name: "IP addressing" }]);
    expect(ld.mentions).toEqual([
      {
        "@type": "Organization",
        name: "Example Registry",
        url: `${ORIGIN}/profiles/example-registry`,
      },
    ]);
  });

  it(`keeps a headline within ${HEADLINE_MAX} characters`, () => {
    const title = `${"A very long headline about registry policy ".repeat(5)}end`;
    const ld = jsonLdOf(runArticleMeta(articleData("anonymous", { title })));
    expect(typeof ld.headline).toBe("string");
    expect(String(ld.headline).length).toBeLessThanOrEqual(HEADLINE_MAX);
    expect(String(ld.headline).endsWith("…")).toBe(true);
  });

  it("describes the home page as a WebSite with a search action and its publisher", () => {
    const ld = jsonLdOf(homeMeta(ORIGIN));
    const graph = ld["@graph"];
    expect(ld["@context"]).toBe("https://schema.org");
    expect(Array.isArray(graph)).toBe(true);
    const nodes = graph as unknown[];
    const site = nodes.find((node) => field(node, "@type") === "WebSite");
    const publisher = nodes.find((node) => field(node, "@type") === "Organization");
    expect(field(site, "url")).toBe(`${ORIGIN}/`);
    const action = field(site, "potentialAction");
    expect(field(action, "@type")).toBe("SearchAction");
    expect(field(field(action, "target"), "urlTemplate")).toBe(
      `${ORIGIN}/search?q={search_term_string}`,
    );
    expect(field(action, "query-input")).toBe("required name=search_term_string");
    expect(field(publisher, "name")).toBe("Briefings");
    expect(field(field(site, "publisher"), "@id")).toBe(field(publisher, "@id"));
  });
});

describe("paywall markup", () => {
  it("marks a page with only public parts as free", () => {
    expect(accessMarkup([PUBLIC_GATE])).toEqual({ isAccessibleForFree: true });
    expect(accessMarkup([])).toEqual({ isAccessibleForFree: true });
    const ld = jsonLdOf(runArticleMeta(articleData("anonymous", { gates: [PUBLIC_GATE] })));
    expect(ld.isAccessibleForFree).toBe(true);
    expect(ld.hasPart).toBeUndefined();
  });

  it("marks a page with a gated part as not free and points at the gated blocks", () => {
    for (const gate of [MEMBERS_GATE, STRATEGIC]) {
      const ld = jsonLdOf(runArticleMeta(articleData("anonymous", { gates: [PUBLIC_GATE, gate] })));
      expect(ld.isAccessibleForFree).toBe(false);
      expect(ld.hasPart).toEqual([
        {
          "@type": "WebPageElement",
          isAccessibleForFree: false,
          cssSelector: `.${GATED_BRIEFING_CLASS}`,
        },
      ]);
    }
    const profile = jsonLdOf(runProfileMeta(profileData("admitted")));
    expect(profile.isAccessibleForFree).toBe(false);
    expect(field((profile.hasPart as unknown[])[0], "cssSelector")).toBe(".gated-briefing");
  });

  it("the selector names every gated block, locked or unlocked, and no public one", () => {
    for (const viewer of ["admitted", "anonymous"] as const) {
      const Stub = createRoutesStub([{ id: "page", path: "/", Component: BriefingsPage }]);
      const html = renderToString(
        createElement(Stub, {
          initialEntries: ["/"],
          hydrationData: { loaderData: { page: briefingsFor(viewer) } },
        }),
      );
      const blocks = html.match(/<article[^>]*>/g) ?? [];
      expect(blocks).toHaveLength(GATES.length);
      const gated = blocks.filter((tag) => /class="[^"]*\bgated-briefing\b/.test(tag));
      // Three of the four fixtures are behind a gate; the public one is not marked.
      expect(gated, viewer).toHaveLength(3);
      expect(blocks.every((tag) => /class="briefing\b/.test(tag))).toBe(true);
    }
  });
});

describe("JSON-LD as React Router renders it", () => {
  /** The document head of a page whose route meta is `meta`, rendered by React Router's <Meta>. */
  function renderHead(meta: (origin: string | null) => MetaDescriptor[]): string {
    const Stub = createRoutesStub([
      {
        id: "root",
        path: "/",
        Component: HeadOnly,
        children: [
          {
            id: "routes/article",
            path: "news/:slug",
            Component: Nothing,
            meta: ({ matches }) => meta(originFromMatches(matches)),
          },
        ],
      },
    ]);
    const rootData: RootData = { origin: ORIGIN, account: null };
    return renderToString(
      createElement(Stub, {
        initialEntries: ["/news/x"],
        hydrationData: { loaderData: { root: rootData, "routes/article": null } },
      }),
    );
  }

  it("cannot be closed early by a title, and keeps U+2028 out of the script", () => {
    const title = 'Breaking </script><script>alert("x")</script> news & more';
    // Descriptions collapse whitespace; a topic's name reaches the JSON-LD as it is.
    const topic = "Line\u2028separator\u2029topic";
    const html = renderHead((origin) => {
      const { article, mentions } = articleData("anonymous", { title });
      const topics = [{ slug: "line-separator", name: topic }];
      return articleMeta(origin, { article, topics, mentions, gates: [STRATEGIC] });
    });
    const open = '<script type="application/ld+json">';
    const start = html.indexOf(open);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = html.indexOf("</script>", start);
    const body = html.slice(start + open.length, end);
    // Only the script's own end tag closes it; nothing in it can start markup.
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain("<script>alert");
    expect(body).not.toMatch(/[<>\u2028\u2029]/);
    expect(body).toContain("\\u003c/script\\u003e");
    expect(body).toContain("\\u2028");
    expect(body).toContain("\\u2029");
    const parsed: unknown = JSON.parse(body);
    expect(field(parsed, "headline")).toBe(title);
    expect(parsed).toHaveProperty("about", [{ "@type": "Thing", name: topic }]);
    expect(field(parsed, "headline")).toContain("</script>");
    // The same title in the other tags is an escaped attribute, not markup.
    expect(html).toContain("<title>Breaking &lt;/script&gt;");
  });

  it("renders the canonical link and the social tags into the head", () => {
    const html = renderHead((origin) => {
      const { article, topics, mentions } = articleData("anonymous");
      return articleMeta(origin, { article, topics, mentions, gates: [] });
    });
    expect(html).toContain(
      `<link rel="canonical" href="${ORIGIN}/news/registry-tightens-transfer-policy"/>`,
    );
    expect(html).toContain('<meta property="og:site_name" content="Briefings"/>');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image"/>');
  });
});
