import { type Browser, expect, type Page, test } from "@playwright/test";
import { leadershipAlliance, SEED_PROFILE_PATH } from "./support/membership.ts";
import { fixtureAccount, signIn } from "./support/users.ts";

/**
 * A publisher who has not set up payments: the portal on port 4312 runs with no Stripe
 * setting at all. Paid tiers say payment is not set up, nothing reaches for Stripe, and an
 * admin gives access with a complimentary grant instead.
 */

const BASE = "http://127.0.0.1:4312";
const TARGET = "no-stripe";

async function signedIn(browser: Browser, kind: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  const account = fixtureAccount(kind, TARGET);
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(/\/account$/);
  return page;
}

test("without Stripe keys paid tiers say payment is not set up, and an admin grants access", async ({
  browser,
}) => {
  const member = await signedIn(browser, "approved-unpaid");
  try {
    await member.goto("/membership#leadership-alliance");
    const card = member.locator('[data-tier-actions="leadership-alliance"]');
    await expect(card).toContainText("Your application is approved");
    await expect(card).toContainText("Payment is not set up yet");
    await expect(card.getByRole("button", { name: "Continue to payment" })).toHaveCount(0);
    // Posting the checkout form anyway: a clear 503, nothing started.
    const forged = await member.request.post("/membership", {
      form: { intent: "checkout", tier: "leadership-alliance", interval: "year" },
      headers: { Origin: BASE },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(503);
    expect(await forged.text()).toContain("payment is not set up");
    await member.goto(SEED_PROFILE_PATH);
    await expect(leadershipAlliance(member)).toHaveAttribute("data-briefing-state", "locked");

    // Stripe's webhook address exists but believes nothing without a signing secret.
    const webhook = await member.request.post("/webhooks/stripe", {
      data: { id: "evt_1", type: "invoice.paid" },
      failOnStatusCode: false,
    });
    expect(webhook.status()).toBe(503);

    // The admin sees why, and grants access from the member's page.
    const admin = await signedIn(browser, "admin");
    try {
      await admin.goto("/admin/billing");
      await expect(admin.getByText(/Stripe is not configured/)).toBeVisible();
      await admin.goto(`/admin/members/${fixtureAccount("approved-unpaid", TARGET).id}`);
      await admin.getByLabel("Tier").selectOption({ label: "Leadership Alliance" });
      await admin.getByLabel("Access ends on").fill(`${new Date().getUTCFullYear() + 1}-12-31`);
      await admin.getByLabel("Reason", { exact: true }).fill("Paid by bank transfer");
      await admin.getByRole("button", { name: "Grant complimentary access" }).press("Enter");
      await expect(admin).toHaveURL(/\?granted=1$/);
    } finally {
      await admin.context().close();
    }

    await member.goto(SEED_PROFILE_PATH);
    await expect(leadershipAlliance(member)).toHaveAttribute("data-briefing-state", "unlocked");
    await member.goto("/membership#leadership-alliance");
    await expect(card).toContainText("You have access to Leadership Alliance");
  } finally {
    await member.context().close();
  }
});
