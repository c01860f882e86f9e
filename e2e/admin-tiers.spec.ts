import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { errorsOf } from "./support/membership.ts";
import { adminPage, fixtureAccount, signIn, signUpVerified } from "./support/users.ts";

/**
 * The tiers back office: an admin creates tiers (one priced), re-ranks them (the preview
 * names the member who would lose access, and nothing moves before the confirmation; done
 * without JavaScript) and retires one (its holder keeps it). Editors and members get 403.
 *
 * The spec works on tiers of its own, above the shipped ones, so the other specs' tiers
 * keep their ranks.
 */

/** The tiers table's rows, top to bottom, by tier slug. */
async function rowOrder(page: Page): Promise<string[]> {
  return page
    .getByRole("table", { name: "Tiers, lowest rank first" })
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-tier") ?? ""));
}

test("an admin creates a priced tier, re-ranks it seeing who loses access, and retires it", async ({
  page,
  browser,
}) => {
  test.setTimeout(60_000);
  const { email } = await signUpVerified(page);
  const suffix = randomBytes(3).toString("hex");
  const lower = { slug: `e2e-lower-${suffix}`, name: `Lower ${suffix}` };
  const upper = { slug: `e2e-upper-${suffix}`, name: `Upper ${suffix}` };
  const nextYear = `${new Date().getUTCFullYear() + 1}-12-31`;

  const admin = await adminPage(browser);
  try {
    // The shipped paid tier shows its demo prices.
    await admin.goto("/admin/tiers");
    await expect(admin.locator('[data-tier="leadership-alliance"]')).toContainText(
      "US$49.00 a month",
    );

    // A free, open tier; its rank is proposed above every other.
    await admin.getByRole("link", { name: "Create a tier" }).click();
    await admin.getByLabel("Name").fill(lower.name);
    await admin.getByLabel("Slug").fill(lower.slug);
    await admin.getByLabel("Benefits").fill("Lower briefings\nA newsletter");
    await admin.getByRole("button", { name: "Create tier" }).click();
    await expect(admin).toHaveURL(/\/admin\/tiers\?created=/);
    await expect(admin.getByRole("status")).toContainText(`${lower.name} was created`);

    // A paid tier by application: a price is required, beside its field.
    await admin.goto("/admin/tiers/new");
    await admin.getByLabel("Name").fill(upper.name);
    await admin.getByLabel("Slug").fill(upper.slug);
    await admin.getByRole("radio", { name: "By application" }).check();
    await admin.getByLabel("Paid tier").check();
    await admin.getByRole("button", { name: "Create tier" }).click();
    await expect(errorsOf(admin.getByLabel("Monthly price"))).toContainText(
      "A paid tier needs a monthly or a yearly price",
    );
    await admin.getByLabel("Monthly price").fill("49.00");
    await admin.getByLabel("Yearly price").fill("490.00");
    await admin.getByLabel("Currency").fill("usd");
    await admin.getByRole("button", { name: "Create tier" }).click();
    await expect(admin).toHaveURL(/\/admin\/tiers\?created=/);
    const upperRow = admin.locator(`[data-tier="${upper.slug}"]`);
    await expect(upperRow).toContainText("US$49.00 a month");
    await expect(upperRow).toContainText("US$490.00 a year");
    await expect(upperRow).toContainText("By application");
    expect((await rowOrder(admin)).slice(-2)).toEqual([lower.slug, upper.slug]);

    // The member is granted the upper tier, which includes the lower one.
    await admin.goto(`/admin/members?q=${encodeURIComponent(email)}`);
    await admin.getByRole("link", { name: email }).click();
    await admin.getByLabel("Tier", { exact: true }).selectOption({ label: upper.name });
    await admin.getByLabel("Access ends on").fill(nextYear);
    await admin.getByLabel("Reason", { exact: true }).fill("Tier administration test");
    await admin.getByRole("button", { name: "Grant complimentary access" }).click();
    await expect(admin).toHaveURL(/\?granted=1$/);

    // Moving the upper tier up, below the lower one, would take the lower one's briefings
    // from the member: the preview says so, without JavaScript too, and nothing moves yet.
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await admin.context().storageState(),
    });
    try {
      const plain = await noScript.newPage();
      await plain.goto("/admin/tiers");
      await plain.getByRole("button", { name: `Move ${upper.name} up (lower rank)` }).click();
      const panel = plain.locator("[data-tier-impact]");
      await expect(panel.getByRole("heading", { name: "Confirm the new order" })).toBeVisible();
      await expect(panel).toContainText("1 member would lose access");
      await expect(panel).toContainText(`loses ${lower.name}`);
      const memberLink = panel.getByRole("link", { name: email });
      await expect(memberLink).toHaveAttribute("href", /^\/admin\/members\/[0-9a-f-]{36}$/);
      expect((await rowOrder(plain)).slice(-2)).toEqual([lower.slug, upper.slug]);

      await panel.getByRole("button", { name: "Confirm new order" }).click();
      await expect(plain).toHaveURL(/\/admin\/tiers\?reordered=1$/);
      await expect(plain.getByRole("status")).toContainText("The new order is saved");
      expect((await rowOrder(plain)).slice(-2)).toEqual([upper.slug, lower.slug]);
    } finally {
      await noScript.close();
    }

    // Retiring the upper tier names its holder, who keeps it.
    await admin.goto(`/admin/tiers/${upper.slug}`);
    await admin.getByRole("button", { name: `Retire ${upper.name}…` }).click();
    const retirement = admin.locator("[data-tier-impact]");
    await expect(
      retirement.getByRole("heading", { name: `Confirm: retire ${upper.name}` }),
    ).toBeFocused();
    await expect(retirement).toContainText("1 member holds this tier now and will keep it");
    await expect(retirement.getByRole("link", { name: email })).toBeVisible();
    await retirement.getByRole("button", { name: `Retire ${upper.name}` }).click();
    await expect(admin).toHaveURL(new RegExp(`/admin/tiers/${upper.slug}\\?retired=1$`));
    await expect(admin.getByRole("status")).toContainText("Everyone who held it keeps it");
    await expect(admin.getByRole("button", { name: `Restore ${upper.name}` })).toBeVisible();

    await admin.goto(`/admin/members?q=${encodeURIComponent(email)}`);
    await admin.getByRole("link", { name: email }).click();
    await expect(admin.locator("dd", { hasText: upper.name })).toBeVisible();

    // Every step is in the audit log.
    for (const action of ["tier.create", "tier.reorder", "tier.retire"]) {
      await admin.goto(`/admin/audit?action=${action}`);
      await expect(admin.locator(`[data-audit-action="${action}"]`).first()).toContainText(
        upper.slug,
      );
    }
  } finally {
    await admin.context().close();
  }

  // A retired tier leaves the membership page.
  await page.goto("/membership");
  await expect(page.getByRole("main")).not.toContainText(upper.name);
  await expect(page.getByRole("main")).toContainText(lower.name);
});

test("editors and members get 403 from the tier pages and their actions", async ({
  browser,
  baseURL,
}) => {
  for (const kind of ["editor", "member"]) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const account = fixtureAccount(kind);
      await signIn(page, account.email, account.password);
      await expect(page).toHaveURL(/\/account$/);
      for (const path of ["/admin/tiers", "/admin/tiers/new", "/admin/tiers/leadership-alliance"]) {
        const response = await page.goto(path);
        expect(response?.status(), `${kind} GET ${path}`).toBe(403);
        const post = await page.request.post(path, {
          form: { intent: "retire", name: "x" },
          headers: { Origin: baseURL ?? "" },
          maxRedirects: 0,
          failOnStatusCode: false,
        });
        expect(post.status(), `${kind} POST ${path}`).toBe(403);
      }
    } finally {
      await context.close();
    }
  }
});
