import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type APIRequestContext,
  type BrowserContext,
  expect,
  type Locator,
  type Page,
  test,
} from "@playwright/test";
import { linkFrom, mailTo, waitForMail } from "./support/mail.ts";
import {
  newAddress as labelledAddress,
  PASSWORD,
  signIn,
  signUp,
  verifyFromMail,
} from "./support/users.ts";

const newAddress = () => labelledAddress("account");

/**
 * The account journeys through the real forms: sign-up and the e-mailed verification link,
 * sign-in and its errors and limits, password reset and change, e-mail change, sessions and
 * signing out, the data export and deletion. Mail is read from the run's mail catcher.
 */

const NEW_PASSWORD = "violet harbour lantern 93";
const WRONG_CREDENTIALS = "The e-mail or password is incorrect.";
const SESSION_COOKIE = "briefings_session";

/** The errors conform shows right after a field, which also describe it for assistive tech. */
async function errorsBeside(field: Locator): Promise<Locator> {
  const errors = field.locator("xpath=following-sibling::*[@data-field-errors][1]");
  const id = await errors.getAttribute("id");
  expect(id, "the field's error list has an id").toBeTruthy();
  await expect(field).toHaveAttribute("aria-describedby", new RegExp(`(^| )${id}( |$)`));
  await expect(field).toHaveAttribute("aria-invalid", "true");
  return errors;
}

/** A new account, verified, signed in on `page` (on /account). */
async function verifiedMember(page: Page, request: APIRequestContext, email = newAddress()) {
  await signUp(page, email);
  await verifyFromMail(page, request, email);
  await expect(page).toHaveURL(/\/sign-in\?verified=1$/);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  return email;
}

/** Posts a form as a same-origin browser would (the origin check wants an Origin). */
function postForm(
  request: APIRequestContext,
  baseURL: string,
  path: string,
  form: Record<string, string>,
) {
  return request.post(path, {
    form,
    headers: { Origin: baseURL },
    maxRedirects: 0,
    failOnStatusCode: false,
  });
}

async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((cookie) => cookie.name === SESSION_COOKIE);
}

test("sign up, verify from the e-mailed link, sign in: the account shows the address verified and one session", async ({
  page,
  request,
}) => {
  const email = newAddress();
  await page.goto("/sign-in");
  await page.getByRole("main").getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await expect(page.getByText("At least 12 characters; avoid common passwords")).toBeVisible();
  await signUp(page, email);
  await expect(page.getByRole("status")).toContainText(email);

  const mail = await waitForMail(request, email, "Confirm your e-mail address");
  const link = linkFrom(mail.text, "/verify-email");
  // Opening the link does not use it (mail scanners open links): twice, and still good.
  const opened = await page.goto(link);
  expect(opened?.headers()["cache-control"]).toBe("private, no-store");
  await page.goto(link);
  await expect(page.locator('meta[name="referrer"]')).toHaveAttribute("content", "no-referrer");
  await page.getByRole("main").getByRole("button", { name: "Verify my e-mail" }).click();
  await expect(page).toHaveURL(/\/sign-in\?verified=1$/);
  await expect(page.getByRole("status")).toHaveText(
    "Your e-mail address is verified. Sign in to continue.",
  );

  await signIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.locator("[data-account-email]")).toHaveText(email);
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();
  await expect(
    page.getByRole("main").getByRole("button", { name: "Send a new verification link" }),
  ).toHaveCount(0);
  const sessions = page.locator("[data-session]");
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("This device");
  await expect(sessions.first()).toContainText("Chrome");
  const account = await page.goto("/account");
  expect(account?.headers()["cache-control"]).toBe("private, no-store");

  // The link worked once.
  await page.goto(link);
  await page.getByRole("main").getByRole("button", { name: "Verify my e-mail" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "This verification link has expired or was already used.",
  );
});

test("a signed-in member with an unverified address can ask for a new link, which verifies it", async ({
  page,
  request,
}) => {
  const email = newAddress();
  await signUp(page, email);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Not verified", { exact: true })).toBeVisible();
  await page
    .getByRole("main")
    .getByRole("button", { name: "Send a new verification link" })
    .click();
  await expect(page).toHaveURL(/\/account\?verification-sent=1$/);
  await expect(
    page.getByRole("status").filter({ hasText: "We sent a new verification link" }),
  ).toBeVisible();

  const mail = await waitForMail(request, email, "Confirm your e-mail address", { count: 2 });
  await page.goto(linkFrom(mail.text, "/verify-email"));
  await page.getByRole("main").getByRole("button", { name: "Verify my e-mail" }).click();
  // Signed in as that account: on to the membership page.
  await expect(page).toHaveURL(/\/membership\?verified=1$/);
  await page.goto("/account");
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();
});

test("a wrong password, or an unknown address, gets one form error and a 401", async ({
  page,
  request,
  baseURL,
}) => {
  const email = newAddress();
  await signUp(page, email);

  await signIn(page, email, "not the password at all");
  await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
  await expect(page).toHaveURL(/\/sign-in$/);
  // The address stays in its field; the password is not sent back.
  await expect(page.getByLabel("E-mail")).toHaveValue(email);
  expect(await hasSessionCookie(page.context())).toBe(false);

  await signIn(page, newAddress(), PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);

  const wrong = await postForm(request, baseURL ?? "", "/sign-in", {
    email,
    password: "still not the password",
  });
  expect(wrong.status()).toBe(401);
  expect(wrong.headers()["cache-control"]).toBe("private, no-store");
  expect(wrong.headers()["set-cookie"]).toBeUndefined();
  const body = await wrong.text();
  expect(body).toContain(WRONG_CREDENTIALS);
  expect(body).not.toContain("still not the password");
});

test("signing up with an address that has an account shows the same page, and mails its owner", async ({
  page,
  request,
}) => {
  const email = newAddress();
  await signUp(page, email);
  const first = await page.getByRole("main").textContent();

  await signUp(page, email, "a different passphrase 77");
  expect(await page.getByRole("main").textContent()).toBe(first);

  await waitForMail(request, email, "You already have a Briefings account");
  const subjects = (await mailTo(request, email)).map((mail) => mail.subject);
  expect(subjects).toEqual([
    "Confirm your e-mail address for Briefings",
    "You already have a Briefings account",
  ]);
});

test("forgot password: the e-mailed link sets a new password, and the old one stops working", async ({
  page,
  request,
}) => {
  const email = newAddress();
  await signUp(page, email);

  await page.goto("/sign-in");
  await page.getByRole("main").getByRole("link", { name: "Forgot your password?" }).click();
  // The sign-in page has an "E-mail" field too: wait for the navigation before filling.
  await expect(
    page.getByRole("heading", { level: 1, name: "Forgot your password?" }),
  ).toBeVisible();
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("main").getByRole("button", { name: "Send me a link" }).click();
  const answer = "If an account exists for that address, we have sent a link";
  await expect(page.getByRole("status")).toContainText(answer);
  const known = await page.getByRole("main").textContent();
  // An address without an account: the same answer.
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail").fill(newAddress());
  await page.getByRole("main").getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByRole("status")).toContainText(answer);
  expect(await page.getByRole("main").textContent()).toBe(known);

  const mail = await waitForMail(request, email, "Reset your Briefings password");
  const link = linkFrom(mail.text, "/reset-password");
  const opened = await page.goto(link);
  expect(opened?.headers()["cache-control"]).toBe("private, no-store");
  await expect(page.locator('meta[name="referrer"]')).toHaveAttribute("content", "no-referrer");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
  // The server's policy, beside the field.
  await page.getByLabel("New password").fill("password1234");
  await page.getByRole("main").getByRole("button", { name: "Set new password" }).click();
  await expect(await errorsBeside(page.getByLabel("New password"))).toContainText(
    "common password",
  );
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/account\?reset=1$/);
  await expect(
    page.getByRole("status").filter({ hasText: "Your new password is set" }),
  ).toBeVisible();
  // The link proved the address.
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();
  await waitForMail(request, email, "Your Briefings password was changed");

  // Used once.
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link has expired");

  await page.context().clearCookies();
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
  await signIn(page, email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
});

test("changing the password ends the session of another browser, not this one", async ({
  page,
  request,
  browser,
}) => {
  const email = await verifiedMember(page, request);
  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    await signIn(otherPage, email);
    await expect(otherPage).toHaveURL(/\/account$/);

    await page.goto("/account");
    await expect(page.locator("[data-session]")).toHaveCount(2);
    await page.getByRole("main").getByRole("link", { name: "Change password" }).click();
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("main").getByRole("button", { name: "Change password" }).click();
    await expect(await errorsBeside(page.getByLabel("Current password"))).toHaveText(
      "Your current password is not correct.",
    );

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("main").getByRole("button", { name: "Change password" }).click();
    await expect(page).toHaveURL(/\/account\?password-changed=1$/);
    await expect(
      page.getByRole("status").filter({ hasText: "Your password was changed" }),
    ).toBeVisible();
    await expect(page.locator("[data-session]")).toHaveCount(1);

    await otherPage.goto("/account");
    await expect(otherPage).toHaveURL(/\/sign-in\?next=%2Faccount$/);
    await signIn(otherPage, email, PASSWORD);
    await expect(otherPage.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
    await signIn(otherPage, email, NEW_PASSWORD, "/account");
    await expect(otherPage).toHaveURL(/\/account$/);
  } finally {
    await other.close();
  }
});

test("sign out of other devices, then sign out everywhere", async ({ page, request, browser }) => {
  const email = await verifiedMember(page, request);
  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    await signIn(otherPage, email);
    await expect(otherPage).toHaveURL(/\/account$/);

    // A GET of /sign-out only shows the buttons.
    await page.goto("/sign-out");
    await expect(page.getByRole("heading", { level: 1, name: "Sign out" })).toBeVisible();
    await page.goto("/account");
    const sessions = page.locator("[data-session]");
    await expect(sessions).toHaveCount(2);
    await expect(sessions.filter({ hasText: "This device" })).toHaveCount(1);

    await page.getByRole("main").getByRole("button", { name: "Sign out of other devices" }).click();
    await expect(page).toHaveURL(/\/account\?others-signed-out=1$/);
    await expect(sessions).toHaveCount(1);
    await otherPage.goto("/account");
    await expect(otherPage).toHaveURL(/\/sign-in\?next=%2Faccount$/);

    await signIn(otherPage, email, PASSWORD, "/account");
    await expect(otherPage).toHaveURL(/\/account$/);
    await page.reload();
    await expect(sessions).toHaveCount(2);
    await page.getByRole("main").getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);
    await expect(page.getByRole("status")).toHaveText("You are signed out.");
    expect(await hasSessionCookie(page.context())).toBe(false);
    await otherPage.goto("/account");
    await expect(otherPage).toHaveURL(/\/sign-in\?next=%2Faccount$/);

    // Signing out of this device only.
    await signIn(page, email);
    await expect(page).toHaveURL(/\/account$/);
    await page.goto("/sign-out");
    await page.getByRole("main").getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);
    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  } finally {
    await other.close();
  }
});

test("too many wrong passwords for one account: 429 with Retry-After, even for the right one", async ({
  browser,
  baseURL,
}) => {
  // A client address of its own (the e2e server trusts its loopback proxy), so this
  // test's attempts count against no one else's per-IP limit.
  const context = await browser.newContext({
    extraHTTPHeaders: {
      "X-Forwarded-For": `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
    },
  });
  try {
    const page = await context.newPage();
    const email = newAddress();
    await signUp(page, email);
    // The per-account limit: 10 attempts in 15 minutes.
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await postForm(context.request, baseURL ?? "", "/sign-in", {
        email,
        password: `wrong password ${attempt}`,
      });
      expect(response.status(), `attempt ${attempt}`).toBe(401);
    }
    const limited = await postForm(context.request, baseURL ?? "", "/sign-in", {
      email,
      password: PASSWORD,
    });
    expect(limited.status()).toBe(429);
    expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);
    expect(limited.headers()["cache-control"]).toBe("private, no-store");
    expect(limited.headers()["set-cookie"]).toBeUndefined();

    await signIn(page, email, PASSWORD);
    await expect(page.getByRole("alert")).toContainText("Too many attempts. Try again in");
    await expect(page).toHaveURL(/\/sign-in$/);
  } finally {
    await context.close();
  }
});

test("form errors appear beside their fields, and a <script> typed in a field stays text", async ({
  page,
  browser,
}) => {
  const script = "<script>alert(1)</script>";
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  // In the browser, before anything is sent.
  await page.goto("/sign-up");
  const email = page.getByLabel("E-mail");
  const password = page.getByLabel("Password", { exact: true });
  await email.fill(script);
  await password.fill("short");
  await page.getByRole("main").getByRole("button", { name: "Create account" }).click();
  await expect(await errorsBeside(email)).toHaveText(
    "Enter an e-mail address like name@example.com",
  );
  await expect(await errorsBeside(password)).toHaveText(
    "Use at least 12 characters (this one has 5)",
  );
  await expect(email).toHaveValue(script);
  // Corrected as the member types.
  await email.fill(newAddress());
  await expect(email).not.toHaveAttribute("aria-invalid", "true");

  // From the server: its password policy, beside the field.
  await password.fill("password1234");
  await page.getByRole("main").getByRole("button", { name: "Create account" }).click();
  await expect(await errorsBeside(password)).toContainText("common password");

  // Without JavaScript the server answers with the same errors, escaped.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  try {
    const plain = await noScript.newPage();
    await plain.goto("/sign-up");
    await plain.getByLabel("E-mail").fill(script);
    await plain.getByLabel("Password", { exact: true }).fill("Zq9-xw");
    const [response] = await Promise.all([
      plain.waitForResponse((r) => r.request().method() === "POST"),
      plain.getByRole("main").getByRole("button", { name: "Create account" }).click(),
    ]);
    expect(response.status()).toBe(400);
    expect(response.headers()["cache-control"]).toBe("private, no-store");
    const html = await response.text();
    expect(html).not.toContain(script);
    expect(html).not.toContain("Zq9-xw");
    await expect(plain.getByLabel("E-mail")).toHaveValue(script);
    await expect(await errorsBeside(plain.getByLabel("E-mail"))).toHaveText(
      "Enter an e-mail address like name@example.com",
    );
    await expect(await errorsBeside(plain.getByLabel("Password", { exact: true }))).toHaveText(
      "Use at least 12 characters (this one has 6)",
    );
  } finally {
    await noScript.close();
  }
  expect(dialogs).toEqual([]);
});

test("changing the e-mail address: the link sent to the new one switches the account", async ({
  page,
  request,
}) => {
  const email = await verifiedMember(page, request);
  const newEmail = newAddress();
  await page.getByRole("main").getByRole("link", { name: "Change e-mail address" }).click();
  await page.getByLabel("New e-mail address").fill(newEmail);
  await page.getByLabel("Your password").fill("not my password");
  await page.getByRole("main").getByRole("button", { name: "Send confirmation link" }).click();
  await expect(await errorsBeside(page.getByLabel("Your password"))).toHaveText(
    "Your password is not correct.",
  );
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Send confirmation link" }).click();
  await expect(page).toHaveURL(/\/account\?email-sent=1$/);
  await expect(
    page.getByRole("status").filter({ hasText: "We sent a confirmation link to the new address" }),
  ).toBeVisible();

  const mail = await waitForMail(request, newEmail, "Confirm your new e-mail address");
  await page.goto(linkFrom(mail.text, "/confirm-email"));
  await expect(page.locator("[data-account-email]")).toHaveCount(0);
  await page.getByRole("main").getByRole("button", { name: "Confirm my new address" }).click();
  await expect(page).toHaveURL(/\/sign-in\?email-changed=1$/);
  await expect(
    page.getByRole("status").filter({ hasText: "Your e-mail address was changed" }),
  ).toBeVisible();
  expect(await hasSessionCookie(page.context())).toBe(false);

  await signIn(page, email);
  await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
  await signIn(page, newEmail);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator("[data-account-email]")).toHaveText(newEmail);
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();
});

test("downloading my data, then deleting the account", async ({ page, request, baseURL }) => {
  const email = await verifiedMember(page, request);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("main").getByRole("link", { name: "Download my data" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("briefings-account-export.json");
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  expect(exported.account.email).toBe(email);
  expect(exported.sessions).toHaveLength(1);
  expect(JSON.stringify(exported)).not.toMatch(/password|argon2/i);
  const response = await page.request.get("/account/export");
  expect(response.headers()["cache-control"]).toBe("private, no-store");
  expect(response.headers()["content-disposition"]).toBe(
    'attachment; filename="briefings-account-export.json"',
  );
  // Not signed in: to the sign-in page, and back here afterwards.
  const anonymous = await request.get("/account/export", { maxRedirects: 0 });
  expect(anonymous.status()).toBe(302);
  expect(anonymous.headers().location).toBe("/sign-in?next=%2Faccount%2Fexport");

  await page.goto("/account");
  await page.getByRole("main").getByRole("link", { name: "Delete my account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Delete your account");
  const password = page.getByLabel("Your password");
  const confirmation = page.getByLabel("to confirm");
  await password.fill(PASSWORD);
  await confirmation.fill("yes please");
  await page.getByRole("main").getByRole("button", { name: "Delete my account" }).click();
  await expect(await errorsBeside(confirmation)).toHaveText('Type "delete my account" to confirm');
  await password.fill("not my password");
  await confirmation.fill("delete my account");
  await page.getByRole("main").getByRole("button", { name: "Delete my account" }).click();
  await expect(await errorsBeside(password)).toHaveText("Your password is not correct.");

  await password.fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/\?account-deleted=1$/);
  expect(await hasSessionCookie(page.context())).toBe(false);

  const gone = await postForm(request, baseURL ?? "", "/sign-in", { email, password: PASSWORD });
  expect(gone.status()).toBe(401);
});
