import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { validateXML } from "xmllint-wasm";

const SEED_PROFILE = "Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI";
const SEED_SLUG = "microsofts-worldwide-ban-facial-recognition-out-of-azure-openai";

test("a reader finds the seed profile from the header search, typo included, and narrows by facet", async ({
  page,
}) => {
  await page.goto("/news");
  const box = page.getByRole("searchbox", { name: "Search profiles and news" });
  await box.fill("facial recogniton azure");
  await box.press("Enter");

  await expect(page).toHaveURL(/\/search\?q=facial\+recogniton\+azure/);
  await expect(page.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
  await expect(page.getByText(/^\d+ results? for “facial recogniton azure”$/)).toBeVisible();
  // The correction is said, and the matched words are marked in the snippets.
  await expect(page.getByText("Also matching recognition for “recogniton”.")).toBeVisible();
  const results = page.getByRole("list", { name: "Search results" });
  await expect(results.getByRole("link", { name: SEED_PROFILE })).toBeVisible();
  await expect(results.locator("mark").first()).toBeVisible();

  // Narrow to profiles: the facet link says how many, and the count follows.
  const refine = page.getByRole("complementary", { name: "Refine results" });
  const profilesFacet = refine.getByRole("link", { name: /^Profiles \d+$/ });
  const expected = Number(/(\d+)$/.exec((await profilesFacet.textContent()) ?? "")?.[1]);
  expect(expected).toBeGreaterThanOrEqual(1);
  await profilesFacet.click();
  await expect(page).toHaveURL(/kind=profile/);
  await expect(
    page.getByText(new RegExp(`^${expected} results? for “facial recogniton azure”$`)),
  ).toBeVisible();
  await expect(refine.getByRole("link", { name: /Profiles/ })).toHaveAttribute(
    "aria-current",
    "true",
  );
  for (const badge of await results.getByText(/^(Profile|News)$/).all()) {
    await expect(badge).toHaveText("Profile");
  }

  await results.getByRole("link", { name: SEED_PROFILE }).click();
  await expect(page.getByRole("heading", { level: 1, name: SEED_PROFILE })).toBeVisible();
});

test("a search that matches nothing says so and offers a way on", async ({ page }) => {
  await page.goto("/search?q=qqqzzzxxyy+wwwvvv");
  await expect(page.getByText("0 results for “qqqzzzxxyy wwwvvv”")).toBeVisible();
  await expect(page.getByText(/Nothing matches/)).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "profiles" })).toBeVisible();
});

test("a bad search parameter is a 400 that names it", async ({ request }) => {
  const response = await request.get("/search?q=azure&grade=Z");
  expect(response.status()).toBe(400);
  expect(await response.text()).toContain("Invalid &quot;grade&quot;");
});

test("a topic page lists its profiles and news and links its feeds", async ({ page }) => {
  await page.goto("/topics/azure");
  await expect(page.getByRole("heading", { level: 1, name: "Azure" })).toBeVisible();
  const profiles = page.getByRole("region", { name: "Profiles" });
  await expect(profiles.getByRole("link", { name: SEED_PROFILE })).toBeVisible();
  const news = page.getByRole("region", { name: "News" });
  await expect(news.getByRole("listitem").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "RSS" }).first()).toHaveAttribute(
    "href",
    "/topics/azure/feed.rss",
  );
  expect((await page.request.get("/topics/no-such-topic")).status()).toBe(404);
});

test("a provider page lists its news and the organisations it reports on", async ({ page }) => {
  await page.goto("/providers/theintercept.com");
  await expect(page.getByRole("heading", { level: 1, name: "The Intercept" })).toBeVisible();
  await expect(
    page
      .getByRole("region", { name: "News" })
      .getByRole("link", { name: /Microsoft Police State/ }),
  ).toBeVisible();
  expect((await page.request.get("/providers/no-such-source.example")).status()).toBe(404);
});

const xsd = (name: string) => ({
  fileName: name,
  contents: readFileSync(
    path.resolve(import.meta.dirname, "..", "apps/portal/app/lib/__fixtures__", name),
    "utf8",
  ),
});

test("the served sitemap validates against the sitemaps.org schemas, and every chunk it lists does too", async ({
  request,
}) => {
  const index = await request.get("/sitemap.xml");
  expect(index.status()).toBe(200);
  expect(index.headers()["content-type"]).toContain("application/xml");
  const indexXml = await index.text();
  const checked = await validateXML({
    xml: [{ fileName: "sitemap.xml", contents: indexXml }],
    schema: [xsd("siteindex.xsd")],
  });
  expect(checked.errors).toEqual([]);
  const chunks = [...indexXml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? ""));
  expect(chunks.map((url) => url.pathname)).toContain("/sitemaps/profiles-1.xml");
  const pages: string[] = [];
  for (const chunk of chunks) {
    const response = await request.get(chunk.pathname);
    expect(response.status(), chunk.pathname).toBe(200);
    const xml = await response.text();
    const result = await validateXML({
      xml: [{ fileName: chunk.pathname, contents: xml }],
      schema: [xsd("sitemap.xsd")],
    });
    expect(result.errors, chunk.pathname).toEqual([]);
    pages.push(
      ...[...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? "").pathname),
    );
  }
  expect(pages).toContain(`/profiles/${SEED_SLUG}`);
  expect(pages).toContain("/topics/azure");
  expect(new Set(pages).size).toBe(pages.length);
  const robots = await (await request.get("/robots.txt")).text();
  expect(robots).toMatch(/^Sitemap: https?:\/\/[^\s]+\/sitemap\.xml$/m);
  expect(robots).toMatch(/^Disallow: \/admin$/m);
});

test("the served feeds are well-formed RSS 2.0 and Atom 1.0 with the seed profile in them", async ({
  request,
}) => {
  const parser = new XMLParser({ ignoreAttributes: false });
  for (const path of ["/feed.rss", "/topics/azure/feed.rss", `/profiles/${SEED_SLUG}/feed.rss`]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-type"]).toContain("application/rss+xml");
    const xml = await response.text();
    expect(XMLValidator.validate(xml), path).toBe(true);
    const channel = parser.parse(xml).rss.channel;
    expect(channel.title, path).toBeTruthy();
    const items = [channel.item].flat();
    expect(
      items.some((item) => String(item.link).endsWith(`/profiles/${SEED_SLUG}`)),
      path,
    ).toBe(true);
  }
  for (const path of [
    "/feed.atom",
    "/topics/azure/feed.atom",
    `/profiles/${SEED_SLUG}/feed.atom`,
  ]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-type"]).toContain("application/atom+xml");
    const xml = await response.text();
    expect(XMLValidator.validate(xml), path).toBe(true);
    const feed = parser.parse(xml).feed;
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect([feed.entry].flat().length, path).toBeGreaterThan(0);
  }
});

test("a profile page carries its canonical URL, social cards and Organization JSON-LD", async ({
  page,
}) => {
  await page.goto(`/profiles/${SEED_SLUG}`);
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  expect(canonical).toMatch(new RegExp(`^https?://[^/]+/profiles/${SEED_SLUG}$`));
  await expect(page.locator('meta[property="og:url"]')).toHaveAttribute("content", canonical ?? "");
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", SEED_PROFILE);
  await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute("content", /summary/);
  const jsonLd = JSON.parse(
    (await page.locator('script[type="application/ld+json"]').first().textContent()) ?? "null",
  );
  expect(jsonLd["@type"]).toBe("ProfilePage");
  expect(jsonLd.mainEntity["@type"]).toBe("Organization");
  expect(jsonLd.mainEntity.name).toBe(SEED_PROFILE);
  // The seed profile has gated briefings: the paywall markup points at their blocks.
  expect(jsonLd.isAccessibleForFree).toBe(false);
  const selector = jsonLd.hasPart[0].cssSelector;
  expect(await page.locator(selector).count()).toBeGreaterThan(0);
});
