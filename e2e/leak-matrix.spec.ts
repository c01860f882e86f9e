import { type APIRequestContext, expect, test } from "@playwright/test";
import {
  appUrls,
  ERROR_URLS,
  loadFixtures,
  signedInContext,
  VIEWERS,
  type ViewerName,
} from "./support/routes.ts";

/**
 * The leak matrix: for every kind of viewer and every gate, the gate's canary is present
 * in exactly the responses that viewer is admitted to, and absent from every other one.
 *
 * - Gates: public, members, Strategic Circle, Leadership Alliance. prepare-database.ts puts
 *   one briefing per gate, each with its own string, on the seed profile and the seed
 *   article, and a per-gate canary into every other gated briefing of the demo content.
 * - Viewers: anonymous; members unverified, verified, in Strategic Circle (and one who left),
 *   in Leadership Alliance (approved, or by a live grant; and grants expired or revoked),
 *   with applications pending, needing information or rejected; editor, admin, owner; each
 *   signed in through the real sign-in form.
 * - Beyond gates: the pending application's statement is private to its applicant and the
 *   reviewers; each admin page and action answers 403 (or the sign-in redirect) to every
 *   role it is not for (the role matrix: editors write and import, admins run the rest);
 *   anonymous public pages vary on the cookie.
 * - Responses: every route of the app, taken from the route table itself (a route added
 *   later is covered without anyone listing it; a route with parameters fails this test
 *   until it is given sample values in support/routes.ts), each fetched as a document, as
 *   route data (`.data`) and posted to (actions, their validation errors), plus error URLs.
 *   Bodies and headers are searched, so meta tags, JSON and error pages are covered.
 */

const GATES = ["public", "members", "strategic-circle", "leadership-alliance"] as const;
type GateName = (typeof GATES)[number];

/** The expected admissions, written out independently of the app's access code. */
const SIGNED_IN: readonly GateName[] = ["public", "members"];
const ADMITTED: Record<ViewerName, readonly GateName[]> = {
  anonymous: ["public"],
  member: SIGNED_IN,
  // Signed in is enough for the members gate; tiers need a verified address to join.
  unverified: SIGNED_IN,
  "strategic-circle": ["public", "members", "strategic-circle"],
  "left-strategic-circle": SIGNED_IN,
  // A higher tier includes the lower ones, however it is held.
  "leadership-alliance": GATES,
  "leadership-alliance-by-grant": GATES,
  // Paid tiers: the subscription as Stripe last described it, never the approval alone.
  "approved-unpaid": SIGNED_IN,
  subscriber: GATES,
  // Past due: kept for the grace period (7 days) from the first failure, not after.
  "subscriber-past-due": GATES,
  "subscriber-lapsed": SIGNED_IN,
  "subscriber-canceled": SIGNED_IN,
  // Cancelled at period end: still paid up until then.
  "subscriber-canceling": GATES,
  "expired-grant": SIGNED_IN,
  "revoked-grant": SIGNED_IN,
  "application-pending": SIGNED_IN,
  "application-needs-info": SIGNED_IN,
  "application-rejected": SIGNED_IN,
  editor: GATES,
  admin: GATES,
  owner: GATES,
};

const ADMINS: readonly ViewerName[] = ["admin", "owner"];
const EDITORS: readonly ViewerName[] = ["editor", "admin", "owner"];

/**
 * Who may open each part of the admin area, written out independently of the app: editors
 * write profiles and import articles (and see the overview); the rest is for admins.
 */
function allowedIn(pathname: string): readonly ViewerName[] {
  const editorial = ["/admin/profiles", "/admin/import"];
  if (
    pathname === "/admin" ||
    editorial.some((p) => pathname === p || pathname.startsWith(`${p}/`))
  )
    return EDITORS;
  return ADMINS;
}

/** Gates a pretend reader of the editors' preview is admitted to (?as=…). */
const PERSONA_GATES: Record<string, readonly GateName[]> = {
  anonymous: ["public"],
  member: SIGNED_IN,
  "strategic-circle": ["public", "members", "strategic-circle"],
  "leadership-alliance": GATES,
};

/**
 * Which matrix strings a response may carry: the readers' pages carry the viewer's admitted
 * gates; the editors' pages of the seed profile carry what they show (the editor all of
 * them, the preview its pretend reader's, the history whatever was saved); nothing else.
 */
function expectedGates(
  viewer: ViewerName,
  method: string,
  target: string,
  status: number,
  f: ReturnType<typeof loadFixtures>,
  locations: Set<string>,
): ReadonlySet<GateName> | "any" {
  const url = new URL(target, "http://x");
  const pathname = url.pathname.replace(/\.data$/, "");
  if (method === "GET" && status === 200 && locations.has(pathname))
    return new Set(ADMITTED[viewer]);
  const editorPage = `/admin/profiles/${f.seedProfileId}`;
  if (EDITORS.includes(viewer) && pathname.startsWith(editorPage)) {
    if (method !== "GET" || pathname === `${editorPage}/history`) return "any";
    if (status !== 200) return new Set();
    if (pathname === editorPage) return new Set(GATES);
    if (pathname === `${editorPage}/preview`)
      return new Set(PERSONA_GATES[url.searchParams.get("as") ?? "anonymous"] ?? []);
  }
  return new Set();
}

function dataUrl(url: string): string {
  const parsed = new URL(url, "http://x");
  parsed.pathname =
    parsed.pathname === "/" ? "/_root.data" : `${parsed.pathname.replace(/\/$/, "")}.data`;
  return parsed.pathname + parsed.search;
}

type Fetched = { label: string; status: number; text: string; cacheControl: string };

async function fetchAll(
  context: APIRequestContext,
  baseURL: string,
  urls: string[],
): Promise<Fetched[]> {
  const out: Fetched[] = [];
  const record = async (label: string, run: () => ReturnType<APIRequestContext["get"]>) => {
    const response = await run();
    const headers = Object.entries(response.headers())
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n");
    out.push({
      label,
      status: response.status(),
      text: `${headers}\n\n${await response.text()}`,
      cacheControl: response.headers()["cache-control"] ?? "",
    });
  };
  const options = { maxRedirects: 0, failOnStatusCode: false } as const;
  for (const url of urls) {
    await record(`GET ${url}`, () => context.get(url, options));
    await record(`GET ${dataUrl(url)}`, () => context.get(dataUrl(url), options));
  }
  // Actions last: one of them (sign-out) ends the session.
  const posts = [...urls].sort((a, b) => Number(a === "/sign-out") - Number(b === "/sign-out"));
  for (const url of posts) {
    await record(`POST ${url}`, () =>
      context.post(url, { ...options, form: { intent: "" }, headers: { Origin: baseURL } }),
    );
  }
  return out;
}

test.describe.configure({ mode: "serial" });

for (const viewer of VIEWERS) {
  test(`leak matrix: ${viewer}`, async ({ baseURL }, testInfo) => {
    test.setTimeout(120_000);
    const target = String(testInfo.project.metadata.target ?? "pglite");
    const f = loadFixtures(target);
    if (!baseURL) throw new Error("baseURL is not set");

    const { urls, unsampled } = appUrls(f);
    expect(unsampled, "routes with parameters need sample values in sampleUrls()").toEqual([]);
    urls.push(...ERROR_URLS);
    // Where the matrix briefings live: the only documents that may carry their strings.
    const locations = new Set([`/profiles/${f.seedProfile}`, `/news/${f.seedArticle}`]);

    const context = await signedInContext(baseURL, viewer, f);
    const responses = await fetchAll(context, baseURL, urls);
    await context.dispose();

    const admitted = new Set<GateName>(ADMITTED[viewer]);
    const problems: string[] = [];
    const applicationSeenAt: string[] = [];
    const seenAt: Record<GateName, number> = {
      public: 0,
      members: 0,
      "strategic-circle": 0,
      "leadership-alliance": 0,
    };
    // The demo content's per-gate canaries, for the gates this viewer is not admitted to.
    const forbiddenCanaries = [
      ...(admitted.has("members") ? [] : [`${f.canary}-members`]),
      ...(admitted.has("strategic-circle") ? [] : [`${f.canary}-tier-strategic-circle`]),
      ...(admitted.has("leadership-alliance") ? [] : [`${f.canary}-tier-leadership-alliance`]),
    ];
    for (const response of responses) {
      const [method, target = ""] = response.label.split(" ");
      const pathname = new URL(target, "http://x").pathname.replace(/\.data$/, "");
      const isLocation = method === "GET" && locations.has(pathname) && response.status === 200;
      const allowed = expectedGates(viewer, method ?? "", target, response.status, f, locations);
      for (const gate of GATES) {
        const found = response.text.includes(f.matrix[gate]);
        if (found && isLocation) seenAt[gate] += 1;
        if (allowed === "any") continue;
        const expected = allowed.has(gate);
        if (found !== expected) {
          problems.push(
            `${response.label} (${response.status}): ${gate} briefing ${found ? "present" : "missing"}`,
          );
        }
      }
      for (const canary of forbiddenCanaries) {
        if (response.text.includes(canary))
          problems.push(`${response.label} (${response.status}): contains ${canary}`);
      }
      // Anything that depends on a session is private and never stored; anonymous pages a
      // shared cache may keep say that they vary on the cookie.
      if (viewer !== "anonymous" && !/no-store/.test(response.cacheControl)) {
        problems.push(`${response.label}: Cache-Control "${response.cacheControl}" for a member`);
      }
      if (/public/.test(response.cacheControl) && !/^vary: .*cookie/im.test(response.text)) {
        problems.push(`${response.label}: public without Vary: Cookie`);
      }
      // The admin area, pages and actions: reviewers only. Anonymous readers are sent to
      // sign in (route data answers a redirect as 202 or 204 with its target in the body or
      // a header), everyone else gets 403.
      if (pathname.startsWith("/admin") && !allowedIn(pathname).includes(viewer)) {
        const expected =
          viewer !== "anonymous"
            ? [403]
            : new URL(target, "http://x").pathname.endsWith(".data")
              ? [202, 204]
              : [302];
        const redirectsToSignIn = viewer !== "anonymous" || /sign-in\?next=/.test(response.text);
        // A page without an action answers any post 405, whoever asks.
        const noAction = method === "POST" && response.status === 405;
        if (!noAction && (!expected.includes(response.status) || !redirectsToSignIn)) {
          problems.push(
            `${response.label}: ${response.status} for ${viewer}, expected ${expected}`,
          );
        }
      }
      // The pending application's statement: the reviewers on its page, its applicant in
      // the data export, nobody else anywhere.
      if (response.text.includes(f.applicationCanary)) {
        applicationSeenAt.push(response.label);
        const reviewerPage =
          ADMINS.includes(viewer) && pathname === `/admin/applications/${f.pendingApplicationId}`;
        const ownExport = viewer === "application-pending" && pathname === "/account/export";
        // (A refused decision re-renders the reviewer's page, statement included.)
        if (!(reviewerPage || (ownExport && method === "GET")))
          problems.push(
            `${response.label} (${response.status}): shows the application's statement`,
          );
      }
    }
    expect(problems, `${viewer}: ${responses.length} responses checked`).toEqual([]);
    // Each admitted gate was seen on both locations, as a document and as route data.
    for (const gate of admitted) expect(seenAt[gate], gate).toBe(4);
    // The reviewers do see the statement (so its absence elsewhere means something).
    if (ADMINS.includes(viewer)) {
      expect(applicationSeenAt).toContain(`GET /admin/applications/${f.pendingApplicationId}`);
    }
    if (viewer === "application-pending")
      expect(applicationSeenAt).toContain("GET /account/export");
    expect(responses.length).toBeGreaterThan(3 * urls.length - 1);
  });
}
