import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  emailSchema,
  grantSchema,
  LAST_DATE,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordInputSchema,
  REVIEW_DECISIONS,
  reviewSchema,
} from "./forms.ts";

/** What a schema makes of an input: the value, or each issue's path and message. */
function outcome(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : {
        ok: false,
        issues: result.error.issues.map((issue) => [issue.path.join("."), issue.message]),
      };
}

const MARKUP = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
const DAY = 86_400_000;
const future = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);

describe("emailSchema", () => {
  it.each([
    ["Someone@Example.COM", "someone@example.com"],
    ["  padded@example.test ", "padded@example.test"],
    ["line-break@example.test\n", "line-break@example.test"],
  ])("takes %j as %j", (input, value) => {
    expect(outcome(emailSchema, input)).toEqual({ ok: true, value });
  });

  it.each([
    ["empty", "", "E-mail is required"],
    ["blank", "   ", "E-mail is required"],
    ["missing", undefined, "E-mail is required"],
    ["a number", 42, "E-mail is required"],
    ["sent twice", ["a@example.test", "b@example.test"], "E-mail is required"],
    ["too long", `${"x".repeat(250)}@example.test`, "E-mail is at most 254 characters"],
    ["not an address", "not-an-address", "Enter an e-mail address like name@example.com"],
    ["without a dot in the domain", "a@b", "Enter an e-mail address like name@example.com"],
    ["markup", MARKUP, "Enter an e-mail address like name@example.com"],
    ["a NUL byte", "a\u0000b@example.test", "Enter an e-mail address like name@example.com"],
    ["non-ASCII", "zoë@example.test", "Enter an e-mail address like name@example.com"],
  ])("refuses %s", (_name, input, message) => {
    expect(outcome(emailSchema, input)).toEqual({ ok: false, issues: [["", message]] });
  });
});

describe("passwordInputSchema", () => {
  it("bounds the password without judging it: the policy is the server's", () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(256);
    for (const password of ["x", "correct horse battery", " spaces kept ", MARKUP]) {
      expect(outcome(passwordInputSchema, password)).toEqual({ ok: true, value: password });
    }
  });

  it("counts its bound in UTF-16 units, four per character, so no valid password is cut", () => {
    expect(outcome(passwordInputSchema, "🦊".repeat(PASSWORD_MAX_LENGTH)).ok).toBe(true);
    expect(outcome(passwordInputSchema, "é".repeat(PASSWORD_MAX_LENGTH * 4)).ok).toBe(true);
    expect(outcome(passwordInputSchema, "é".repeat(PASSWORD_MAX_LENGTH * 4 + 1))).toEqual({
      ok: false,
      issues: [["", `Use at most ${PASSWORD_MAX_LENGTH} characters`]],
    });
  });

  it.each([
    ["empty", ""],
    ["missing", undefined],
    ["a number", 42],
    ["sent twice", ["a", "b"]],
  ])("refuses %s", (_name, input) => {
    expect(outcome(passwordInputSchema, input)).toEqual({
      ok: false,
      issues: [["", "Password is required"]],
    });
  });
});

describe("reviewSchema", () => {
  it("has three decisions", () => {
    expect(REVIEW_DECISIONS).toEqual(["approve", "reject", "needs-info"]);
  });

  it.each([
    [{ decision: "approve" }, { decision: "approve", message: "" }],
    [
      { decision: "approve", message: "  welcome  " },
      { decision: "approve", message: "welcome" },
    ],
    [
      { decision: "reject", message: "No IP holdings found" },
      { decision: "reject", message: "No IP holdings found" },
    ],
    [
      { decision: "needs-info", message: "Add your RIPE org handle" },
      { decision: "needs-info", message: "Add your RIPE org handle" },
    ],
    [
      { decision: "reject", message: "No.\r\n\tSorry" },
      { decision: "reject", message: "No.\r\n\tSorry" },
    ],
    // Written by an admin: right-to-left marks allowed (see forms.ts), markup kept as text.
    [
      { decision: "reject", message: "Zoë 株式会社 🇩🇪 \u202Eevil" },
      { decision: "reject", message: "Zoë 株式会社 🇩🇪 \u202Eevil" },
    ],
    [
      { decision: "reject", message: MARKUP },
      { decision: "reject", message: MARKUP },
    ],
  ])("takes %j", (input, value) => {
    expect(outcome(reviewSchema, input)).toEqual({ ok: true, value });
  });

  it.each([
    ["no decision", {}, "decision", "Choose approve, reject or ask for more"],
    [
      "an unknown decision",
      { decision: "maybe" },
      "decision",
      "Choose approve, reject or ask for more",
    ],
    [
      "two decisions",
      { decision: ["approve", "reject"] },
      "decision",
      "Choose approve, reject or ask for more",
    ],
    [
      "a rejection without a reason",
      { decision: "reject" },
      "message",
      "Give the applicant a reason for the rejection",
    ],
    [
      "a rejection with a blank reason",
      { decision: "reject", message: "   " },
      "message",
      "Give the applicant a reason for the rejection",
    ],
    [
      "asking for more without saying what",
      { decision: "needs-info" },
      "message",
      "Tell the applicant what to add",
    ],
    [
      "a message too long",
      { decision: "approve", message: "x".repeat(2001) },
      "message",
      "The message is at most 2000 characters",
    ],
    [
      "a NUL byte",
      { decision: "reject", message: "No\u0000pe" },
      "message",
      "The message contains control characters",
    ],
    [
      "a bell",
      { decision: "approve", message: "Welcome\u0007" },
      "message",
      "The message contains control characters",
    ],
  ])("refuses %s", (_name, input, field, message) => {
    expect(outcome(reviewSchema, input)).toEqual({ ok: false, issues: [[field, message]] });
  });

  it("refuses a message that is not text", () => {
    expect(outcome(reviewSchema, { decision: "approve", message: 42 })).toMatchObject({
      ok: false,
      issues: [["message", expect.any(String)]],
    });
  });
});

describe("grantSchema", () => {
  const grant = { tierSlug: "strategic-circle", endsAt: future, reason: "Speaker at our event" };

  it("takes a tier, a future date and a reason", () => {
    expect(
      outcome(grantSchema, { ...grant, tierSlug: " strategic-circle ", reason: " x y " }),
    ).toEqual({
      ok: true,
      value: { tierSlug: "strategic-circle", endsAt: new Date(future), reason: "x y" },
    });
  });

  it("takes the last day of year 9999, and a reason in any script", () => {
    expect(outcome(grantSchema, { ...grant, endsAt: "9999-12-31" })).toMatchObject({
      ok: true,
      value: { endsAt: LAST_DATE },
    });
    expect(outcome(grantSchema, { ...grant, reason: "Zoë 株式会社 🇩🇪" }).ok).toBe(true);
    // Written by an admin: right-to-left marks allowed (see forms.ts), markup kept as text.
    expect(outcome(grantSchema, { ...grant, reason: "Speaker \u202Eevil" }).ok).toBe(true);
    expect(outcome(grantSchema, { ...grant, reason: MARKUP })).toMatchObject({
      ok: true,
      value: { reason: MARKUP },
    });
  });

  it.each([
    ["no tier", { tierSlug: undefined }, "tierSlug", "Choose a tier"],
    ["a blank tier", { tierSlug: " " }, "tierSlug", "Choose a tier"],
    ["a tier that is not a slug", { tierSlug: "Strategic Circle" }, "tierSlug", "Choose a tier"],
    ["a tier with a NUL byte", { tierSlug: "strategic\u0000" }, "tierSlug", "Choose a tier"],
    ["a tier as markup", { tierSlug: MARKUP }, "tierSlug", "Choose a tier"],
    ["two tiers", { tierSlug: ["a", "b"] }, "tierSlug", "Choose a tier"],
    ["no end date", { endsAt: undefined }, "endsAt", "Give the date the access ends"],
    ["an empty end date", { endsAt: "" }, "endsAt", "Give the date the access ends"],
    [
      "an end date that is no date",
      { endsAt: "not a date" },
      "endsAt",
      "Give the date the access ends",
    ],
    [
      "an end date in the past",
      { endsAt: "2001-01-01" },
      "endsAt",
      "The end date must be in the future",
    ],
    [
      "an end date after the year 9999",
      { endsAt: "20000-01-01" },
      "endsAt",
      "The end date must be no later than 9999-12-31",
    ],
    [
      "an end date after the last day",
      { endsAt: "9999-12-31T00:00:01Z" },
      "endsAt",
      "The end date must be no later than 9999-12-31",
    ],
    ["no reason", { reason: undefined }, "reason", "Give a reason"],
    ["a reason that is not text", { reason: 42 }, "reason", "Give a reason"],
    ["a short reason", { reason: " x " }, "reason", "Give a reason (at least 3 characters)"],
    [
      "a long reason",
      { reason: "x".repeat(501) },
      "reason",
      "The reason is at most 500 characters",
    ],
    ["a NUL byte", { reason: "Spea\u0000ker" }, "reason", "The reason contains control characters"],
    [
      "an escape",
      { reason: "Speaker\u001b[31m" },
      "reason",
      "The reason contains control characters",
    ],
  ])("refuses %s", (_name, change, field, message) => {
    expect(outcome(grantSchema, { ...grant, ...change })).toEqual({
      ok: false,
      issues: [[field, message]],
    });
  });

  it("reports a past end date together with the other fields' errors", () => {
    expect(
      outcome(grantSchema, { tierSlug: " ", endsAt: "2001-01-01", reason: "" }).issues,
    ).toEqual([
      ["tierSlug", "Choose a tier"],
      ["endsAt", "The end date must be in the future"],
      ["reason", "Give a reason (at least 3 characters)"],
    ]);
  });

  it("checks the end date against the time of parsing", () => {
    const soon = new Date(Date.now() + 60_000);
    expect(outcome(grantSchema, { ...grant, endsAt: soon }).ok).toBe(true);
    expect(outcome(grantSchema, { ...grant, endsAt: new Date(Date.now() - 1) }).issues).toEqual([
      ["endsAt", "The end date must be in the future"],
    ]);
  });
});
