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

test("an admin exports every member as CSV, with the tiers each holds now", async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.goto("/admin/members");
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    admin.getByRole("link", { name: "Export every member as CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^briefings-members-\d{4}-\d{2}-\d{2}\.csv$/);
  const response = await admin.request.get("/admin/members/export.csv");
  expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(response.headers()["cache-control"]).toContain("no-store");
  const lines = (await response.text()).split("\r\n");
  expect(lines[0]).toBe("id,email,role,email_verified,signed_up,tiers,applications");
  const row = (kind: string) =>
    lines.find((line) => line.includes(`,${fixtureAccount(kind).email},`))?.split(",") ?? [];
  expect(row("leadership-alliance").slice(5)).toEqual([
    "leadership-alliance",
    "leadership-alliance:approved",
  ]);
  expect(row("strategic-circle")[5]).toBe("strategic-circle");
  expect(row("expired-grant")[5]).toBe("");
  expect(row("unverified")[3]).toBe("false");
  // The export itself is in the audit log, under the admin's name, with how many rows left.
  await admin.goto("/admin/audit?action=members.export");
  const entry = admin
    .locator('[data-audit-action="members.export"]', { hasText: `"rows": ${lines.length - 2}` })
    .first();
  await expect(entry).toContainText(fixtureAccount("admin").email);
  await admin.context().close();
});
