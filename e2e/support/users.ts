import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, type Browser, expect, type Page } from "@playwright/test";
import { linkFrom, waitForMail } from "./mail.ts";

/**
 * Accounts for end-to-end specs. New members go through the real forms and the e-mailed
 * verification link; staff are the fixture accounts prepare-database.ts made (there is no
 * form that makes an admin), signed in through the real sign-in form.
 */

export const PASSWORD = "amber kettle orbit 58";

export function newAddress(label = "member"): string {
  return `${label}-${randomUUID()}@example.test`;
}

export async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("main").getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();
}

/** Opens the verification link of the newest verification mail and confirms it. */
export async function verifyFromMail(page: Page, request: APIRequestContext, email: string) {
  const mail = await waitForMail(request, email, "Confirm your e-mail address");
  await page.goto(linkFrom(mail.text, "/verify-email"));
  await page.getByRole("main").getByRole("button", { name: "Verify my e-mail" }).click();
}

export async function signIn(page: Page, email: string, password = PASSWORD, next?: string) {
  await page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A new account, verified through its mail, signed in on `page` (which ends on /account). */
export async function signUpVerified(
  page: Page,
  options: { email?: string; password?: string } = {},
): Promise<{ email: string; password: string }> {
  const email = options.email ?? newAddress();
  const password = options.password ?? PASSWORD;
  await signUp(page, email, password);
  await verifyFromMail(page, page.request, email);
  await expect(page).toHaveURL(/\/sign-in\?verified=1$/);
  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/account$/);
  return { email, password };
}

type FixtureAccount = { id: string; email: string; password: string };

/**
 * A fixture account of an e2e server (see prepare-database.ts): the PGlite one unless
 * another target is named ("no-stripe", "postgres").
 */
export function fixtureAccount(kind: string, target = "pglite"): FixtureAccount {
  const file = path.resolve(
    import.meta.dirname,
    "..",
    "..",
    "test-results",
    `e2e-fixtures-${target}.json`,
  );
  const fixtures = JSON.parse(readFileSync(file, "utf8")) as {
    users: Record<string, FixtureAccount>;
  };
  const account = fixtures.users[kind];
  if (!account) throw new Error(`no fixture account "${kind}"`);
  return account;
}

/** A new browser context signed in as the fixture admin, on /account. */
export async function adminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const admin = fixtureAccount("admin");
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/account$/);
  return page;
}
