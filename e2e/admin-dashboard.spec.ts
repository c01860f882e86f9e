import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { waitForMail } from "./support/mail.ts";
import {
  applyCorrectly,
  decide,
  errorsOf,
  LA_APPLY_PATH,
  SEED_PROFILE_PATH,
  uniqueOrganisation,
} from "./support/membership.ts";
import { adminPage, fixtureAccount, signIn, signUpVerified } from "./support/users.ts";

/**
 * The reviewers' side of an application (evidence to check, notes between reviewers that
 * the applicant never sees) and the overview: charts for admins and owners, the editorial
 * part only for editors, nothing for members. Writes go to fresh accounts and applications.
 */

/** A reader's browser as isbot sees it (headless Chromium's own agent counts as a bot). */
const READER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

async function openApplication(admin: Page, organisation: string) {
  await admin.goto("/admin/applications");
  await admin.getByRole("link", { name: organisation, exact: true }).click();
  await expect(admin.getByRole("heading", { level: 1, name: organisation })).toBeVisible();
}

test("an admin checks the evidence and adds a note; the applicant never sees it", async ({
  page,
  browser,
}) => {
  const { email } = await signUpVerified(page);
  const organisation = uniqueOrganisation();
  await applyCorrectly(page, organisation);
  const note = `Called their NOC, AS8075 confirmed ${randomBytes(6).toString("hex")}`;
  const admin = await adminPage(browser);
  const adminEmail = fixtureAccount("admin").email;
  try {
    // In the queue with no notes yet.
    await admin.goto("/admin/applications");
    const row = admin.locator("tr", {
      has: admin.getByRole("link", { name: organisation, exact: true }),
    });
    await expect(row.locator("td").last()).toHaveText("0 notes");
    await openApplication(admin, organisation);

    // Evidence with links to check it, the website as a link that endorses nothing.
    const rdapAsn = admin.getByRole("link", { name: /^RDAP for AS8075\b/ });
    await expect(rdapAsn).toHaveAttribute("href", "https://rdap.org/autnum/8075");
    await expect(rdapAsn).toHaveAttribute("target", "_blank");
    await expect(rdapAsn).toHaveAttribute("rel", "noopener noreferrer nofollow");
    await expect(admin.getByRole("link", { name: /^bgp\.tools for AS15169\b/ })).toHaveAttribute(
      "href",
      "https://bgp.tools/as/15169",
    );
    await expect(admin.getByRole("link", { name: /^RDAP for 8\.8\.8\.0\/24\b/ })).toHaveAttribute(
      "href",
      "https://rdap.org/ip/8.8.8.0/24",
    );
    await expect(admin.getByRole("link", { name: /^RDAP for ORG-EXA1-RIPE\b/ })).toHaveAttribute(
      "href",
      "https://rdap.org/entity/ORG-EXA1-RIPE",
    );
    const website = admin.getByRole("link", { name: /^https:\/\/example\.net/ });
    await expect(website).toHaveAttribute("rel", "noopener noreferrer nofollow");

    // An empty note is refused beside the field; a real one is listed with its author.
    await expect(admin.getByText("No notes yet.")).toBeVisible();
    const field = admin.getByLabel("Add a note");
    await admin.getByRole("button", { name: "Add note" }).click();
    await expect(errorsOf(field)).toContainText("Write the note");
    await field.fill(note);
    await admin.getByRole("button", { name: "Add note" }).click();
    await expect(admin.getByRole("status")).toContainText("Your note was added.");
    const listed = admin.locator("[data-application-note]");
    await expect(listed).toHaveCount(1);
    await expect(listed).toContainText(note);
    await expect(listed).toContainText(adminEmail);
    await expect(field).toHaveValue("");
    // The decision form is still there, the application still pending.
    await expect(admin.getByRole("button", { name: "Record decision" })).toBeVisible();

    await admin.goto("/admin/applications");
    await expect(row.locator("td").last()).toHaveText(`1 note on ${organisation}`);
  } finally {
    await admin.context().close();
  }

  // The applicant: not on their pages, not in their route data, not in their export.
  for (const path of ["/membership", "/membership.data", LA_APPLY_PATH, "/account/export"]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    const body = await response.text();
    expect(body, path).not.toContain(note);
  }
  const exported = await (await page.request.get("/account/export")).text();
  expect(exported).toContain(organisation);

  // Nor in the decision mail.
  const reason = "We could not find this organisation in the RIPE database.";
  await decide(browser, organisation, "Reject", reason);
  const mail = await waitForMail(page.request, email, "Your Leadership Alliance application");
  expect(mail.text).toContain(reason);
  expect(mail.text).not.toContain(note);
  await page.goto("/membership#leadership-alliance");
  await expect(page.locator('[data-tier-actions="leadership-alliance"]')).toContainText(reason);
  await expect(page.getByRole("main")).not.toContainText(note);
});

test("the overview shows an admin the members' charts and the most read profiles", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const slug = SEED_PROFILE_PATH.split("/").at(-1) ?? "";
  const admin = await adminPage(browser);
  const reader = await browser.newContext({ userAgent: READER_AGENT });
  try {
    const response = await admin.goto("/admin");
    expect(response?.status()).toBe(200);
    expect(response?.headers()["cache-control"]).toContain("no-store");
    await expect(admin.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(admin.getByRole("heading", { level: 2, name: "Members" })).toBeVisible();
    await expect(admin.getByText("Applications waiting")).toBeVisible();
    const members = admin.getByRole("img", { name: "Members per tier, last 90 days" });
    await expect(members).toBeVisible();
    await expect(admin.getByRole("img", { name: "Sign-ups per week" })).toBeVisible();
    // Each chart's numbers as a table: 90 days of members.
    await admin.getByText("Show the numbers as a table").first().click();
    const table = admin.getByRole("table", {
      name: "Members per tier, last 90 days: members at the end of each day",
    });
    await expect(table.locator("tbody tr")).toHaveCount(90);
    await expect(table.getByRole("columnheader", { name: "Leadership Alliance" })).toBeVisible();
    await admin.getByRole("link", { name: "Show sign-ups per day" }).click();
    await expect(admin.getByRole("img", { name: "Sign-ups per day, last 90 days" })).toBeVisible();

    // Reads of a profile, as a document and as route data, served fresh or from the
    // micro-cache, reach the most read list within a flush (about 10 s).
    const viewsOf = async () => {
      await admin.goto("/admin");
      const cell = admin.locator(`[data-most-read="${slug}"] td`).last();
      return (await cell.count()) === 0
        ? 0
        : Number(((await cell.textContent()) ?? "").replace(/\D/g, ""));
    };
    const before = await viewsOf();
    const reads = 12;
    const cache: string[] = [];
    for (let i = 0; i < reads; i++) {
      const path = i % 3 === 0 ? `${SEED_PROFILE_PATH}.data` : SEED_PROFILE_PATH;
      const read = await reader.request.get(path, { headers: { "User-Agent": READER_AGENT } });
      expect(read.status()).toBe(200);
      cache.push(read.headers()["x-cache"] ?? "");
    }
    // Some of them came from the anonymous micro-cache: those count too.
    expect(cache).toContain("HIT");
    // At least ours: other specs may read the page meanwhile. (Crawlers, prefetches and
    // other statuses are left out: server/view-counter.test.ts.)
    await expect
      .poll(viewsOf, { timeout: 30_000, intervals: [2_000] })
      .toBeGreaterThanOrEqual(before + reads);
  } finally {
    await reader.close();
    await admin.context().close();
  }
});

test("an editor sees the editorial overview but no member numbers", async ({ page }) => {
  const editor = fixtureAccount("editor");
  await signIn(page, editor.email, editor.password);
  await expect(page).toHaveURL(/\/account$/);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Profiles" })).toBeVisible();
  const main = page.getByRole("main");
  await expect(main.getByText("Published", { exact: true })).toBeVisible();
  await expect(main.getByRole("heading", { name: "Most read, last 30 days" })).toBeVisible();
  await expect(main.getByRole("heading", { name: "Members" })).toHaveCount(0);
  await expect(main.getByRole("img")).toHaveCount(0);
  await expect(main.getByText("Applications waiting")).toHaveCount(0);
  // Not hidden, absent: the route data holds no member numbers either.
  const routeData = await (await page.request.get("/admin.data")).text();
  expect(routeData).toContain("mostRead");
  expect(routeData).not.toContain("perTier");
  expect(routeData).not.toContain("signups");
  // The applications stay closed to editors.
  expect((await page.request.get("/admin/applications")).status()).toBe(403);
});

test("a member gets 403 from the overview", async ({ page }) => {
  const member = fixtureAccount("member");
  await signIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/account$/);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("You do not have access to this page.")).toBeVisible();
  expect((await page.request.get("/admin.data")).status()).toBe(403);
});
