import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  type Browser,
  type BrowserContextOptions,
  expect,
  type Page,
  test,
} from "@playwright/test";
import { strToU8, zipSync } from "fflate";
import { fixtureAccount, signIn } from "./support/users.ts";

/**
 * Article import in the browser (/admin/import): an editor uploads the files of
 * e2e/fixtures/import (three valid articles, six malformed files) and gets the importer's
 * report file by file; a second run changes nothing; a dry run writes nothing; a zip of
 * the same files reports the same; the audit log names the editor; a member gets 403; and
 * the form works without JavaScript too.
 *
 * Each test moves the fixtures' articles under a webUrl prefix of its own, so that "imported"
 * means new whatever ran before (a retry, the other tests).
 */

const FOLDER = path.join(import.meta.dirname, "fixtures", "import");
const FILES = readdirSync(FOLDER).sort();

type Payload = { name: string; mimeType: string; buffer: Buffer };

/** The fixture files, their articles moved under https://import-e2e.example/<space>/. */
function fixtureFiles(space: string): Payload[] {
  return FILES.map((name) => {
    // Latin-1 keeps every byte as it is (not-utf8.md must stay what it is).
    const text = readFileSync(path.join(FOLDER, name)).toString("latin1");
    const moved = text.replaceAll(
      "https://import-e2e.example/",
      `https://import-e2e.example/${space}/`,
    );
    return { name, mimeType: "text/markdown", buffer: Buffer.from(moved, "latin1") };
  });
}

const newSpace = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;

/** Each file's outcome and, for a rejected one, the line and field of each problem. */
const FIRST_IMPORT: Record<string, string[]> = {
  "bad-yaml.md": ["rejected", "line 4 excerpt"],
  "broken-secured.md": ["rejected", "line 23 secured"],
  "cloud-surveillance.md": ["imported"],
  "empty.md": ["rejected", "line 1 (file)"],
  "missing-title.md": ["rejected", "line 1 title"],
  "not-utf8.md": ["rejected", "line 3 (file)"],
  "peering-report.md": ["imported"],
  "quality-out-of-range.md": ["rejected", "line 8 quality"],
  "routing-security.txt": ["imported"],
};
const SECOND_IMPORT = Object.fromEntries(
  Object.entries(FIRST_IMPORT).map(([file, report]) => [
    file,
    report[0] === "imported" ? ["unchanged"] : report,
  ]),
);

async function signedIn(
  browser: Browser,
  kind: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const account = fixtureAccount(kind);
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(/\/account$/);
  return page;
}

/** The report on the page, as FIRST_IMPORT spells it. */
async function reportOf(page: Page): Promise<Record<string, string[]>> {
  return page
    .locator("tr[data-file]")
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((row) => [
          row.getAttribute("data-file"),
          [
            row.getAttribute("data-outcome"),
            ...[...row.querySelectorAll("[data-problem]")].map(
              (problem) =>
                `line ${problem.getAttribute("data-line")} ${problem.getAttribute("data-field") || "(file)"}`,
            ),
          ],
        ]),
      ),
    );
}

async function totalsOf(page: Page) {
  const total = (name: string) => page.locator(`[data-total="${name}"]`).textContent();
  return {
    files: await total("files"),
    imported: await total("imported"),
    updated: await total("updated"),
    unchanged: await total("unchanged"),
    rejected: await total("rejected"),
  };
}

async function openImport(page: Page, enhanced = true) {
  await page.goto("/admin/import");
  await expect(page.getByRole("heading", { level: 1, name: "Import articles" })).toBeVisible();
  // With JavaScript, wait until the page is hydrated: before that the form posts itself.
  if (enhanced) await expect(page.locator("form[data-enhanced]")).toBeVisible();
}

async function importFiles(page: Page, files: Payload[], options: { dryRun?: boolean } = {}) {
  await page.getByLabel("Article files or .zip archives").setInputFiles(files);
  await page.getByRole("checkbox", { name: "Dry run" }).setChecked(options.dryRun ?? false);
  await page.getByRole("button", { name: "Import", exact: true }).click();
}

test("an editor imports a folder of article files and gets each file's outcome; again, nothing changes", async ({
  browser,
}) => {
  const space = newSpace("folder");
  const editor = await signedIn(browser, "editor");
  await openImport(editor);
  await importFiles(editor, fixtureFiles(space));

  await expect(editor.locator("[data-import-progress]")).toHaveText("9 of 9 files");
  await expect(editor.getByRole("progressbar", { name: "Files processed" })).toHaveAttribute(
    "value",
    "9",
  );
  await expect(editor.getByRole("heading", { level: 2, name: "Import report" })).toBeVisible();
  expect(await reportOf(editor)).toEqual(FIRST_IMPORT);
  expect(await totalsOf(editor)).toEqual({
    files: "9",
    imported: "3",
    updated: "0",
    unchanged: "0",
    rejected: "6",
  });
  // The messages are the importer's, beside their line and field.
  await expect(editor.locator('tr[data-file="quality-out-of-range.md"]')).toContainText(
    "Line 8, quality: quality must be between 0 and 100",
  );
  await expect(editor.locator('tr[data-file="not-utf8.md"]')).toContainText(
    "Line 3: is not UTF-8 text (an invalid byte sequence); save the file as UTF-8",
  );
  await expect(editor.locator('tr[data-file="cloud-surveillance.md"]')).toContainText(
    "Premium text kept sealed",
  );

  // The same files again: every valid one unchanged.
  await editor.getByRole("button", { name: "Import", exact: true }).click();
  await expect(editor.locator("[data-total='unchanged']")).toHaveText("3");
  expect(await reportOf(editor)).toEqual(SECOND_IMPORT);

  // The imported article is on the site.
  await editor.locator('tr[data-file="peering-report.md"]').getByRole("link").click();
  await expect(
    editor.getByRole("heading", { level: 1, name: "Import check: peering at the new exchange" }),
  ).toBeVisible();
  await editor.context().close();

  // The audit log names the editor for each of the three new articles, and nothing more.
  const editorAccount = fixtureAccount("editor");
  const admin = await signedIn(browser, "admin");
  await admin.goto(`/admin/audit?action=article.import&actor=${editorAccount.id}`);
  const entries = admin.locator('[data-audit-action="article.import"]', { hasText: space });
  await expect(entries).toHaveCount(3);
  for (const entry of await entries.all()) await expect(entry).toContainText(editorAccount.email);
  await expect(entries.filter({ hasText: '"file": "routing-security.txt"' })).toHaveCount(1);
  await admin.goto(`/admin/audit?action=article.update&actor=${editorAccount.id}`);
  await expect(
    admin.locator('[data-audit-action="article.update"]', { hasText: space }),
  ).toHaveCount(0);
  await admin.context().close();
});

test("a dry run reports what would happen and writes nothing", async ({ browser }) => {
  const space = newSpace("dry");
  const editor = await signedIn(browser, "editor");
  await openImport(editor);
  await importFiles(editor, fixtureFiles(space), { dryRun: true });
  await expect(editor.getByRole("heading", { level: 2, name: "Dry run report" })).toBeVisible();
  await expect(editor.locator("[data-import-progress]")).toHaveText("9 of 9 files");
  await expect(editor.getByText("Dry run: nothing was written.")).toBeVisible();
  expect(await reportOf(editor)).toEqual(FIRST_IMPORT);

  // Had the dry run written anything, these would now be "unchanged".
  await importFiles(editor, fixtureFiles(space));
  await expect(editor.getByRole("heading", { level: 2, name: "Import report" })).toBeVisible();
  await expect(editor.locator("[data-import-progress]")).toHaveText("9 of 9 files");
  expect(await reportOf(editor)).toEqual(FIRST_IMPORT);

  // A file over the limit is refused in the browser, before anything is sent.
  await importFiles(editor, [
    ...fixtureFiles(newSpace("never")),
    { name: "huge.md", mimeType: "text/markdown", buffer: Buffer.alloc(1024 * 1024 + 10, 97) },
  ]);
  await expect(editor.locator("#import-files-error")).toHaveText(
    "huge.md (1.1 MiB) is larger than 1 MiB, the limit for one article file. Nothing was imported; remove it and try again.",
  );
  await expect(editor.locator("tr[data-file]")).toHaveCount(0);
  await editor.context().close();
});

test("a zip of the same files gives the same report, its non-article entries skipped and listed", async ({
  browser,
}) => {
  const space = newSpace("zip");
  const zip = zipSync({
    ...Object.fromEntries(
      fixtureFiles(space).map((file) => [file.name, new Uint8Array(file.buffer)]),
    ),
    "__MACOSX/._peering-report.md": strToU8("resource fork"),
    ".DS_Store": strToU8("finder"),
    "drafts/": new Uint8Array(0),
  });
  const editor = await signedIn(browser, "editor");
  await openImport(editor);
  await importFiles(editor, [
    { name: "articles.zip", mimeType: "application/zip", buffer: Buffer.from(zip) },
  ]);
  await expect(editor.locator("[data-import-progress]")).toHaveText("9 of 9 files");
  expect(await reportOf(editor)).toEqual(FIRST_IMPORT);
  const skipped = editor.locator("[data-import-skipped] li");
  await expect(skipped).toHaveText([
    "__MACOSX/._peering-report.md in articles.zip: macOS metadata (__MACOSX), not an article",
    ".DS_Store in articles.zip: a hidden file (its name starts with a dot)",
    "drafts/ in articles.zip: a folder",
  ]);
  await editor.context().close();
});

test("without JavaScript the form posts the files and the server answers with the report", async ({
  browser,
}) => {
  const space = newSpace("nojs");
  const editor = await signedIn(browser, "editor", { javaScriptEnabled: false });
  await openImport(editor, false);
  await importFiles(editor, fixtureFiles(space));
  await expect(editor.getByRole("heading", { level: 2, name: "Import report" })).toBeVisible();
  expect(await reportOf(editor)).toEqual(FIRST_IMPORT);
  expect(await totalsOf(editor)).toMatchObject({ files: "9", imported: "3", rejected: "6" });

  // A bad upload is refused with the reason beside the field.
  await importFiles(editor, [
    { name: "huge.md", mimeType: "text/markdown", buffer: Buffer.alloc(1024 * 1024 + 10, 97) },
  ]);
  await expect(editor.locator("#import-files-error")).toHaveText(
    "huge.md (1.1 MiB) is larger than 1 MiB, the limit for one article file. Nothing was imported; remove it and try again.",
  );
  await expect(editor.getByLabel("Article files or .zip archives")).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await editor.context().close();
});

test("a member may neither open the import page nor post to it", async ({ browser }) => {
  const member = await signedIn(browser, "member");
  const page = await member.goto("/admin/import");
  expect(page?.status()).toBe(403);
  const space = newSpace("member");
  const [file] = fixtureFiles(space).filter((payload) => payload.name === "peering-report.md");
  const post = await member.request.post("/admin/import", {
    multipart: { files: file as Payload },
    headers: { Origin: new URL(member.url()).origin },
  });
  expect(post.status()).toBe(403);
  await member.context().close();

  // Nothing of it reached the site.
  const editor = await signedIn(browser, "editor");
  await openImport(editor);
  await importFiles(editor, [file as Payload], { dryRun: true });
  await expect(editor.locator('tr[data-file="peering-report.md"]')).toHaveAttribute(
    "data-outcome",
    "imported",
  );
  await editor.context().close();
});
