import { expect, test } from "@playwright/test";
import { adminPage, fixtureAccount, signIn, signUpVerified } from "./support/users.ts";

/**
 * Roles in the admin area: an owner changes a member's role, which ends the member's
 * sessions and is in the audit log; an admin sees roles but cannot change them.
 */

test("an owner makes a member an editor; the member is signed out; the log says who", async ({
  page,
  browser,
}) => {
  const { email } = await signUpVerified(page);

  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerAccount = fixtureAccount("owner");
  await signIn(owner, ownerAccount.email, ownerAccount.password);
  await expect(owner).toHaveURL(/\/account$/);
  await owner.goto(`/admin/members?q=${encodeURIComponent(email)}`);
  await owner.getByRole("link", { name: email }).click();
  await expect(owner.getByRole("heading", { level: 1, name: email })).toBeVisible();
  await owner.getByLabel("Role").selectOption("editor");
  await owner.getByRole("button", { name: "Change role" }).click();
  await expect(owner.getByRole("status")).toContainText("The role was changed");
  await expect(owner.getByLabel("Role")).toHaveValue("editor");

  // The member's session ended with the change.
  await page.goto("/account");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);

  await owner.goto("/admin/audit?action=user.role");
  const entry = owner.locator('[data-audit-action="user.role"]').first();
  await expect(entry).toContainText(ownerAccount.email);
  await expect(entry).toContainText('"role": "editor"');
  await ownerContext.close();

  // An admin sees the role, with no way to change it.
  const admin = await adminPage(browser);
  await admin.goto(`/admin/members?q=${encodeURIComponent(email)}`);
  await admin.getByRole("link", { name: email }).click();
  await expect(admin.getByRole("button", { name: "Change role" })).toHaveCount(0);
  await expect(admin.locator("dd", { hasText: /^editor$/ })).toBeVisible();
  await admin.context().close();
});
