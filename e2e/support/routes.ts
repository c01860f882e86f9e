import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest } from "@playwright/test";
import type { RouteConfigEntry } from "@react-router/dev/routes";
import routes from "../../apps/portal/app/routes.ts";

/**
 * The app's routes, taken from the route table itself (apps/portal/app/routes.ts), with
 * sample URLs for the ones that have parameters, and the fixture viewers of an e2e server.
 * Specs that walk every page (the leak matrix, the bad-input matrix) start here, so a route
 * added later is covered without anyone listing it; a route with parameters makes them
 * fail until it is given sample values in sampleUrls().
 */

export const VIEWERS = [
  "anonymous",
  "member",
  "unverified",
  "strategic-circle",
  "left-strategic-circle",
  "leadership-alliance",
  "leadership-alliance-by-grant",
  "approved-unpaid",
  "subscriber",
  "subscriber-past-due",
  "subscriber-lapsed",
  "subscriber-canceled",
  "subscriber-canceling",
  "expired-grant",
  "revoked-grant",
  "application-pending",
  "application-needs-info",
  "application-rejected",
  "editor",
  "admin",
  "owner",
] as const;
export type ViewerName = (typeof VIEWERS)[number];

export type Fixtures = {
  canary: string;
  matrix: Record<"public" | "members" | "strategic-circle" | "leadership-alliance", string>;
  users: Record<string, { id: string; email: string; password: string }>;
  seedProfile: string;
  seedProfileId: string;
  seedArticle: string;
  pendingApplicationId: string;
  /** In the pending application's statement: for its applicant and the reviewers only. */
  applicationCanary: string;
};

/** What prepare-database.ts wrote for the server of `target` ("pglite" or "postgres"). */
export function loadFixtures(target = "pglite"): Fixtures {
  const file = path.resolve(
    import.meta.dirname,
    "..",
    "..",
    "test-results",
    `e2e-fixtures-${target}.json`,
  );
  return JSON.parse(readFileSync(file, "utf8")) as Fixtures;
}

/** Every route path of the app, as written in routes.ts (e.g. "profiles/:slug"). */
export function routePaths(entries: readonly RouteConfigEntry[] = routes, parent = ""): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const own = entry.index ? parent : [parent, entry.path ?? ""].filter(Boolean).join("/");
    if (entry.index || entry.path !== undefined) out.push(own);
    if (entry.children) out.push(...routePaths(entry.children, own));
  }
  return [...new Set(out)];
}

/** Sample values for routes with parameters: the real records, and ones that do not exist. */
export function sampleUrls(pattern: string, f: Fixtures): string[] | null {
  const samples: Record<string, string[]> = {
    "profiles/:slug": [`/profiles/${f.seedProfile}`, "/profiles/no-such-profile", "/profiles/%00"],
    "news/:slug": [`/news/${f.seedArticle}`, "/news/no-such-article"],
    // Searches that reach the matrix profile and article, and searches for the words of
    // the canaries (split at their hyphens, so that the page echoing the query is not
    // mistaken for a leak): results, snippets and facet counts carry no briefing text.
    search: [
      "/search",
      "/search?q=facial+recogniton+azure",
      `/search?q=${encodeURIComponent(f.canary.replaceAll("-", " "))}`,
      ...Object.values(f.matrix).map(
        (text) => `/search?q=${encodeURIComponent(text.replaceAll("-", " "))}`,
      ),
      "/search?q=deeper+profile+context+briefing",
      "/search?q=azure&sort=newest",
      "/search?topic=azure&kind=profile",
    ],
    "topics/:slug": ["/topics/azure", "/topics/no-such-topic", "/topics/%00"],
    "topics/:slug/feed.rss": ["/topics/azure/feed.rss", "/topics/no-such-topic/feed.rss"],
    "topics/:slug/feed.atom": ["/topics/azure/feed.atom", "/topics/no-such-topic/feed.atom"],
    "profiles/:slug/feed.rss": [
      `/profiles/${f.seedProfile}/feed.rss`,
      "/profiles/no-such-profile/feed.rss",
      "/profiles/%00/feed.rss",
    ],
    "profiles/:slug/feed.atom": [
      `/profiles/${f.seedProfile}/feed.atom`,
      "/profiles/no-such-profile/feed.atom",
    ],
    "sitemaps/:chunk": [
      "/sitemaps/pages.xml",
      "/sitemaps/profiles-1.xml",
      "/sitemaps/articles-1.xml",
      "/sitemaps/profiles-99.xml",
      "/sitemaps/nope.xml",
    ],
    "providers/:domain": [
      "/providers/theintercept.com",
      "/providers/no-such-source.example",
      "/providers/%00",
    ],
    "membership/apply/:tier": [
      "/membership/apply/leadership-alliance",
      "/membership/apply/strategic-circle",
      "/membership/apply/no-such-tier",
    ],
    "admin/applications/:id": [
      `/admin/applications/${f.pendingApplicationId}`,
      "/admin/applications/00000000-0000-0000-0000-000000000000",
      "/admin/applications/not-a-uuid",
    ],
    "admin/members/:id": [
      `/admin/members/${f.users["leadership-alliance"]?.id}`,
      "/admin/members/00000000-0000-0000-0000-000000000000",
      "/admin/members/not-a-uuid",
    ],
    "admin/profiles/:id": [
      `/admin/profiles/${f.seedProfileId}`,
      "/admin/profiles/00000000-0000-0000-0000-000000000000",
      "/admin/profiles/not-a-uuid",
    ],
    "admin/profiles/:id/preview": [
      `/admin/profiles/${f.seedProfileId}/preview?as=anonymous`,
      `/admin/profiles/${f.seedProfileId}/preview?as=leadership-alliance`,
      "/admin/profiles/not-a-uuid/preview",
    ],
    "admin/profiles/:id/history": [
      `/admin/profiles/${f.seedProfileId}/history`,
      "/admin/profiles/not-a-uuid/history",
    ],
    "admin/tiers/:slug": [
      "/admin/tiers/leadership-alliance",
      "/admin/tiers/strategic-circle",
      "/admin/tiers/no-such-tier",
    ],
    "*": ["/no/such/page", "/profiles/x/y/z"],
  };
  if (pattern in samples) return samples[pattern] ?? null;
  if (/[:*]/.test(pattern)) return null;
  return [`/${pattern}`];
}

/** Extra URLs with bad input: tampered cursors, unknown filters, a NUL byte. */
export const ERROR_URLS = [
  "/profiles?cursor=garbage",
  "/profiles?sort=nope",
  "/news?cursor=garbage",
  "/search?q=azure&after=garbage",
  "/search?grade=Z",
  "/topics/azure?after=garbage",
  "/watchlist?changes=garbage",
  "/unsubscribe?token=not-a-token",
  "/profiles?type=%00",
  "/verify-email?token=not-a-token",
  "/reset-password?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/**
 * The sample URLs of every route, and the route patterns that have parameters but no
 * samples yet (a spec expects that list to be empty).
 */
export function appUrls(f: Fixtures): { urls: string[]; unsampled: string[] } {
  const unsampled: string[] = [];
  const urls: string[] = [];
  for (const pattern of routePaths(routes)) {
    const samples = sampleUrls(pattern, f);
    if (samples) urls.push(...samples);
    else unsampled.push(pattern);
  }
  return { urls, unsampled };
}

/** A request context signed in as a fixture viewer through the real sign-in form. */
export async function signedInContext(baseURL: string, viewer: ViewerName, f: Fixtures) {
  const context = await playwrightRequest.newContext({ baseURL });
  if (viewer === "anonymous") return context;
  const account = f.users[viewer];
  if (!account) throw new Error(`no fixture account for ${viewer}`);
  const response = await context.post("/sign-in", {
    form: { email: account.email, password: account.password, next: "/account" },
    headers: { Origin: baseURL },
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  expect(response.status(), `sign-in as ${viewer}`).toBeGreaterThanOrEqual(300);
  expect(response.status(), `sign-in as ${viewer}`).toBeLessThan(400);
  expect(response.headers()["set-cookie"] ?? "").toContain("briefings_session=");
  return context;
}
