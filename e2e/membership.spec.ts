import { expect, test } from "@playwright/test";
import {
  applyCorrectly,
  decide,
  errorsOf,
  fillApplication,
  LA_APPLY_PATH,
  leadershipAlliance,
  SEED_PROFILE_PATH,
  strategicCircle,
  uniqueOrganisation,
} from "./support/membership.ts";
import { adminPage, signUpVerified } from "./support/users.ts";

/**
 * Membership end to end: joining and leaving Strategic Circle, applying to Leadership
 * Alliance, and an admin deciding the application; each time the gated briefings of the
 * seed profile lock and unlock, as their `data-briefing-state` says.
 */

test("a member joins Strategic Circle, reads its briefing, leaves and it locks again", async ({
  page,
}) => {
  await signUpVerified(page, {});

  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "locked");
  // The teaser's next step leads to the tier on the membership page.
  await strategicCircle(page).getByRole("link", { name: "Join Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/membership#strategic-circle$/);

  await page.getByRole("button", { name: "Join Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/membership\?joined=1#strategic-circle$/);
  await expect(page.getByRole("status")).toContainText("You joined");
  const actions = page.locator('[data-tier-actions="strategic-circle"]');
  await expect(actions).toContainText("You are a member of Strategic Circle");

  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "unlocked");

  // Leaving takes a second, explicit step.
  await page.goto("/membership#strategic-circle");
  await actions.getByText("Leave Strategic Circle…").click();
  await actions.getByRole("button", { name: "Leave Strategic Circle" }).click();
  await expect(page).toHaveURL(/\/membership\?left=1#strategic-circle$/);
  await expect(actions.getByRole("button", { name: "Join Strategic Circle" })).toBeVisible();

  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "locked");
});

test("an application with bad evidence gets errors beside each field, even without JavaScript", async ({
  page,
  browser,
}) => {
  await signUpVerified(page, {});
  // The same session in a browser without JavaScript: only the server validates.
  const noScript = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  try {
    for (const form of [page, await noScript.newPage()]) {
      await form.goto(LA_APPLY_PATH);
      await fillApplication(form, {
        organisation: uniqueOrganisation(),
        asns: "AS64500\nAS8075",
        prefixes: "10.0.0.0/8\n8.8.8.1/24",
        handles: "ORG_BAD",
      });
      await form.getByRole("button", { name: "Submit application" }).click();
      await expect(form).toHaveURL(new RegExp(`${LA_APPLY_PATH}$`));

      const asns = form.getByLabel("AS numbers");
      await expect(asns).toHaveAttribute("aria-invalid", "true");
      await expect(errorsOf(asns)).toContainText("AS64500 is reserved for documentation");
      const prefixes = form.getByLabel("IP prefixes");
      await expect(errorsOf(prefixes)).toContainText("10.0.0.0/8 is not public address space");
      await expect(errorsOf(prefixes)).toContainText(
        "8.8.8.1/24 has host bits set; did you mean 8.8.8.0/24?",
      );
      const handles = form.getByLabel("Registry handles");
      await expect(errorsOf(handles)).toContainText('"ORG_BAD" is not a registry handle');
      // Good fields carry no error, and what was typed is kept.
      await expect(form.getByLabel("Organisation", { exact: true })).not.toHaveAttribute(
        "aria-invalid",
        "true",
      );
      await expect(asns).toHaveValue("AS64500\nAS8075");
    }
  } finally {
    await noScript.close();
  }

  // Nothing was submitted.
  await page.goto("/membership#leadership-alliance");
  await expect(
    page.locator('[data-tier-actions="leadership-alliance"]').getByRole("link", {
      name: "Apply for Leadership Alliance",
    }),
  ).toBeVisible();
});

test("an approved application to the paid tier leads to payment, not yet to the briefing", async ({
  page,
  browser,
}) => {
  await signUpVerified(page, {});
  const organisation = uniqueOrganisation();

  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  await leadershipAlliance(page).getByRole("link", { name: "Join Leadership Alliance" }).click();
  await expect(page).toHaveURL(new RegExp(`${LA_APPLY_PATH}$`));
  await applyCorrectly(page, organisation);

  // The teaser now says where the application stands.
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  await expect(leadershipAlliance(page)).toContainText("Your application is under review");
  // A second application while one is pending: the page shows the status, not the form.
  await page.goto(LA_APPLY_PATH);
  await expect(page.getByText("Your application is under review.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit application" })).toHaveCount(0);

  // The admin sees the evidence, linked to registries' RDAP and to bgp.tools, and approves.
  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/applications");
    await admin.getByRole("link", { name: organisation, exact: true }).click();
    const asn = admin.getByRole("link", { name: /^bgp\.tools for AS8075\b/ });
    await expect(asn).toHaveAttribute("href", "https://bgp.tools/as/8075");
    await expect(asn).toHaveAttribute("target", "_blank");
    await expect(asn).toHaveAttribute("rel", "noopener noreferrer nofollow");
    await expect(admin.getByRole("link", { name: /^RDAP for 8\.8\.8\.0\/24\b/ })).toHaveAttribute(
      "href",
      "https://rdap.org/ip/8.8.8.0/24",
    );
    await expect(admin.getByText("ORG-EXA1-RIPE")).toBeVisible();
    await admin.getByRole("radio", { name: "Approve" }).check();
    await admin.getByRole("button", { name: "Record decision" }).click();
    await expect(admin).toHaveURL(/\/admin\/applications\?decided=approved$/);
    await expect(admin.getByRole("status")).toContainText("approved");
    await expect(admin.getByRole("link", { name: organisation, exact: true })).toHaveCount(0);
  } finally {
    await admin.context().close();
  }

  // A paid tier: approval leads to payment, not yet to the briefings (e2e/billing.spec.ts
  // goes on through checkout).
  await page.goto("/membership#leadership-alliance");
  const card = page.locator('[data-tier-actions="leadership-alliance"]');
  await expect(card).toContainText("Your application is approved");
  await expect(card.getByRole("button", { name: "Continue to payment" })).toBeVisible();
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
  await expect(
    leadershipAlliance(page).getByRole("link", { name: "Subscribe to Leadership Alliance" }),
  ).toHaveAttribute("href", "/membership#leadership-alliance");
});

test("a rejection needs a reason, which the applicant then reads", async ({ page, browser }) => {
  await signUpVerified(page, {});
  const organisation = uniqueOrganisation();
  await applyCorrectly(page, organisation);

  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/applications");
    await admin.getByRole("link", { name: organisation, exact: true }).click();
    await admin.getByRole("radio", { name: "Reject" }).check();
    await admin.getByRole("button", { name: "Record decision" }).click();
    const message = admin.getByLabel("Message to the applicant");
    await expect(errorsOf(message)).toContainText("Give the applicant a reason for the rejection");
  } finally {
    await admin.context().close();
  }
  const reason = "We found no address space registered to this organisation.";
  await decide(browser, organisation, "Reject", reason);

  await page.goto("/membership#leadership-alliance");
  const actions = page.locator('[data-tier-actions="leadership-alliance"]');
  await expect(actions).toContainText("Your application was not approved.");
  await expect(actions).toContainText(reason);
  await expect(actions.getByRole("link", { name: "Apply again" })).toHaveAttribute(
    "href",
    LA_APPLY_PATH,
  );
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toHaveAttribute("data-briefing-state", "locked");
});

test("asked for more, the applicant updates the application and it is pending again", async ({
  page,
  browser,
}) => {
  await signUpVerified(page, {});
  const organisation = uniqueOrganisation();
  await applyCorrectly(page, organisation);

  const request = "Please add the handle of your organisation object at RIPE.";
  await decide(browser, organisation, "Ask for more information", request);

  await page.goto("/membership#leadership-alliance");
  const actions = page.locator('[data-tier-actions="leadership-alliance"]');
  await expect(actions).toContainText(request);
  await page.goto(SEED_PROFILE_PATH);
  await expect(leadershipAlliance(page)).toContainText("Your application needs more information");
  await leadershipAlliance(page)
    .getByRole("link", { name: "Your application needs more information" })
    .click();
  await expect(page).toHaveURL(/\/membership#leadership-alliance$/);
  await actions.getByRole("link", { name: "Update your application" }).click();

  await expect(page).toHaveURL(new RegExp(`${LA_APPLY_PATH}$`));
  await expect(page.getByText(request)).toBeVisible();
  // The form holds what was submitted before.
  await expect(page.getByLabel("Organisation", { exact: true })).toHaveValue(organisation);
  await expect(page.getByLabel("AS numbers")).toHaveValue("AS8075\nAS15169");
  await page.getByLabel("Registry handles").fill("ORG-EXA1-RIPE\nORG-EXA2-RIPE");
  await page.getByRole("button", { name: "Resubmit application" }).click();
  await expect(page).toHaveURL(/\/membership\?applied=1#leadership-alliance$/);
  await expect(actions).toContainText("Your application is under review");

  // Back in the queue, with the new evidence.
  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/applications");
    await admin.getByRole("link", { name: organisation, exact: true }).click();
    await expect(admin.getByText("ORG-EXA2-RIPE")).toBeVisible();
    await expect(admin.getByRole("button", { name: "Record decision" })).toBeVisible();
  } finally {
    await admin.context().close();
  }
});

test("the admin area: a member gets 403, an anonymous reader is sent to sign in", async ({
  page,
  browser,
}) => {
  await signUpVerified(page, {});
  for (const path of ["/admin", "/admin/applications", "/admin/members"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByText("You do not have access to this page.")).toBeVisible();
  }

  const anonymous = await browser.newContext();
  try {
    const reader = await anonymous.newPage();
    await reader.goto("/admin/applications");
    await expect(reader).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fapplications$/);
  } finally {
    await anonymous.close();
  }
});

test("an admin grants complimentary access from the member's page, then revokes it", async ({
  page,
  browser,
}) => {
  const { email } = await signUpVerified(page, {});
  const nextYear = `${new Date().getUTCFullYear() + 1}-12-31`;

  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/members");
    await admin.getByLabel("E-mail address contains").fill(email);
    await admin.getByRole("button", { name: "Show members" }).click();
    await expect(admin).toHaveURL(/\/admin\/members\?q=/);
    const results = admin.getByRole("table", {
      name: "Members matching the filters, newest first",
    });
    await expect(results.getByRole("row")).toHaveCount(2);
    await results.getByRole("link", { name: email }).click();
    await expect(admin.getByRole("heading", { level: 1, name: email })).toBeVisible();

    // A grant needs a reason and a date in the future; the errors sit beside the fields.
    await admin.getByLabel("Tier").selectOption({ label: "Strategic Circle" });
    await admin.getByLabel("Access ends on").fill("2001-01-01");
    // By keyboard: leaving the date field shows its error at once, which moves the button
    // away from under a mouse pointer.
    const grant = admin.getByRole("button", { name: "Grant complimentary access" });
    await grant.press("Enter");
    await expect(errorsOf(admin.getByLabel("Access ends on"))).toContainText(
      "The end date must be in the future",
    );
    await expect(errorsOf(admin.getByLabel("Reason", { exact: true }))).toContainText(
      "Give a reason",
    );

    await admin.getByLabel("Access ends on").fill(nextYear);
    await admin.getByLabel("Reason", { exact: true }).fill("Speaker at the spring meeting");
    await grant.press("Enter");
    await expect(admin).toHaveURL(/\?granted=1$/);
    const grants = admin.getByRole("table", { name: /Grants of complimentary access/ });
    await expect(grants).toContainText("Speaker at the spring meeting");
  } finally {
    await admin.context().close();
  }

  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "unlocked");

  const again = await adminPage(browser);
  try {
    await again.goto("/admin/members");
    await again.getByLabel("E-mail address contains").fill(email);
    await again.getByRole("button", { name: "Show members" }).click();
    await again.getByRole("link", { name: email }).click();
    await again.getByRole("button", { name: "Revoke the Strategic Circle grant" }).click();
    await expect(again).toHaveURL(/\?revoked=1$/);
    await expect(
      again.getByRole("table", { name: /Grants of complimentary access/ }),
    ).toContainText("Revoked");
  } finally {
    await again.context().close();
  }

  await page.goto(SEED_PROFILE_PATH);
  await expect(strategicCircle(page)).toHaveAttribute("data-briefing-state", "locked");
});
