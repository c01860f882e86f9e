import { randomBytes } from "node:crypto";
import { type Browser, expect, type Locator, type Page } from "@playwright/test";
import { adminPage } from "./users.ts";

/** Membership steps shared by the specs: the seed profile's briefings, applying, deciding. */

export const SEED_PROFILE_PATH =
  "/profiles/microsofts-worldwide-ban-facial-recognition-out-of-azure-openai";
export const LA_APPLY_PATH = "/membership/apply/leadership-alliance";

/** The seed profile's briefing with this title, locked or not. */
export function briefing(page: Page, title: string): Locator {
  return page
    .locator("[data-briefing-state]")
    .filter({ has: page.getByRole("heading", { level: 3, name: title, exact: true }) });
}
export const strategicCircle = (page: Page) => briefing(page, "Strategic Circle Access");
export const leadershipAlliance = (page: Page) => briefing(page, "Leadership Alliance Access");

/** The errors shown beside a form field (the list right below it). */
export function errorsOf(field: Locator): Locator {
  return field.locator("xpath=..").locator("[data-field-errors]");
}

export function uniqueOrganisation(): string {
  return `Example Networks ${randomBytes(4).toString("hex")}`;
}

export type Application = {
  organisation: string;
  asns?: string;
  prefixes?: string;
  handles?: string;
};

export async function fillApplication(page: Page, application: Application) {
  await page.getByLabel("Organisation", { exact: true }).fill(application.organisation);
  await page.getByLabel("Website").fill("https://example.net");
  await page.getByLabel("Your role").fill("Chief Technology Officer");
  await page.getByLabel("AS numbers").fill(application.asns ?? "");
  await page.getByLabel("IP prefixes").fill(application.prefixes ?? "");
  await page.getByLabel("Registry handles").fill(application.handles ?? "");
  await page
    .getByLabel("Statement")
    .fill("We run the network of Example Networks and hold its address space.\nSince 2009.");
}

/** Applies to Leadership Alliance with good evidence; ends on /membership, under review. */
export async function applyCorrectly(page: Page, organisation: string) {
  await page.goto(LA_APPLY_PATH);
  await fillApplication(page, {
    organisation,
    asns: "AS8075\n15169",
    prefixes: "8.8.8.0/24",
    handles: "ORG-EXA1-RIPE",
  });
  await page.getByRole("button", { name: "Submit application" }).click();
  await expect(page).toHaveURL(/\/membership\?applied=1#leadership-alliance$/);
  await expect(page.getByRole("status")).toContainText("under review");
  await expect(page.locator('[data-tier-actions="leadership-alliance"]')).toContainText(
    "Your application is under review",
  );
}

/** An admin opens the application of `organisation` in the queue and records a decision. */
export async function decide(
  browser: Browser,
  organisation: string,
  decision: "Approve" | "Reject" | "Ask for more information",
  message?: string,
) {
  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/applications");
    await admin.getByRole("link", { name: organisation, exact: true }).click();
    await expect(admin.getByRole("heading", { level: 1, name: organisation })).toBeVisible();
    await admin.getByRole("radio", { name: decision }).check();
    if (message) await admin.getByLabel("Message to the applicant").fill(message);
    await admin.getByRole("button", { name: "Record decision" }).click();
    await expect(admin).toHaveURL(/\/admin\/applications\?decided=/);
    await expect(admin.getByRole("status")).toBeVisible();
  } finally {
    await admin.context().close();
  }
}

/** The fake Stripe API of the PGlite e2e portal (see playwright.config.ts). */
export const FAKE_STRIPE = "http://127.0.0.1:4330";

/**
 * An approved applicant subscribes to Leadership Alliance through the fake Stripe's checkout
 * page and waits on the success page until Stripe's webhook has confirmed it.
 */
export async function subscribeThroughCheckout(page: Page, interval: "Monthly" | "Yearly") {
  await page.goto("/membership#leadership-alliance");
  const card = page.locator('[data-tier-actions="leadership-alliance"]');
  await card.getByRole("radio", { name: new RegExp(`^${interval}:`) }).check();
  await card.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE_STRIPE}/c/pay/cs_`));
  await page.getByRole("button", { name: "Pay and subscribe" }).click();
  await expect(page).toHaveURL(/\/membership\/checkout\/success\?session_id=cs_/);
  await expect(page.locator("[data-checkout-state]")).toHaveAttribute(
    "data-checkout-state",
    "confirmed",
    { timeout: 20_000 },
  );
}
