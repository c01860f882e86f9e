import { randomBytes } from "node:crypto";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import {
  type Answer,
  type BadInputCase,
  badInputCases,
  escapingProblems,
  type FoundForm,
  filledBody,
  findForms,
  formBody,
  formSignature,
  mapLimit,
  markupText,
  postForm,
  refusalProblems,
  type SubmitButton,
} from "./support/forms.ts";
import { LA_APPLY_PATH } from "./support/membership.ts";
import { appUrls, ERROR_URLS, loadFixtures, signedInContext } from "./support/routes.ts";
import { adminPage, signUpVerified } from "./support/users.ts";

/**
 * Bad input, on every form of the app: each one is validated on the server, refuses what
 * it cannot take with a 4xx and an error beside the field (or above the form), writes
 * nothing, and shows what was typed back only escaped.
 *
 * - The forms are found, not listed: every route of the route table (support/routes.ts,
 *   as the leak matrix walks them) is fetched as each of three viewers in turn, anonymous,
 *   the fixture member and the fixture admin, each signed in through the real form; every
 *   `<form method="post">` of a page that viewer may see (200) is collected, once per form
 *   (the first viewer that sees it posts to it). A form added later is covered as soon as a
 *   page renders it.
 * - Each form is posted once per named submit button (intent) and per case, with every
 *   text field (text-like inputs, textareas, selects) set to the case's value and the
 *   hidden fields as rendered: empty, 20 000 characters, given twice (an array), left out,
 *   unicode (with a right-to-left override), control characters (NUL), script markup.
 * - Not posted to: the sign-out page's forms (they end the session; they take no input),
 *   and forms with no text field at all, only hidden fields and buttons (join, leave,
 *   revoke, sign out elsewhere, verify with the link's token): there is nothing to type
 *   wrong, and their valid submission changes data.
 * - Radios and checkboxes are left unset: set to a valid choice, some cases would be
 *   valid submissions (an "approve" decision needs no message). The admin decision form
 *   is therefore refused for its missing decision whatever the message; its message is
 *   still echoed back, so the escaping is checked there too.
 *
 * Why every case must be refused by every form found (no 303 is ever legitimate here):
 * every form has a required field whose value cannot be empty, 20 000 characters, an
 * array, missing, or free text — an e-mail address (sign-up, sign-in, forgot password,
 * change of e-mail), the current password (change of password: a 401 when wrong), the
 * confirmation words (deletion), a URL (application), a date (grant) or a decision (review).
 *
 * Because every field gets the same value, a form is refused for its strictest field;
 * the last two tests also send one bad field among valid ones, where it must be refused
 * for that field (a NUL byte reached the database that way, a 500).
 */

/** The viewers whose pages are searched for forms, in the order they are tried. */
const FORM_VIEWERS = ["anonymous", "member", "admin"] as const;
type FormViewer = (typeof FORM_VIEWERS)[number];

/** Why a found form is not posted to, or null. */
function skipReason(form: FoundForm): string | null {
  if (new URL(form.action, "http://x").pathname === "/sign-out") return "ends the session";
  if (form.textFields.length === 0) return "no text field, only hidden fields and buttons";
  return null;
}

/**
 * The submit buttons that save: conform's list buttons (`__intent__`: add, remove, move an
 * item) only change the form, which the server answers with 200 and the new form, so the
 * form's own save button (unnamed, or intent=…) is posted instead.
 */
function savingSubmits(form: FoundForm): SubmitButton[] {
  return form.submits.filter((submit) => submit.name !== "__intent__");
}

/**
 * A reviewer's note on an application is free text: any printable text, markup and
 * right-to-left marks included, is a valid note (as a review message is). For those cases a
 * 303 is right, and the saved note must then be shown escaped on the page it returns to.
 */
const FREE_TEXT_CASES = ["unicode", "markup"];
function takesFreeText(form: FoundForm, submit: SubmitButton | null): boolean {
  const pathname = new URL(form.action, "http://x").pathname;
  return (
    submit?.name === "intent" &&
    submit.value === "note" &&
    /^\/admin\/applications\/[0-9a-f-]{36}$/.test(pathname)
  );
}

async function savedFreeTextProblems(
  parser: Page,
  request: APIRequestContext,
  answer: Answer,
  badCase: BadInputCase,
) {
  const problems: string[] = [];
  if (!answer.location) problems.push("answered 303 without a Location");
  const page = await request.get(answer.location ?? "/", { failOnStatusCode: false });
  const html = await page.text();
  const escaped = await escapingProblems(parser, html, badCase);
  problems.push(...escaped.problems);
  if (badCase.marker && !escaped.shown.echoedEscaped)
    problems.push("the saved markup is not shown, escaped, on the page");
  return { problems, shown: escaped.shown };
}

function requireBaseURL(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("baseURL is not set");
  return baseURL;
}

type Posting = { viewer: string; form: FoundForm; request: APIRequestContext };

/**
 * Posts every bad-input case to every form (once per submit button), a few at a time, and
 * answers the problems found and a line per post.
 */
async function postBadInput(parser: Page, baseURL: string, postings: readonly Posting[]) {
  const cases = badInputCases();
  const jobs = postings.flatMap((posting) => {
    const submits = savingSubmits(posting.form);
    return (submits.length > 0 ? submits : [null]).flatMap((submit) =>
      cases.map((badCase) => ({ ...posting, submit, badCase })),
    );
  });
  const results = await mapLimit(jobs, 6, async ({ viewer, form, request, submit, badCase }) => {
    const body = formBody(form, submit, badCase.values);
    const answer = await postForm(request, baseURL, form, body);
    const freeText =
      takesFreeText(form, submit) &&
      FREE_TEXT_CASES.includes(badCase.name) &&
      answer.status === 303;
    const { problems, shown } = freeText
      ? await savedFreeTextProblems(parser, request, answer, badCase)
      : await refusalProblems(parser, answer, badCase);
    const button = submit ? ` [${submit.name}=${submit.value}]` : "";
    const label = `${viewer} POST ${form.action}${button} (${badCase.name})`;
    const beside = shown.fieldsWithErrors.join(", ") || "(form error)";
    return {
      problems: problems.map((problem) => `${label}: ${problem}`),
      line: `${label} → ${answer.status}; errors beside: ${beside}${shown.echoedEscaped ? "; markup echoed escaped" : ""}`,
      echoedEscaped: shown.echoedEscaped,
    };
  });
  return {
    problems: results.flatMap((result) => result.problems),
    lines: results.map((result) => result.line),
    echoedEscaped: results.filter((result) => result.echoedEscaped).length,
  };
}

/**
 * Posts `form` once per near miss (valid values but for one field) and answers the
 * problems: each must be refused with an error beside that very field.
 */
async function postNearMisses(
  parser: Page,
  baseURL: string,
  request: APIRequestContext,
  form: FoundForm,
  valid: Readonly<Record<string, string>>,
  misses: readonly [field: string, value: string][],
): Promise<string[]> {
  const problems = await mapLimit(misses, 4, async ([field, value]) => {
    const body = filledBody(form, { ...valid, [field]: value });
    const answer = await postForm(request, baseURL, form, body);
    const label = `POST ${form.action} with ${field}=${JSON.stringify(value)}`;
    const { problems, shown } = await refusalProblems(parser, answer, {
      name: "near miss",
      values: [value],
      marker: null,
    });
    if (answer.status < 500 && !shown.fieldsWithErrors.includes(field)) {
      problems.push(`no error beside ${field} (errors beside: ${shown.fieldsWithErrors})`);
    }
    return problems.map((problem) => `${label}: ${problem}`);
  });
  return problems.flat();
}

/** The forms of one page as `request` sees it that bad input is posted to. */
async function postableForms(parser: Page, request: APIRequestContext, url: string) {
  const { status, forms } = await findForms(parser, request, url);
  expect(status, `GET ${url}`).toBe(200);
  return forms.filter((form) => skipReason(form) === null);
}

test("every form of the app refuses bad input, beside the field, escaped", async ({
  browser,
  baseURL: configuredBaseURL,
}, testInfo) => {
  test.setTimeout(60_000);
  const baseURL = requireBaseURL(configuredBaseURL);
  const f = loadFixtures("pglite");
  const { urls, unsampled } = appUrls(f);
  expect(unsampled, "routes with parameters need sample values in sampleUrls()").toEqual([]);
  urls.push(...ERROR_URLS);

  const contexts = Object.fromEntries(
    await Promise.all(
      FORM_VIEWERS.map(async (viewer) => [viewer, await signedInContext(baseURL, viewer, f)]),
    ),
  ) as Record<FormViewer, APIRequestContext>;
  const parser = await browser.newPage();
  try {
    // Every page as every viewer; then the forms in route order, each once.
    const pages = urls.flatMap((url) => FORM_VIEWERS.map((viewer) => ({ url, viewer })));
    const found = await mapLimit(pages, 8, async ({ url, viewer }) => ({
      viewer,
      ...(await findForms(parser, contexts[viewer], url)),
    }));
    const postings: Posting[] = [];
    const skipped: string[] = [];
    const seen = new Set<string>();
    for (const { viewer, forms } of found) {
      for (const form of forms) {
        const signature = formSignature(form);
        if (seen.has(signature)) continue;
        seen.add(signature);
        const reason = skipReason(form);
        if (reason) skipped.push(`${viewer} ${form.page} → ${form.action}: ${reason}`);
        else postings.push({ viewer, form, request: contexts[viewer] });
      }
    }

    const { problems, lines, echoedEscaped } = await postBadInput(parser, baseURL, postings);
    await testInfo.attach("bad-input.txt", {
      contentType: "text/plain",
      body: [
        `${postings.length} forms posted to, ${lines.length} posts:`,
        ...postings.map(({ viewer, form }) => {
          const buttons = form.submits.map((submit) => submit.value).join(", ");
          return `  ${viewer} ${form.page} → POST ${form.action}: ${form.textFields.join(", ")}${buttons ? ` [${buttons}]` : ""}`;
        }),
        `${skipped.length} forms skipped:`,
        ...skipped.map((line) => `  ${line}`),
        "answers:",
        ...lines.map((line) => `  ${line}`),
      ].join("\n"),
    });
    expect(problems, `${lines.length} bad posts to ${postings.length} forms`).toEqual([]);

    // Floors, so that a broken form finder cannot pass by finding nothing: these pages
    // render forms with text fields, and most forms echo what was typed (escaped).
    const actions = new Set(postings.map(({ form }) => new URL(form.action, baseURL).pathname));
    for (const path of ["/sign-up", "/sign-in", "/account/password", LA_APPLY_PATH]) {
      expect(actions, `a form posting to ${path}`).toContain(path);
    }
    expect(postings.length).toBeGreaterThanOrEqual(9);
    expect(echoedEscaped, "posts whose markup came back escaped").toBeGreaterThanOrEqual(5);
  } finally {
    await parser.close();
    await Promise.all(Object.values(contexts).map((context) => context.dispose()));
  }
});

test("a refused application or grant leaves nothing behind", async ({
  page,
  browser,
  baseURL: configuredBaseURL,
}) => {
  test.setTimeout(60_000);
  const baseURL = requireBaseURL(configuredBaseURL);
  const f = loadFixtures("pglite");
  const { email } = await signUpVerified(page);
  const parser = await browser.newPage();
  const admin = await signedInContext(baseURL, "admin", f);
  try {
    // The new member's bad applications: page.request shares the page's session.
    const [applyForm, ...others] = await postableForms(parser, page.request, LA_APPLY_PATH);
    if (!applyForm) throw new Error(`no application form on ${LA_APPLY_PATH}`);
    expect(others).toEqual([]);
    const applied = await postBadInput(parser, baseURL, [
      { viewer: "new member", form: applyForm, request: page.request },
    ]);
    expect(applied.problems).toEqual([]);
    // Valid but for one field, which ends with a NUL byte: refused beside that field.
    const application: Record<string, string> = {
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "Chief Technology Officer",
      asns: "AS8075",
      prefixes: "8.8.8.0/24",
      handles: "ORG-EXA1-RIPE",
      statement: "We run the network of Example Networks and hold its address space.",
    };
    expect(Object.keys(application).sort()).toEqual([...applyForm.textFields].sort());
    const nearMisses = applyForm.textFields.map(
      (field) => [field, `${application[field]}\u0000`] as [string, string],
    );
    expect(
      await postNearMisses(parser, baseURL, page.request, applyForm, application, nearMisses),
    ).toEqual([]);

    await page.goto("/membership");
    const card = page.locator('[data-tier-actions="leadership-alliance"]');
    await expect(card.getByRole("link", { name: "Apply for Leadership Alliance" })).toBeVisible();
    await expect(card).not.toContainText("under review");

    // The admin's bad grants to that member.
    const search = await admin.get(`/admin/members?q=${encodeURIComponent(email)}`);
    const id = /href="\/admin\/members\/([0-9a-f-]{36})"/.exec(await search.text())?.[1];
    if (!id) throw new Error(`no member ${email} in the admin search`);
    const memberPath = `/admin/members/${id}`;
    const grantForm = (await postableForms(parser, admin, memberPath)).find((form) =>
      form.submits.some((submit) => submit.name === "intent" && submit.value === "grant"),
    );
    if (!grantForm) throw new Error(`no grant form on ${memberPath}`);
    expect(grantForm.submits).toEqual([{ name: "intent", value: "grant" }]);
    const granted = await postBadInput(parser, baseURL, [
      { viewer: "admin", form: grantForm, request: admin },
    ]);
    expect(granted.problems).toEqual([]);
    const nextYear = `${new Date().getUTCFullYear() + 1}-06-01`;
    const grant = {
      tierSlug: "strategic-circle",
      endsAt: nextYear,
      reason: "Speaker at our event",
    };
    expect(
      await postNearMisses(parser, baseURL, admin, grantForm, grant, [
        ["tierSlug", "strategic-circle\u0000"],
        ["reason", "Speaker\u0000 at our event"],
        // Valid in JavaScript, not in PostgreSQL.
        ["endsAt", "20000-01-01"],
        ["endsAt", "2001-01-01"],
      ]),
    ).toEqual([]);

    const memberPage = await (await admin.get(memberPath, { failOnStatusCode: true })).text();
    expect(memberPage).toContain("No complimentary access has been granted to this member.");
    expect(memberPage).toContain("This member holds no tier.");
    expect(memberPage).toContain("This member has not applied for any tier.");
  } finally {
    await parser.close();
    await admin.dispose();
  }
});

test("markup in an application is shown as text to the admin, and never runs", async ({
  page,
  browser,
  baseURL: configuredBaseURL,
}) => {
  test.setTimeout(60_000);
  const baseURL = requireBaseURL(configuredBaseURL);
  const marker = randomBytes(6).toString("hex");
  const dialogs: string[] = [];
  const failOnDialogs = (on: Page) =>
    on.on("dialog", (dialog) => {
      dialogs.push(`${on.url()}: ${dialog.type()} "${dialog.message()}"`);
      void dialog.dismiss().catch(() => {});
    });
  failOnDialogs(page);

  const organisation = `Markup ${marker} <script>alert("org-${marker}")</script> Networks`;
  const roleTitle = `CTO <img src=x onerror=alert("role-${marker}")>`;
  const markup = markupText(`x-${marker}`);
  const statement = `${markup}\nWe run the network of this organisation and hold its address space.`;

  await signUpVerified(page);
  await page.goto(LA_APPLY_PATH);
  await page.getByLabel("Organisation", { exact: true }).fill(organisation);
  await page.getByLabel("Website").fill("https://example.net");
  await page.getByLabel("Your role").fill(roleTitle);
  await page.getByLabel("AS numbers").fill("AS8075");
  await page.getByLabel("Statement").fill(statement);
  await page.getByRole("button", { name: "Submit application" }).click();
  await expect(page).toHaveURL(/\/membership\?applied=1#leadership-alliance$/);

  const admin = await adminPage(browser);
  failOnDialogs(admin);
  const parser = await browser.newPage();
  try {
    await admin.goto("/admin/applications");
    await admin.getByRole("link", { name: organisation, exact: true }).click();
    await expect(admin.getByRole("heading", { level: 1, name: organisation })).toBeVisible();
    await expect(admin).toHaveTitle(`${organisation} — Applications — Administration`);
    await expect(admin.getByRole("region", { name: "Statement" })).toContainText(markup);
    await expect(admin.getByRole("main")).toContainText(roleTitle);
    await admin.waitForLoadState("load");
    // Nothing of the markup became an element: no image with src=x, no script calling alert.
    const injected = await admin.evaluate(
      () =>
        document.querySelectorAll('img[src="x"]').length +
        [...document.scripts].filter((script) => /^\s*alert\(/.test(script.textContent ?? ""))
          .length,
    );
    expect(injected).toBe(0);

    // A decision whose message holds a NUL byte is refused beside the message, and the
    // application stays in the queue.
    const applicationPath = new URL(admin.url()).pathname;
    const [decisionForm] = await postableForms(parser, admin.request, applicationPath);
    if (!decisionForm) throw new Error(`no decision form on ${applicationPath}`);
    const answer = await postForm(admin.request, baseURL, decisionForm, [
      ...filledBody(decisionForm, { message: "Not enough\u0000 evidence" }),
      ["decision", "reject"],
    ]);
    expect(answer.status).toBe(400);
    const { problems, shown } = await refusalProblems(parser, answer, {
      name: "near miss",
      values: [],
      marker: null,
    });
    expect(problems).toEqual([]);
    expect(shown.fieldsWithErrors).toEqual(["message"]);
    await admin.reload();
    await expect(admin.getByText("Waiting for a decision")).toBeVisible();

    await page.goto("/membership");
    expect(dialogs).toEqual([]);
  } finally {
    await parser.close();
    await admin.context().close();
  }
});
