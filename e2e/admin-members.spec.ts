import { expect, type Page, test } from "@playwright/test";
import { linkFrom, waitForMail } from "./support/mail.ts";
import {
  adminPage,
  newAddress,
  PASSWORD,
  signIn,
  signUp,
  signUpVerified,
} from "./support/users.ts";

/**
 * The members part of the back office: the list's filters (kept in the address, carried to
 * the CSV export), suspending a member who is signed in elsewhere, and importing members
 * from a CSV file through its preview. Every member here is made fresh by the spec.
 */

async function joinStrategicCircle(page: Page) {
  await page.goto("/membership");
  await page.getByRole("button", { name: "Join Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/membership\?joined=1#strategic-circle$/);
}

test("an admin filters members by the tier they hold now; the filters stay in the address and the export", async ({
  page,
  browser,
}) => {
  const joined = await signUpVerified(page);
  await joinStrategicCircle(page);
  // A second member who holds nothing, with a similar address.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  const plain = await signUpVerified(other);
  await otherContext.close();

  const admin = await adminPage(browser);
  await admin.goto("/admin/members");
  await admin.getByLabel("E-mail address contains").fill("@example.test");
  await admin.getByLabel("Tier held now").selectOption("strategic-circle");
  await admin.getByLabel("Status").selectOption("active");
  await admin.getByRole("button", { name: "Show members" }).click();
  await expect(admin).toHaveURL(/[?&]tier=strategic-circle/);
  await expect(admin).toHaveURL(/[?&]status=active/);
  await expect(admin.getByRole("link", { name: joined.email })).toBeVisible();
  await expect(admin.getByRole("link", { name: plain.email })).toHaveCount(0);
  // The form shows the filters it came from.
  await expect(admin.getByLabel("Tier held now")).toHaveValue("strategic-circle");
  const row = admin.getByRole("row").filter({ hasText: joined.email });
  await expect(row).toContainText("Strategic Circle");
  await expect(row).toContainText("Active");

  // Narrowed to one address: the count says so, and the export holds exactly that member.
  await admin.getByLabel("E-mail address contains").fill(joined.email);
  await admin.getByRole("button", { name: "Show members" }).click();
  await expect(admin.locator("[data-member-count]")).toHaveText("1 member matches these filters");
  const exportLink = admin.getByRole("link", { name: "Export these 1 member as CSV" });
  const href = (await exportLink.getAttribute("href")) ?? "";
  expect(href).toContain("tier=strategic-circle");
  expect(href).toContain("status=active");
  const csv = await (await admin.request.get(href)).text();
  const lines = csv.split("\r\n").filter((line) => line !== "");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`,${joined.email},`);
  expect(lines[1]).toContain(",strategic-circle,");

  // Holding no tier: the other member, not the one who joined.
  await admin.goto(`/admin/members?q=${encodeURIComponent(plain.email)}&tier=none`);
  await expect(admin.getByRole("link", { name: plain.email })).toBeVisible();
  await admin.goto(`/admin/members?q=${encodeURIComponent(joined.email)}&tier=none`);
  await expect(admin.getByText("No member matches these filters.")).toBeVisible();

  // A bad value is a 400 that names the parameter.
  for (const [query, parameter] of [
    ["status=sleeping", "status"],
    ["tier=no-such-tier", "tier"],
    ["from=2025-02-30", "from"],
    ["from=2025-03-01&to=2025-02-01", "to"],
    ["after=garbage", "page cursor"],
  ] as const) {
    const response = await admin.goto(`/admin/members?${query}`);
    expect(response?.status(), query).toBe(400);
    await expect(admin.getByRole("main")).toContainText(
      parameter === "page cursor" ? "page cursor is not valid" : `Invalid "${parameter}"`,
    );
  }
  // The export checks the same parameters.
  const badExport = await admin.request.get("/admin/members/export.csv?role=superuser");
  expect(badExport.status()).toBe(400);
  expect(await badExport.text()).toMatch(/Invalid \\?"role\\?"/);
  await admin.context().close();
});

test("suspending a member signs out their other device at once and refuses their sign-in", async ({
  page,
  browser,
}) => {
  const member = await signUpVerified(page);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  const admin = await adminPage(browser);
  await admin.goto(`/admin/members?q=${encodeURIComponent(member.email)}`);
  await admin.getByRole("link", { name: member.email }).click();
  await expect(admin.getByRole("heading", { level: 1, name: member.email })).toBeVisible();
  const sessions = admin.locator("[data-session]");
  await expect(sessions).toHaveCount(1);

  // A reason and the ticked box are required.
  await admin.getByRole("button", { name: "Suspend this member" }).click();
  await expect(admin.getByText("Give a reason")).toBeVisible();
  await expect(admin.getByText("Tick the box to confirm")).toBeVisible();
  await admin.getByLabel("Reason for the suspension").fill("Shared paid briefings publicly");
  await admin.getByLabel("Sign this member out everywhere now").check();
  await admin.getByRole("button", { name: "Suspend this member" }).click();
  await expect(admin.getByRole("status")).toContainText(
    "The member is suspended. 1 session ended.",
  );
  await expect(admin.locator("[data-member-status]")).toContainText("Suspended since");
  await expect(admin.getByText("Reason: Shared paid briefings publicly")).toBeVisible();
  await expect(admin.getByText("This member is not signed in anywhere.")).toBeVisible();

  // The member's device is signed out.
  await page.goto("/account");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  // A wrong password gets the usual answer; only the right one learns of the suspension.
  await signIn(page, member.email, "not the right password");
  await expect(page.getByRole("alert")).toContainText("The e-mail or password is incorrect.");
  await signIn(page, member.email, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("This account is suspended");
  await expect(page).toHaveURL(/\/sign-in/);

  // The list shows it, and the audit log says who did it and why.
  await admin.goto(`/admin/members?q=${encodeURIComponent(member.email)}&status=suspended`);
  await expect(admin.getByRole("row").filter({ hasText: member.email })).toContainText("Suspended");
  await admin.goto("/admin/audit?action=user.suspend");
  const entry = admin.locator('[data-audit-action="user.suspend"]').first();
  await expect(entry).toContainText("Shared paid briefings publicly");

  // Reinstated, the member signs in again.
  await admin.goto(`/admin/members?q=${encodeURIComponent(member.email)}`);
  await admin.getByRole("link", { name: member.email }).click();
  await admin.getByLabel("Reason for reinstating").fill("Took the posts down");
  await admin.getByLabel("Let this member sign in again.").check();
  await admin.getByRole("button", { name: "Reinstate this member" }).click();
  await expect(admin.getByRole("status")).toContainText("reinstated");
  await signIn(page, member.email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await admin.context().close();
});

test("an admin imports members from a CSV file: a preview first, then a report per row", async ({
  page,
  browser,
}) => {
  // An account that exists already (made here, not a shared fixture).
  const existing = newAddress("existing");
  await signUp(page, existing);
  const fresh = newAddress("imported");
  const tiered = newAddress("imported-la");
  const year = new Date().getUTCFullYear() + 1;
  const file = [
    "email,tier,grant_ends,note",
    `${fresh},,,`,
    `${tiered},leadership-alliance,${year}-06-30,Speaker at the summit`,
    `${existing},strategic-circle,${year}-03-31,`,
    "not-an-address,,,",
    `${newAddress("bad-tier")},platinum,${year}-01-01,`,
    `${fresh.toUpperCase()},,,`,
    '"=HYPERLINK(""http://evil.example"")",,,',
  ].join("\r\n");

  const admin = await adminPage(browser);
  await admin.goto("/admin/members");
  await admin.getByRole("link", { name: "Import members from a CSV file" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Import members" })).toBeVisible();
  await admin.getByLabel("CSV file").setInputFiles({
    name: "members.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(file),
  });
  await admin.getByRole("button", { name: "Preview the import" }).click();

  await expect(admin.getByRole("heading", { name: "Preview of members.csv" })).toBeVisible();
  const previewRow = (n: number) => admin.locator(`[data-import-row="${n}"]`);
  await expect(previewRow(2)).toHaveAttribute("data-import-action", "create");
  await expect(previewRow(3)).toHaveAttribute("data-import-action", "create");
  await expect(previewRow(3)).toContainText("Leadership Alliance until");
  await expect(previewRow(4)).toHaveAttribute("data-import-action", "grant");
  await expect(previewRow(5)).toHaveAttribute("data-import-action", "error");
  await expect(previewRow(5)).toContainText("email:");
  await expect(previewRow(6)).toContainText("tier: There is no tier “platinum”");
  await expect(previewRow(7)).toContainText("email: The same address as row 2");
  await expect(previewRow(8)).toContainText("spreadsheet formula");
  const summary = admin.locator("[data-import-summary]");
  await expect(summary).toContainText("2 new accounts will be created");
  await expect(summary).toContainText("1 existing account will get a grant");
  await expect(summary).toContainText("4 rows with errors");

  // Nothing is written by the preview.
  const checker = await adminPage(browser);
  await checker.goto(`/admin/members?q=${encodeURIComponent(fresh)}`);
  await expect(checker.getByText("No member matches these filters.")).toBeVisible();

  await admin.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(admin.getByRole("heading", { name: "Imported members.csv" })).toBeVisible();
  await expect(admin.getByRole("status")).toContainText(
    "2 accounts created, 1 grant added to existing accounts, 0 rows skipped, 4 rows failed.",
  );
  const reportRow = (n: number) => admin.locator(`[data-import-row="${n}"]`);
  await expect(reportRow(2)).toHaveAttribute("data-import-outcome", "created");
  await expect(reportRow(3)).toHaveAttribute("data-import-outcome", "created");
  await expect(reportRow(4)).toHaveAttribute("data-import-outcome", "granted");
  await expect(reportRow(6)).toHaveAttribute("data-import-outcome", "failed");
  await expect(reportRow(6)).toContainText("tier:");

  // The new account is there, unverified, with its grant.
  await checker.goto(`/admin/members?q=${encodeURIComponent(tiered)}`);
  const row = checker.getByRole("row").filter({ hasText: tiered });
  await expect(row).toContainText("Unverified");
  await expect(row).toContainText("Leadership Alliance");
  await checker.context().close();

  // Each new member was e-mailed an invitation: its link sets a password and signs them in.
  await expect(reportRow(3)).toContainText("invitation sent");
  const invitation = await waitForMail(admin.request, tiered, "account is ready");
  const invitee = await (await browser.newContext()).newPage();
  await invitee.goto(linkFrom(invitation.text, "/reset-password"));
  await invitee.getByLabel("New password").fill(PASSWORD);
  await invitee.getByRole("main").getByRole("button", { name: "Set new password" }).click();
  await expect(invitee).toHaveURL(/\/account/);
  await invitee.context().close();

  // The same file again changes nothing.
  await admin.getByLabel("CSV file").setInputFiles({
    name: "members.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(file),
  });
  await admin.getByRole("button", { name: "Preview the import" }).click();
  await expect(admin.locator("[data-import-summary]")).toContainText(
    "0 new accounts will be created",
  );
  await expect(admin.getByText("there is nothing to import")).toBeVisible();
  await expect(admin.getByRole("button", { name: /^Import \d/ })).toHaveCount(0);

  // A file that is not a CSV of members is refused as a whole, with the reason.
  await admin.getByLabel("CSV file").setInputFiles({
    name: "other.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("name,tier\nAda,strategic-circle\n"),
  });
  await admin.getByRole("button", { name: "Preview the import" }).click();
  await expect(admin.getByText("Unknown column “name”")).toBeVisible();
  await admin.context().close();
});
