import { expect, type Page, test } from "@playwright/test";
import {
  applyCorrectly,
  decide,
  leadershipAlliance,
  SEED_PROFILE_PATH,
  FAKE_STRIPE as STRIPE,
  strategicCircle,
  uniqueOrganisation,
} from "./support/membership.ts";
import { fixtureAccount, signIn, signUpVerified } from "./support/users.ts";

/**
 * Paying for Leadership Alliance, end to end in Chromium against the fake Stripe of this run
 * (packages/billing's fake: hosted checkout and customer portal pages that send signed
 * webhooks to the portal, in a deliberately wrong order and after a delay). Access follows
 * the webhook, never the return from checkout; cancelling ends access at the period's end.
 */

const card = (page: Page) => page.locator('[data-tier-actions="leadership-alliance"]');

/** Signs up, applies and gets approved: ends on the tier's card, ready to subscribe. */
async function approvedApplicant(page: Page, browser: import("@playwright/test").Browser) {
  const account = await signUpVerified(page, {});
  const organisation = uniqueOrganisation();
  await applyCorrectly(page, organisation);
  await decide(browser, organisation, "Approve");
  await page.goto("/membership#leadership-alliance");
  await expect(card(page)).toContainText("Your application is approved");
  return account;
}

test("an approved applicant pays, reads once the webhook lands, cancels, and loses access at period end", async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  await approvedApplicant(page, browser);

  // Nothing unlocked by approval alone.
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  await leadershipAlliance(page)
    .getByRole("link", { name: "Subscribe to Leadership Alliance" })
    .click();
  await expect(page).toHaveURL(/\/membership#leadership-alliance$/);

  // Yearly, through Stripe's (the fake's) checkout page.
  await card(page)
    .getByRole("radio", { name: /Yearly: US\$490\.00 a year/ })
    .check();
  await card(page).getByRole("button", { name: "Continue to payment" }).click();
  await expect(page).toHaveURL(new RegExp(`^${STRIPE}/c/pay/cs_`));
  await expect(page.getByText(/490\.00/).first()).toBeVisible();
  await page.getByRole("button", { name: "Pay and subscribe" }).click();

  // Back from checkout: the page waits for Stripe's webhook and says so, then confirms.
  await expect(page).toHaveURL(/\/membership\/checkout\/success\?session_id=cs_/);
  const state = page.locator("[data-checkout-state]");
  await expect(state).toHaveAttribute("data-checkout-state", "waiting");
  await expect(state).toContainText("Waiting for Stripe to confirm your payment");
  await expect(state).toHaveAttribute("data-checkout-state", "confirmed", { timeout: 20_000 });
  await expect(
    page.getByRole("heading", { level: 1, name: "Welcome to Leadership Alliance" }),
  ).toBeVisible();

  // The briefings: Leadership Alliance and the tier below it.
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "unlocked");
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "unlocked");

  // The account page: plan, status, next renewal and the receipt.
  await page.goto("/account");
  const billing = page.locator("#billing");
  const subscription = billing.locator("[data-subscription]");
  await expect(subscription).toContainText("Leadership Alliance: US$490.00 a year");
  await expect(subscription).toContainText(/Active · Renews on /);
  await expect(billing.getByRole("table", { name: "Your latest invoices" })).toContainText("Paid");
  await expect(billing.locator('[data-invoice="paid"]')).toHaveCount(1);
  const subscriptionId = await subscription.getAttribute("data-subscription-id");
  expect(subscriptionId).toMatch(/^sub_/);

  // Cancelling in Stripe's customer portal: at the end of the period.
  await billing.getByRole("button", { name: "Manage subscription and payment" }).click();
  await expect(page).toHaveURL(new RegExp(`^${STRIPE}/p/session/`));
  await page.getByRole("button", { name: "Cancel plan" }).click();
  await expect(page.getByText(/Cancels on/)).toBeVisible();
  await page.getByRole("link", { name: "Return to Briefings" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(subscription).toContainText(/Active · Ends on /);

  // Paid up until then: still reading.
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "unlocked");
  await page.goto("/membership#leadership-alliance");
  await expect(card(page)).toContainText("Your subscription ends on");

  // The period ends: Stripe ends the subscription and says so.
  const ended = await page.request.post(`${STRIPE}/_fake/subscriptions/${subscriptionId}/end`);
  expect(ended.ok()).toBe(true);
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  await page.goto("/account");
  await expect(subscription).toContainText("Ended");
  // Still approved: subscribing again is one step away.
  await page.goto("/membership#leadership-alliance");
  await expect(card(page)).toContainText("Your Leadership Alliance subscription has ended");
  await expect(card(page).getByRole("button", { name: "Continue to payment" })).toBeVisible();
});

test("two tabs continuing to payment get one checkout session", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await approvedApplicant(page, browser);
  const second = await page.context().newPage();
  await second.goto("/membership#leadership-alliance");
  for (const tab of [page, second])
    await card(tab)
      .getByRole("radio", { name: /Monthly: US\$49\.00 a month/ })
      .check();
  await Promise.all([
    card(page).getByRole("button", { name: "Continue to payment" }).click(),
    card(second).getByRole("button", { name: "Continue to payment" }).click(),
  ]);
  await expect(page).toHaveURL(new RegExp(`^${STRIPE}/c/pay/cs_`));
  await expect(second).toHaveURL(new RegExp(`^${STRIPE}/c/pay/cs_`));
  expect(page.url()).toBe(second.url());
});

test("the success page grants nothing by itself, and only approved members reach checkout", async ({
  page,
}) => {
  // Approved but never paid: opening the return address by hand unlocks nothing.
  const approved = fixtureAccount("approved-unpaid");
  await signIn(page, approved.email, approved.password);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto("/membership/checkout/success?session_id=cs_test_made_up");
  await expect(page.locator("[data-checkout-state]")).toHaveAttribute(
    "data-checkout-state",
    "waiting",
  );
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");

  // A member who is not approved cannot start a checkout, even by posting the form.
  const member = fixtureAccount("application-pending");
  const context = page.context();
  await context.clearCookies();
  await signIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto("/membership#leadership-alliance");
  await expect(card(page).getByRole("button", { name: "Continue to payment" })).toHaveCount(0);
  const forged = await page.request.post("/membership", {
    form: { intent: "checkout", tier: "leadership-alliance", interval: "month" },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain("once your application is approved");
});

test("a past-due subscriber is told to update the card and keeps reading during the grace", async ({
  page,
}) => {
  const pastDue = fixtureAccount("subscriber-past-due");
  await signIn(page, pastDue.email, pastDue.password);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator("#billing [data-subscription]")).toContainText(
    "Payment failed: retrying",
  );
  await expect(page.locator('#billing [data-invoice="open"]')).toContainText("Due");
  await page.goto("/membership#leadership-alliance");
  await expect(card(page)).toContainText("Your last payment for Leadership Alliance failed");
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "unlocked");
});
