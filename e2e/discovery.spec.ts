import { expect, test } from "@playwright/test";

const SEED_PROFILE = "Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI";

test("a reader finds the seed profile from the header search, typo included, and narrows by facet", async ({
  page,
}) => {
  await page.goto("/news");
  const box = page.getByRole("searchbox", { name: "Search profiles and news" }).first();
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
