import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  applyCorrectly,
  decide,
  leadershipAlliance,
  SEED_PROFILE_PATH,
  strategicCircle,
  subscribeThroughCheckout,
  uniqueOrganisation,
} from "./support/membership.ts";
import {
  adminPage,
  fixtureAccount,
  newAddress,
  PASSWORD,
  signIn,
  signUp,
  verifyFromMail,
} from "./support/users.ts";

/**
 * The whole membership journey in one go, as a new reader lives it: sign up, follow the
 * verification mail, join Strategic Circle and read its briefing, apply to Leadership
 * Alliance and see it under review, read the Leadership Alliance briefing once an admin
 * approves, then sign out everywhere and be locked out again, on every device.
 *
 * "Read" means the briefing's text is on the page: each gated briefing of the e2e
 * database carries its gate's canary (prepare-database.ts), so the text must be there
 * when admitted and nowhere before.
 */

const { canary } = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "..", "test-results", "e2e-canary.json"), "utf8"),
) as { canary: string };
const SC_TEXT = `${canary}-tier-strategic-circle`;
const LA_TEXT = `${canary}-tier-leadership-alliance`;

test("sign up, verify, join Strategic Circle, apply, get approved, subscribe, read, sign out everywhere", async ({
  page,
  browser,
}) => {
  // The longest journey: three accounts, an approval and a checkout with its webhooks.
  test.setTimeout(150_000);
  const email = newAddress("journey");

  // A new reader signs up and follows the verification mail.
  await signUp(page, email);
  await verifyFromMail(page, page.request, email);
  await expect(page).toHaveURL(/\/sign-in\?verified=1$/);
  await signIn(page, email, PASSWORD, "/membership");
  await expect(page).toHaveURL(/\/membership$/);

  // Before joining, the Strategic Circle briefing is a teaser without its text.
  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "locked");
  expect(await page.content()).not.toContain(SC_TEXT);

  // Join with one click, then read it.
  await page.goto("/membership");
  await page.getByRole("button", { name: "Join Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/membership\?joined=1#strategic-circle$/);
  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "unlocked");
  await expect(strategicCircle(page)).toContainText(SC_TEXT);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  expect(await page.content()).not.toContain(LA_TEXT);

  // Apply to Leadership Alliance: under review, on the membership page and on the teaser.
  const organisation = uniqueOrganisation();
  await applyCorrectly(page, organisation);
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toContainText("Your application is under review");
  expect(await page.content()).not.toContain(LA_TEXT);

  // A second device, signed in while the application is pending.
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await signIn(phonePage, email, PASSWORD);
  await expect(phonePage).toHaveURL(/\/account$/);

  // An admin approves; the member subscribes, and once Stripe confirms, reads the
  // Leadership Alliance briefing.
  await decide(browser, organisation, "Approve");
  // The decision is in the audit log, with who made it.
  const admin = await adminPage(browser);
  await admin.goto("/admin/audit?action=application.approve");
  const entry = admin.locator('[data-audit-action="application.approve"]').first();
  await expect(entry).toContainText(fixtureAccount("admin").email);
  await expect(entry).toContainText('"status": "approved"');
  await admin.context().close();
  // Approval alone opens nothing: the tier is paid.
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  expect(await page.content()).not.toContain(LA_TEXT);
  await subscribeThroughCheckout(page, "Monthly");
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "unlocked");
  await expect(leadershipAlliance(page)).toContainText(LA_TEXT);
  await phonePage.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(phonePage)).toContainText(LA_TEXT);

  // Sign out everywhere: both devices are locked out again.
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);
  for (const device of [page, phonePage]) {
    await device.goto(SEED_PROFILE_PATH);
    await expect(strategicCircle(device)).toHaveAttribute("data-briefing-state", "locked");
    await expect(leadershipAlliance(device)).toHaveAttribute("data-briefing-state", "locked");
    const html = await device.content();
    expect(html).not.toContain(SC_TEXT);
    expect(html).not.toContain(LA_TEXT);
    await device.goto("/account");
    await expect(device).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  }
  await phone.close();
});
