import { randomBytes } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { adminPage, fixtureAccount, signIn } from "./support/users.ts";

/**
 * The editor, end to end: an editor writes a profile with a Leadership Alliance briefing,
 * previews it as each kind of reader, publishes it; readers then get exactly what their
 * tier admits; every step is in the audit log. Also: two editors saving the same profile,
 * a slug change, and restoring an old version.
 */

/** The notice a save leaves (the confidence grade is a live status too). */
const saved = (page: Page) => page.getByRole("status").filter({ hasText: "Saved as version" });

async function editorPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const editor = fixtureAccount("editor");
  await signIn(page, editor.email, editor.password);
  await expect(page).toHaveURL(/\/account$/);
  return page;
}

async function createDraft(page: Page, slug: string, canary: string) {
  await page.goto("/admin/profiles");
  await page.getByRole("link", { name: "New profile" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New profile" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(`Editor test ${slug}`);
  await page.getByLabel("Address (slug)").fill(slug);
  await page.getByLabel("Type", { exact: true }).fill("Internet infrastructure institution");
  await page.getByLabel("Ecosystem").fill("Internet number resources");
  await page.getByLabel("Base").fill("Global");
  await page.getByLabel("Summary").fill(`Public summary of ${slug}.`);
  await page.getByLabel("What it does").fill("Allocates numbers\nRuns a registry");
  await page.getByLabel("Time horizon").fill("Next quarter");
  // The grade follows the score as it is typed.
  const score = page.getByLabel("Confidence score (0 to 1)");
  await score.fill("0.75");
  await expect(page.getByTestId("confidence-grade")).toHaveText("Grade A/B: Strong");
  await score.fill("0.7499");
  await expect(page.getByTestId("confidence-grade")).toHaveText("Grade B/C: Medium");
  await score.fill("0.92");
  await expect(page.getByTestId("confidence-grade")).toHaveText("Grade A: High — direct sources");

  await page.getByRole("button", { name: "Add a source" }).click();
  await page.getByLabel("Source 1: title").fill("Annual report");
  await page.getByLabel("Publisher").fill("Example Registry");
  await page.getByLabel("URL").fill("https://example.org/annual-report");
  await page.getByLabel("Reliability").selectOption("high");

  await page.getByRole("button", { name: "Add a briefing" }).click();
  await page.getByLabel("Who may read it").selectOption("tier:leadership-alliance");
  await page.getByLabel("Label").fill("Leadership Alliance");
  await page.getByLabel("Title", { exact: true }).fill("Ownership and control");
  await page.getByLabel("Text", { exact: true }).fill(`## Who decides\n\nThe ${canary} paragraph.`);
  // The preview renders the markdown as readers will see it.
  const preview = page.getByTestId("markdown-preview");
  await expect(preview.getByRole("heading", { name: "Who decides" })).toBeVisible();
  await expect(preview).toContainText(canary);
  await page
    .getByLabel("Sources", { exact: true })
    .fill("Board minutes | https://example.org/minutes | 2026");

  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(saved(page)).toHaveText("Saved as version 1.");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Edit Editor test ${slug}`);
  return new URL(page.url()).pathname.split("/").pop() as string;
}

test("an editor writes, previews and publishes a profile with a Leadership Alliance briefing", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const suffix = randomBytes(4).toString("hex");
  const slug = `editor-test-${suffix}`;
  const canary = `LA-EDITOR-CANARY-${suffix}`;
  const editor = await editorPage(browser);
  const id = await createDraft(editor, slug, canary);

  // A draft is nobody's page yet.
  const anonymous = await (await browser.newContext()).newPage();
  expect((await anonymous.goto(`/profiles/${slug}`))?.status()).toBe(404);

  // "View as": each reader sees what the redaction step would send them.
  const expectations = [
    ["Anonymous reader", false],
    ["Signed-in member", false],
    ["Strategic Circle", false],
    ["Leadership Alliance", true],
  ] as const;
  for (const [persona, admitted] of expectations) {
    await editor.goto(`/admin/profiles/${id}`);
    await editor
      .getByRole("navigation", { name: "Preview" })
      .getByRole("link", { name: persona })
      .click();
    await expect(editor.getByTestId("preview-persona")).toHaveText(persona);
    await expect(
      editor.getByRole("heading", { level: 1, name: `Editor test ${slug}` }),
    ).toBeVisible();
    // What the server sends for this preview, as a document and as route data (the page
    // itself still holds the editor's own data from the document it was first loaded as).
    const previewUrl = new URL(editor.url());
    const documentHtml = await (await editor.request.get(previewUrl.href)).text();
    previewUrl.pathname += ".data";
    const routeData = await (await editor.request.get(previewUrl.href)).text();
    expect(documentHtml.includes(canary), `${persona} preview`).toBe(admitted);
    expect(routeData.includes(canary), `${persona} preview data`).toBe(admitted);
    expect(documentHtml).toContain(`Editor test ${slug}`);
    // The teaser names the briefing either way.
    await expect(editor.getByText("Ownership and control").first()).toBeVisible();
    // Locked, it says how much is withheld; unlocked, it is the text itself.
    if (admitted) await expect(editor.getByText(`The ${canary} paragraph.`)).toBeVisible();
    else await expect(editor.getByRole("main")).toContainText("5 words withheld");
  }

  // Publish.
  await editor.goto(`/admin/profiles/${id}`);
  await editor.getByLabel("Status").selectOption("published");
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved(editor)).toHaveText("Saved as version 2.");

  // An anonymous reader gets the public page and the teaser, never the text.
  const response = await anonymous.goto(`/profiles/${slug}`);
  expect(response?.status()).toBe(200);
  await expect(anonymous.getByText(`Public summary of ${slug}.`)).toBeVisible();
  await expect(anonymous.getByText("Reliability: high")).toBeVisible();
  await expect(anonymous.getByText("Ownership and control").first()).toBeVisible();
  expect(await anonymous.content()).not.toContain(canary);
  const routeData = await anonymous.request.get(`/profiles/${slug}.data`);
  expect(await routeData.text()).not.toContain(canary);

  // An approved Leadership Alliance member reads it.
  const member = await (await browser.newContext()).newPage();
  const account = fixtureAccount("leadership-alliance");
  await signIn(member, account.email, account.password, `/profiles/${slug}`);
  await expect(member.getByText(`The ${canary} paragraph.`)).toBeVisible();
  await expect(member.getByRole("link", { name: "Board minutes" })).toBeVisible();

  // Every step is in the audit log, under the editor's name.
  const admin = await adminPage(browser);
  await admin.goto(`/admin/audit?target=${id}`);
  const editorEmail = fixtureAccount("editor").email;
  await expect(admin.locator('[data-audit-action="profile.create"]')).toContainText(editorEmail);
  await expect(admin.locator('[data-audit-action="profile.update"]')).toContainText('"published"');

  for (const page of [editor, anonymous, member, admin]) await page.context().close();
});

test("two editors save the same profile: the second sees what changed and chooses", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const suffix = randomBytes(4).toString("hex");
  const first = await editorPage(browser);
  const id = await createDraft(first, `contested-${suffix}`, `CANARY-${suffix}`);
  const second = await editorPage(browser);
  await second.goto(`/admin/profiles/${id}`);

  await first.getByLabel("Summary").fill("The first editor's summary.");
  await first.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved(first)).toHaveText("Saved as version 2.");

  await second.getByLabel("Summary").fill("The second editor's summary.");
  await second.getByRole("button", { name: "Save", exact: true }).click();
  await expect(second.getByRole("alert")).toContainText("Not saved:");
  await expect(second.getByRole("alert")).toContainText("saved a newer version (2)");
  // Their change, as a diff; the second editor's text is still in the form.
  await expect(
    second.locator('[data-diff="added"]', { hasText: "The first editor's summary." }),
  ).toBeVisible();
  await expect(second.getByLabel("Summary")).toHaveValue("The second editor's summary.");

  await second.getByRole("button", { name: "Replace version 2 with mine" }).click();
  await expect(saved(second)).toHaveText("Saved as version 3.");
  await expect(second.getByLabel("Summary")).toHaveValue("The second editor's summary.");
  for (const page of [first, second]) await page.context().close();
});

test("a changed slug redirects from the old address; an old version is restored", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const suffix = randomBytes(4).toString("hex");
  const editor = await editorPage(browser);
  const id = await createDraft(editor, `old-address-${suffix}`, `CANARY-${suffix}`);
  await editor.getByLabel("Status").selectOption("published");
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved(editor)).toHaveText("Saved as version 2.");

  await editor.getByLabel("Address (slug)").fill(`new-address-${suffix}`);
  await editor.getByLabel("Summary").fill("A new summary.");
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved(editor)).toHaveText("Saved as version 3.");

  const reader = await (await browser.newContext()).newPage();
  const response = await reader.request.get(`/profiles/old-address-${suffix}`, { maxRedirects: 0 });
  expect(response.status()).toBe(301);
  expect(response.headers().location).toBe(`/profiles/new-address-${suffix}`);
  await reader.goto(`/profiles/old-address-${suffix}`);
  await expect(reader).toHaveURL(new RegExp(`/profiles/new-address-${suffix}$`));

  // History: version 3 against 2 shows the change; restoring 2 saves it as version 4.
  await editor.getByRole("link", { name: "History" }).click();
  await expect(
    editor.locator('[data-diff="removed"]', {
      hasText: `Public summary of old-address-${suffix}.`,
    }),
  ).toBeVisible();
  await expect(editor.locator('[data-diff="added"]', { hasText: "A new summary." })).toBeVisible();
  await editor.getByRole("link", { name: "Version 2", exact: true }).click();
  await editor.getByRole("button", { name: "Restore version 2" }).click();
  await expect(saved(editor)).toHaveText("Saved as version 4.");
  await expect(editor.getByLabel("Address (slug)")).toHaveValue(`old-address-${suffix}`);
  await expect(editor.getByLabel("Summary")).toHaveValue(
    `Public summary of old-address-${suffix}.`,
  );
  expect(editor.url()).toContain(`/admin/profiles/${id}`);
  for (const page of [editor, reader]) await page.context().close();
});

test("the editor works without JavaScript: lists grow on the server, errors come back", async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const editor = fixtureAccount("editor");
  await signIn(page, editor.email, editor.password);
  await page.goto("/admin/profiles/new");
  await page.getByRole("button", { name: "Add a section" }).click();
  await expect(page.getByLabel("Section 1: heading")).toBeVisible();
  await page.getByLabel("Address (slug)").fill("Not A Slug");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(
    page.getByText("Slug: lower-case letters, digits and single hyphens only"),
  ).toBeVisible();
  await expect(page.getByText("Name is required")).toBeVisible();
  await context.close();
});
