import { randomBytes } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";

/**
 * Finding a page's forms as the server renders them (no JavaScript), posting bad input to
 * them the way a browser without JavaScript would, and checking the answer.
 *
 * HTML is parsed by the browser's own parser (DOMParser in a blank page: nothing in the
 * parsed document runs or loads), so what counts as a form, a field or a submit button is
 * what a browser would submit.
 */

/** Input types whose value is typed text (an input without a type, or an unknown one, is text). */
const TEXT_INPUT_TYPES = ["text", "email", "password", "url", "search", "date", "tel", "number"];

export type SubmitButton = { name: string; value: string };

/** A `<form method="post">` of a page, as a browser without JavaScript would submit it. */
export type FoundForm = {
  /** The page it was found on (path and query). */
  page: string;
  /** Where it posts to (path and query), its action resolved against the page. */
  action: string;
  enctype: string;
  /** Fields sent as they are: hidden inputs, and inputs hidden or read-only. */
  hidden: [string, string][];
  /** Named fields a person types into or picks from: text-like inputs, textareas, selects. */
  textFields: string[];
  /** Other named controls (radios, checkboxes, files…): left unset by the bad-input cases. */
  otherFields: string[];
  /** Named submit buttons (e.g. intent=grant); a form posts once per button. */
  submits: SubmitButton[];
};

type ParsedForm = Omit<FoundForm, "page" | "action"> & { actionAttribute: string | null };

/** The `<form method="post">` elements of an HTML document. */
async function parseForms(parser: Page, html: string): Promise<ParsedForm[]> {
  return parser.evaluate(
    ({ html, textTypes }) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      return [...doc.forms]
        .filter((form) => (form.getAttribute("method") ?? "get").toLowerCase() === "post")
        .map((form) => {
          const hidden: [string, string][] = [];
          const textFields: string[] = [];
          const otherFields: string[] = [];
          const submits: { name: string; value: string }[] = [];
          for (const element of [...form.elements]) {
            const name = element.getAttribute("name");
            if ((element as HTMLInputElement).disabled) continue;
            if (
              element instanceof HTMLButtonElement ||
              (element instanceof HTMLInputElement &&
                ["submit", "image", "button", "reset"].includes(element.type))
            ) {
              const type = (element as HTMLButtonElement | HTMLInputElement).type;
              if (type === "submit" && name) {
                submits.push({ name, value: (element as HTMLButtonElement).value });
              }
              continue;
            }
            if (!name) continue;
            if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) {
              if (element.hidden || (element as HTMLTextAreaElement).readOnly) {
                hidden.push([name, element.value]);
              } else if (!textFields.includes(name)) textFields.push(name);
            } else if (element instanceof HTMLInputElement) {
              if (element.type === "hidden" || element.hidden || element.readOnly) {
                hidden.push([name, element.value]);
              } else if (textTypes.includes(element.type)) {
                if (!textFields.includes(name)) textFields.push(name);
              } else if (!otherFields.includes(name)) otherFields.push(name);
            }
          }
          return {
            actionAttribute: form.getAttribute("action"),
            enctype: (form.getAttribute("enctype") ?? "").toLowerCase(),
            hidden,
            textFields,
            otherFields,
            submits,
          };
        });
    },
    { html, textTypes: TEXT_INPUT_TYPES },
  );
}

/**
 * GETs `url` in `request` (its cookies: the viewer) and answers its status and its
 * `<form method="post">` elements (none unless the status is 200).
 */
export async function findForms(
  parser: Page,
  request: APIRequestContext,
  url: string,
): Promise<{ status: number; forms: FoundForm[] }> {
  const response = await request.get(url, { maxRedirects: 0, failOnStatusCode: false });
  if (response.status() !== 200) return { status: response.status(), forms: [] };
  const contentType = response.headers()["content-type"] ?? "";
  if (!contentType.includes("text/html")) return { status: response.status(), forms: [] };
  const pageUrl = new URL(url, "http://e2e.invalid");
  const parsed = await parseForms(parser, await response.text());
  return {
    status: response.status(),
    forms: parsed.map(({ actionAttribute, ...form }) => {
      const action = new URL(actionAttribute ?? "", pageUrl);
      if (action.origin !== pageUrl.origin) throw new Error(`${url}: a form posts elsewhere`);
      return { page: url, action: `${action.pathname}${action.search}`, ...form };
    }),
  };
}

/** A form's identity across viewers and pages: where it posts, and what it sends. */
export function formSignature(form: FoundForm): string {
  return [
    form.action,
    form.textFields.join(","),
    form.hidden.map(([name]) => name).join(","),
    form.submits.map(({ name, value }) => `${name}=${value}`).join(","),
  ].join(" | ");
}

// ---------------------------------------------------------------------------------------
// The bad-input cases.

export const UNICODE_TEXT = "Zoë 株式会社 🇩🇪 \u202Eevil";

export type BadInputCase = {
  name: string;
  /** The values every text field is sent with: none (left out), one, or several. */
  values: string[];
  /** A string that must never reach the page unescaped. */
  marker: string | null;
};

/** Script and an image whose error handler runs script, tagged with a fresh random marker. */
export function markupText(marker = `x-${randomBytes(6).toString("hex")}`): string {
  return `<script>alert("${marker}")</script><img src=x onerror=alert(1)>`;
}

export function badInputCases(): BadInputCase[] {
  const marker = `x-${randomBytes(6).toString("hex")}`;
  const markup = markupText(marker);
  return [
    { name: "empty", values: [""], marker: null },
    { name: "too long", values: ["x".repeat(20_000)], marker: null },
    // A field given twice arrives as an array where the schema expects a string.
    { name: "sent twice", values: [UNICODE_TEXT, markup], marker },
    { name: "missing", values: [], marker: null },
    { name: "unicode", values: [UNICODE_TEXT], marker: null },
    // NUL is the one character PostgreSQL refuses in text: a 4xx, never a failed query.
    { name: "control characters", values: ["a\u0000b\u0007c"], marker: null },
    { name: "markup", values: [markup], marker },
  ];
}

/** The body a browser would send for `form` with its text fields set to the case's values. */
export function formBody(
  form: FoundForm,
  submit: SubmitButton | null,
  values: readonly string[],
): [string, string][] {
  const fields: [string, string][] = [...form.hidden];
  for (const name of form.textFields) for (const value of values) fields.push([name, value]);
  if (submit) fields.push([submit.name, submit.value]);
  return fields;
}

/** The body a browser would send for `form` with these values typed into its text fields. */
export function filledBody(
  form: FoundForm,
  values: Readonly<Record<string, string>>,
  submit: SubmitButton | null = form.submits[0] ?? null,
): [string, string][] {
  const unknown = Object.keys(values).filter((name) => !form.textFields.includes(name));
  if (unknown.length > 0) throw new Error(`${form.action} has no field ${unknown.join(", ")}`);
  const fields: [string, string][] = [...form.hidden, ...Object.entries(values)];
  if (submit) fields.push([submit.name, submit.value]);
  return fields;
}

export type Answer = { status: number; location: string | null; html: string };

/** POSTs the fields as the form's encoding, from the site's own origin, without following redirects. */
export async function postForm(
  request: APIRequestContext,
  baseURL: string,
  form: FoundForm,
  fields: [string, string][],
): Promise<Answer> {
  const common = {
    method: "POST",
    headers: { Origin: baseURL },
    maxRedirects: 0,
    failOnStatusCode: false,
  } as const;
  let response: Awaited<ReturnType<APIRequestContext["fetch"]>>;
  if (form.enctype === "multipart/form-data") {
    const multipart = new FormData();
    for (const [name, value] of fields) multipart.append(name, value);
    response = await request.fetch(form.action, { ...common, multipart });
  } else {
    response = await request.fetch(form.action, {
      ...common,
      headers: { ...common.headers, "Content-Type": "application/x-www-form-urlencoded" },
      data: new URLSearchParams(fields).toString(),
    });
  }
  return {
    status: response.status(),
    location: response.headers().location ?? null,
    html: await response.text(),
  };
}

// ---------------------------------------------------------------------------------------
// Checking the answer.

/** Markup that, found raw in a page, would run script in a reader's browser. */
const RAW_MARKUP = [/<script>alert\(/i, /<img src=x onerror/i];

type Rendered = {
  /** Names of the fields with an error listed right below them (referenced by aria-describedby). */
  fieldsWithErrors: string[];
  /** Texts of role=alert elements: errors about the whole form. */
  alerts: string[];
  /** Elements the markup would have injected: images with src=x, scripts calling alert. */
  injected: number;
  /** Whether the case's markup was echoed back HTML-escaped (in a field's value, an error). */
  echoedEscaped: boolean;
};

async function rendered(parser: Page, html: string, marker: string | null): Promise<Rendered> {
  const echoedEscaped = marker !== null && html.includes(`&lt;script&gt;alert(&quot;${marker}`);
  const shown = await parser.evaluate((html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fieldsWithErrors: string[] = [];
    for (const list of doc.querySelectorAll<HTMLElement>("[data-field-errors]")) {
      if (!list.textContent?.trim() || !list.id || !list.parentElement) continue;
      const around = [list.parentElement, ...list.parentElement.querySelectorAll("*")];
      const described = around.find((element) =>
        (element.getAttribute("aria-describedby") ?? "").split(/\s+/).includes(list.id),
      );
      if (!described) continue;
      const named = described.getAttribute("name") ? described : described.querySelector("[name]");
      fieldsWithErrors.push(named?.getAttribute("name") ?? list.id);
    }
    const alerts = [...doc.querySelectorAll('[role="alert"]')]
      .map((element) => element.textContent?.trim() ?? "")
      .filter(Boolean);
    const injected =
      doc.querySelectorAll('img[src="x"]').length +
      [...doc.scripts].filter((script) => /^\s*alert\(/.test(script.textContent ?? "")).length;
    return { fieldsWithErrors, alerts, injected };
  }, html);
  return { ...shown, echoedEscaped };
}

/**
 * What is wrong with the answer to a bad submission: anything but a 4xx, markup that is not
 * escaped, or no error shown beside a field or above the form. Empty when it was refused
 * properly.
 */
export async function refusalProblems(
  parser: Page,
  answer: Answer,
  badCase: BadInputCase,
): Promise<{ problems: string[]; shown: Rendered }> {
  const problems: string[] = [];
  if (answer.status < 400 || answer.status > 499) {
    const where = answer.location ? ` to ${answer.location}` : "";
    const excerpt =
      answer.status >= 500 ? `: ${answer.html.replace(/\s+/g, " ").slice(0, 200)}` : "";
    problems.push(`answered ${answer.status}${where} instead of a 4xx${excerpt}`);
  }
  const { problems: unescaped, shown } = await escapingProblems(parser, answer.html, badCase);
  problems.push(...unescaped);
  if (answer.status >= 400 && answer.status < 500) {
    if (shown.fieldsWithErrors.length === 0 && shown.alerts.length === 0) {
      problems.push("no error shown beside a field (data-field-errors) nor above the form");
    }
  }
  return { problems, shown };
}

/** Markup of the case that reached the page unescaped, or elements it injected. */
export async function escapingProblems(
  parser: Page,
  html: string,
  badCase: BadInputCase,
): Promise<{ problems: string[]; shown: Rendered }> {
  const problems: string[] = [];
  for (const pattern of RAW_MARKUP) {
    if (pattern.test(html)) problems.push(`raw markup in the page: ${pattern.source}`);
  }
  if (badCase.marker) {
    // The marker may be echoed (in a field's value, in an error message) only escaped.
    for (const match of html.matchAll(new RegExp(`.{0,40}${badCase.marker}`, "g"))) {
      if (/<script>|<img/i.test(match[0])) problems.push(`unescaped: ${match[0]}`);
    }
  }
  const shown = await rendered(parser, html, badCase.marker);
  if (shown.injected > 0) problems.push(`${shown.injected} injected element(s) in the page`);
  return { problems, shown };
}

/** Runs `work` over `items`, at most `limit` at a time; answers in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}
