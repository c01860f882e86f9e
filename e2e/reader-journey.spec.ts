import { expect, type Page, test } from "@playwright/test";

const SEED_PROFILE = "Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI";
const SEED_ARTICLE =
  "The Microsoft Police State: Mass Surveillance, Facial Recognition, and the Azure Cloud";

/** The directory's "N profiles in the directory" line, as a number. */
async function directoryTotal(page: Page): Promise<number> {
  const line = page.getByText(/^\d+ profiles in the directory$/);
  return Number(/^(\d+)/.exec((await line.textContent())?.trim() ?? "")?.[1]);
}

test("a reader goes from home to the directory, filters, reads a profile's teasers and the news", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(
    "organisations that run the internet",
  );
  await expect(page.getByRole("heading", { name: "Membership tiers" })).toBeVisible();

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Profiles" })
    .click();
  await expect(page).toHaveURL(/\/profiles$/);
  await expect(page.getByRole("heading", { level: 1, name: "Profiles" })).toBeVisible();
  // 41 from the demo content, and any an editor's test published meanwhile.
  const total = await directoryTotal(page);
  expect(total).toBeGreaterThanOrEqual(41);

  // Filter: topic Azure, grade B/C.
  await page.getByLabel("Topic").selectOption({ label: "Azure" });
  await page.getByLabel("Confidence grade").selectOption("B/C");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/topic=azure/);
  await expect(page).toHaveURL(/grade=B%2FC/);
  await expect(page.getByText(/^\d+ profiles? match(es)? these filters$/)).toBeVisible();
  const cards = page.getByRole("main").getByRole("listitem");
  for (const card of await cards.all()) {
    await expect(card).toContainText("Grade B/C");
  }

  await page.getByRole("link", { name: SEED_PROFILE }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(SEED_PROFILE);
  for (const section of [
    "What it does",
    "Why it matters",
    "What to watch",
    "Key points",
    "Confidence",
    "Also read",
  ]) {
    await expect(page.getByRole("heading", { level: 2, name: section, exact: true })).toBeVisible();
  }
  await expect(page.getByText("Operational criticality: Medium")).toBeVisible();
  await expect(page.getByText("Time horizon: Next quarter")).toBeVisible();
  const glance = page.getByRole("complementary", { name: "At a glance" });
  await expect(glance).toContainText("Internet infrastructure institution");
  await expect(glance).toContainText("Grade B/C");

  // The three locked briefings of the seed page, each with what it withholds and its next step
  // (the leak matrix's own briefings, "Matrix analysis", are left aside here).
  const locked = page
    .locator('[data-briefing-state="locked"]')
    .filter({ hasNotText: "Matrix analysis" });
  await expect(locked).toHaveCount(3);
  await expect(locked.nth(0)).toContainText("Deeper Profile Context");
  await expect(locked.nth(0)).toContainText(
    "Login is required to unlock the full profile briefing and source notes.",
  );
  await expect(locked.nth(0).getByRole("link", { name: "Sign in to read" })).toBeVisible();
  await expect(locked.nth(1)).toContainText("Strategic Circle Access");
  await expect(locked.nth(1)).toContainText(
    /\d+ sections? · \d+ words? withheld|\d+ sections? · \d+ sources? · \d+ words? withheld/,
  );
  await expect(locked.nth(2)).toContainText("Leadership Alliance Access");
  await expect(locked.nth(2)).toContainText("For owners and management of IP-holding companies.");
  // The only open one is the public briefing the test data adds (see prepare-database.ts).
  const open = page
    .locator('[data-briefing-state="unlocked"]')
    .filter({ hasNotText: "Matrix analysis" });
  await expect(open).toHaveCount(1);
  await expect(open).toContainText("Open analysis");

  // Signed out, joining starts with an account, then comes back to the membership page.
  await locked.nth(1).getByRole("link", { name: "Join Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=%2Fmembership$/);
  await expect(page.getByRole("heading", { level: 1, name: "Create an account" })).toBeVisible();
  await page.goBack();

  // From the profile to the related seed article.
  await page.getByRole("link", { name: SEED_ARTICLE }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(SEED_ARTICLE);
  await expect(page.getByText("partnerships — while its PR efforts")).toBeVisible();
  await expect(page.getByText("The Intercept", { exact: true })).toBeVisible();
  const image = page.locator("figure img");
  await expect(image).toHaveAttribute("width", "1200");
  await expect(image).toHaveAttribute("height", "800");
  const outbound = page.getByRole("link", { name: /Read at The Intercept/ });
  await expect(outbound).toHaveAttribute("href", /^https:\/\/theintercept\.com\/2020\/07\/14\//);
  await expect(outbound).toHaveAttribute("rel", "noopener noreferrer");
  await expect(page.getByRole("meter", { name: "Quality 29 of 100" })).toBeVisible();
  const premium = page
    .locator('[data-briefing-state="locked"]')
    .filter({ hasNotText: "Matrix analysis" });
  await expect(premium).toHaveCount(1);
  await expect(premium).toContainText("sealed text withheld");
  await expect(premium.getByRole("link", { name: "Join Strategic Circle" })).toBeVisible();
  await expect(
    page.getByRole("heading", {
      name: "Three Dutch cities build an alliance on the Microsoft cloud",
    }),
  ).toBeVisible();
});

test("the directory pages forward and back to the first page without repeating a profile", async ({
  page,
}) => {
  await page.goto("/profiles?sort=name");
  const names = async () =>
    page.getByRole("main").getByRole("listitem").getByRole("heading", { level: 3 }).allInnerTexts();
  // The demo content's 41, and the few other tests may have published: two pages.
  const total = await directoryTotal(page);
  expect(total).toBeGreaterThanOrEqual(41);
  expect(total).toBeLessThanOrEqual(48);
  const first = await names();
  expect(first).toHaveLength(24);
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByRole("link", { name: "← First page" })).toBeVisible();
  const second = await names();
  expect(second).toHaveLength(total - 24);
  expect(second.filter((name) => first.includes(name))).toEqual([]);
  await expect(page.getByRole("link", { name: "Next page →" })).toHaveCount(0);
  await page.getByRole("link", { name: "← First page" }).click();
  await expect(page).not.toHaveURL(/after=/);
  await expect(page.getByRole("link", { name: "Next page →" })).toBeVisible();
  expect(await names()).toEqual(first);
});

test("missing pages and tampered cursors get clear error pages", async ({ page }) => {
  const missing = await page.goto("/profiles/no-such-profile");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page).toHaveTitle(/not found/i);

  const bad = await page.goto("/profiles?after=not-a-cursor");
  expect(bad?.status()).toBe(400);
  await expect(page.getByText("The page cursor is not valid")).toBeVisible();

  const badFilter = await page.goto("/profiles?criticality=Extreme");
  expect(badFilter?.status()).toBe(400);
  await expect(page.getByText(/Invalid "criticality"/)).toBeVisible();
});

test("on a phone the page fits the screen and the skip link leads to the content", async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 375, height: 740 },
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto("/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai");
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  await context.close();
});
