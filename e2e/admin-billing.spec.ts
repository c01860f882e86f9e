import { expect, type Page, test } from "@playwright/test";
import { errorsOf } from "./support/membership.ts";
import { adminPage, fixtureAccount, signIn } from "./support/users.ts";

/**
 * The admin's side of billing, on the fixture subscribers prepare-database.ts stored as
 * Stripe's webhook would have: an active monthly subscriber, one past due for 2 days and one
 * for 10 (each with an open invoice Stripe failed to collect), a canceled one and one
 * canceling at period end. The billing page lists them with the right statuses, the
 * dashboard charts the recurring revenue, editors get neither, and the past-due grace
 * period is validated, saved and audited.
 *
 * Other specs may add subscriptions of their own while this runs: rows are found by their
 * member's e-mail, never by position or total.
 */

const SUBSCRIBERS = {
  subscriber: "active",
  "subscriber-past-due": "past_due",
  "subscriber-lapsed": "past_due",
  "subscriber-canceled": "canceled",
  "subscriber-canceling": "canceling",
} as const;

const GRACE_ERROR = "The past-due grace period is a whole number of days from 0 to 60";

function subscriberRow(page: Page, kind: string) {
  return page.locator(`[data-subscriber="${fixtureAccount(kind).email}"]`);
}

test("an admin sees the subscribers, failed payments and cancellations", async ({ browser }) => {
  const admin = await adminPage(browser);
  try {
    const response = await admin.goto("/admin/billing");
    expect(response?.status()).toBe(200);
    expect(response?.headers()["cache-control"]).toContain("no-store");
    await expect(admin.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
    await expect(
      admin.getByRole("navigation", { name: "Administration" }).getByRole("link", {
        name: "Billing",
      }),
    ).toHaveAttribute("href", "/admin/billing");

    // The overview: counts at least the fixtures', and the revenue in the tier's currency.
    const stat = async (name: string) =>
      Number(
        (
          (await admin.locator(`[data-billing-stat="${name}"] dd`).first().textContent()) ?? ""
        ).replace(/\D/g, ""),
      );
    // subscriber, subscriber-canceling, and the yearly leadership-alliance fixture.
    expect(await stat("active")).toBeGreaterThanOrEqual(3);
    expect(await stat("past-due")).toBeGreaterThanOrEqual(2);
    expect(await stat("canceling")).toBeGreaterThanOrEqual(1);
    expect(await stat("failed")).toBeGreaterThanOrEqual(2);
    await expect(admin.locator('[data-billing-stat="mrr"] [data-mrr="USD"]')).toContainText("US$");

    // Every fixture subscriber, with its status.
    for (const [kind, status] of Object.entries(SUBSCRIBERS)) {
      const row = subscriberRow(admin, kind);
      await expect(row, kind).toHaveCount(1);
      await expect(row.locator("[data-subscription-status]"), kind).toHaveAttribute(
        "data-subscription-status",
        status,
      );
      await expect(row, kind).toContainText("Leadership Alliance");
      await expect(row, kind).toContainText("US$49.00 a month");
      // The e-mail opens the member's page.
      await expect(row.getByRole("link", { name: fixtureAccount(kind).email })).toHaveAttribute(
        "href",
        `/admin/members/${fixtureAccount(kind).id}`,
      );
    }
    await expect(subscriberRow(admin, "subscriber-canceling")).toContainText(
      "Active, cancels at period end",
    );

    // The status filter keeps only that status.
    await admin.getByLabel("Status").selectOption({ label: "Past due" });
    await admin.getByRole("button", { name: "Show subscribers" }).click();
    await expect(admin).toHaveURL(/\/admin\/billing\?status=past_due$/);
    await expect(subscriberRow(admin, "subscriber-past-due")).toHaveCount(1);
    await expect(subscriberRow(admin, "subscriber-lapsed")).toHaveCount(1);
    await expect(subscriberRow(admin, "subscriber")).toHaveCount(0);
    await expect(subscriberRow(admin, "subscriber-canceled")).toHaveCount(0);
    const statuses = await admin
      .locator("[data-subscriber] [data-subscription-status]")
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("data-subscription-status")));
    expect(new Set(statuses)).toEqual(new Set(["past_due"]));
    await admin.getByLabel("Status").selectOption({ label: "Active, cancels at period end" });
    await admin.getByRole("button", { name: "Show subscribers" }).click();
    await expect(subscriberRow(admin, "subscriber-canceling")).toHaveCount(1);
    await expect(subscriberRow(admin, "subscriber")).toHaveCount(0);
    // A status that does not exist is a 400 naming the parameter.
    const bad = await admin.request.get("/admin/billing?status=bogus");
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain("must be one of");

    // The failed payment of the member past due, with its invoice and their status.
    await admin.goto("/admin/billing");
    const pastDue = fixtureAccount("subscriber-past-due");
    const failed = admin.locator(`[data-failed-payment="${pastDue.email}"]`);
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText("FIX-SUBSCRIBER-PAST-DUE");
    await expect(failed).toContainText("US$49.00");
    await expect(failed).toContainText("Past due");
    await expect(failed.locator("td").nth(2)).toHaveText("1");
    await expect(failed.getByRole("link", { name: /FIX-SUBSCRIBER-PAST-DUE/ })).toHaveAttribute(
      "href",
      "https://invoice.stripe.test/i/subscriber-past-due",
    );
    // The paid invoice of the active subscriber is not a failed payment.
    await expect(
      admin.locator(`[data-failed-payment="${fixtureAccount("subscriber").email}"]`),
    ).toHaveCount(0);

    // Both cancellations: one done, one at period end.
    const canceled = admin.locator(
      `[data-cancellation="${fixtureAccount("subscriber-canceled").email}"]`,
    );
    await expect(canceled).toHaveAttribute("data-cancellation-kind", "canceled");
    await expect(canceled).toContainText("Canceled");
    const canceling = admin.locator(
      `[data-cancellation="${fixtureAccount("subscriber-canceling").email}"]`,
    );
    await expect(canceling).toHaveAttribute("data-cancellation-kind", "canceling");
    await expect(canceling).toContainText("Cancels at period end");
    await expect(
      admin.locator(`[data-cancellation="${fixtureAccount("subscriber").email}"]`),
    ).toHaveCount(0);

    // The member's page: the Stripe customer, the subscription, the invoice, the changes.
    await failed.getByRole("link", { name: pastDue.email }).click();
    await expect(admin.getByRole("heading", { level: 1, name: pastDue.email })).toBeVisible();
    const billing = admin.getByRole("region", { name: "Billing" });
    await expect(
      billing.getByRole("link", { name: /cus_fixture_subscriber_past_due/ }),
    ).toHaveAttribute(
      "href",
      "https://dashboard.stripe.com/customers/cus_fixture_subscriber_past_due",
    );
    await expect(billing.locator('[data-member-subscription="past_due"]')).toContainText(
      "US$49.00 a month",
    );
    const invoice = billing.locator('[data-member-invoice="open"]');
    await expect(invoice).toContainText("FIX-SUBSCRIBER-PAST-DUE");
    await expect(invoice.getByRole("link", { name: /View invoice/ })).toHaveAttribute(
      "href",
      "https://invoice.stripe.test/i/subscriber-past-due",
    );
    await expect(billing.locator("[data-member-change]")).toHaveCount(2);
    await expect(billing.locator("[data-member-change]").first()).toContainText("Past due");

    // A member who never paid: no billing history.
    await admin.goto(`/admin/members/${fixtureAccount("member").id}`);
    await expect(admin.getByRole("region", { name: "Billing" })).toContainText(
      "No billing history",
    );
  } finally {
    await admin.context().close();
  }
});

test("the overview charts the monthly recurring revenue for admins", async ({ browser }) => {
  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin");
    const section = admin.getByRole("region", { name: "Billing" });
    await expect(section).toBeVisible();
    const chart = section.getByRole("img", { name: "Monthly recurring revenue, last 90 days" });
    await expect(chart).toBeVisible();
    // Its text alternative: 90 days, in US dollars, the fixtures' revenue on the last one.
    await section.getByText("Show the numbers as a table").click();
    const table = section.getByRole("table", { name: /^Monthly recurring revenue, last 90 days/ });
    await expect(table.locator("tbody tr")).toHaveCount(90);
    const columns = await table.locator("thead th").allTextContents();
    const usd = columns.indexOf("USD");
    expect(usd, columns.join(", ")).toBeGreaterThan(0);
    const today = await table.locator("tbody tr").last().locator("th, td").nth(usd).textContent();
    expect(Number((today ?? "").replace(/[^\d.]/g, ""))).toBeGreaterThan(0);
    // The counts link to the billing page.
    await section.getByRole("link", { name: "See the failed payments" }).click();
    await expect(admin).toHaveURL(/\/admin\/billing#failed-heading$/);
  } finally {
    await admin.context().close();
  }
});

test("editors get 403 from billing and no revenue on the overview", async ({ page, baseURL }) => {
  const editor = fixtureAccount("editor");
  await signIn(page, editor.email, editor.password);
  await expect(page).toHaveURL(/\/account$/);

  const response = await page.goto("/admin/billing");
  expect(response?.status()).toBe(403);
  expect((await page.request.get("/admin/billing.data")).status()).toBe(403);
  const post = await page.request.post("/admin/billing", {
    form: { pastDueGraceDays: "30" },
    headers: { Origin: baseURL ?? "" },
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  expect(post.status()).toBe(403);

  // Not hidden, absent: neither the page nor its route data carries revenue.
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Administration" })).not.toContainText(
    "Billing",
  );
  const main = page.getByRole("main");
  await expect(main).not.toContainText("recurring revenue");
  await expect(main).not.toContainText("Failed payments");
  const documentHtml = await (await page.request.get("/admin")).text();
  const routeData = await (await page.request.get("/admin.data")).text();
  for (const body of [documentHtml, routeData]) {
    expect(body).not.toContain("recurring revenue");
    expect(body).not.toContain("mrrNow");
    expect(body).not.toContain("failedPayments");
    expect(body).not.toContain("US$");
  }
  expect(routeData).toContain("mostRead");
});

test("the grace period refuses a bad value beside its field, and saves a good one to the audit log", async ({
  browser,
  baseURL,
}) => {
  const admin = await adminPage(browser);
  const field = admin.getByLabel("Past-due grace period (days)");
  const save = admin.getByRole("button", { name: "Save billing settings" });
  let original = "";
  try {
    await admin.goto("/admin/billing");
    original = await field.inputValue();
    expect(original).toMatch(/^\d+$/);

    // In the browser, beside the field.
    await field.fill("61");
    await save.click();
    await expect(errorsOf(field)).toContainText(GRACE_ERROR);
    await expect(field).toHaveAttribute("aria-invalid", "true");

    // Without JavaScript: a 400 whose page names the field's error.
    const refused = await admin.request.post("/admin/billing", {
      form: { pastDueGraceDays: "-1" },
      headers: { Origin: baseURL ?? "" },
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain(GRACE_ERROR);

    // A good value: between the two past-due fixtures' 2 and 10 days, so that what other
    // specs expect of them (access kept, access lapsed) holds meanwhile.
    const next = original === "9" ? "8" : "9";
    await field.fill(next);
    await save.click();
    await expect(admin).toHaveURL(/\/admin\/billing\?saved=1/);
    await expect(admin.getByRole("status")).toContainText("The billing settings were saved.");
    await expect(field).toHaveValue(next);

    await admin.goto("/admin/audit?action=billing.settings.update");
    const entry = admin.locator('[data-audit-action="billing.settings.update"]').first();
    await expect(entry).toContainText(fixtureAccount("admin").email);
    await expect(entry.locator("td").nth(3)).toContainText(`"pastDueGraceDays": ${original}`);
    await expect(entry.locator("td").nth(4)).toContainText(`"pastDueGraceDays": ${next}`);
  } finally {
    // Back to what it was, for the specs that count on the fixtures' grace.
    if (original) {
      await admin.goto("/admin/billing");
      await field.fill(original);
      await save.click();
      await expect(admin).toHaveURL(/\/admin\/billing\?(saved|unchanged)=1/);
    }
    await admin.context().close();
  }
});

test("without Stripe settings the billing page still works and says how to give access", async ({
  browser,
}) => {
  // The main portal runs with the fake Stripe: no such notice there.
  const admin = await adminPage(browser);
  try {
    await admin.goto("/admin/billing");
    await expect(admin.getByRole("heading", { level: 2, name: "Subscribers" })).toBeVisible();
    await expect(admin.locator("[data-billing-not-configured]")).toHaveCount(0);
  } finally {
    await admin.context().close();
  }

  // The portal on port 4312 has no Stripe setting at all (e2e/billing-off.spec.ts).
  const base = "http://127.0.0.1:4312";
  const context = await browser.newContext({ baseURL: base });
  try {
    const page = await context.newPage();
    const account = fixtureAccount("admin", "no-stripe");
    await signIn(page, account.email, account.password);
    await expect(page).toHaveURL(/\/account$/);
    const response = await page.goto("/admin/billing");
    expect(response?.status()).toBe(200);
    await expect(page.locator("[data-billing-not-configured]")).toHaveText(
      "Stripe is not configured: paid tiers cannot take payments; grant access from a member's page instead.",
    );
    // What Stripe said before is still shown.
    const pastDue = fixtureAccount("subscriber-past-due", "no-stripe");
    await expect(page.locator(`[data-failed-payment="${pastDue.email}"]`)).toHaveCount(1);
  } finally {
    await context.close();
  }
});
