import { grantSchema, reviewSchema } from "@briefings/auth";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { grantFormSchema, reviewFormSchema } from "./schemas.ts";

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

const future = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

describe("the admin forms' schemas match the services' schemas", () => {
  it.each([
    {},
    { decision: "approve" },
    { decision: "approve", message: "  welcome  " },
    { decision: "reject" },
    { decision: "reject", message: "   " },
    { decision: "reject", message: "No IP holdings found" },
    { decision: "needs-info" },
    { decision: "needs-info", message: "Add your RIPE org handle" },
    { decision: "maybe", message: "x" },
    { decision: "approve", message: "x".repeat(2001) },
  ])("review %j", (input) => {
    expect(outcome(reviewFormSchema, input)).toEqual(outcome(reviewSchema, input));
  });

  it.each([
    {},
    { tierSlug: "leadership-alliance", endsAt: future, reason: "Speaker at our event" },
    { tierSlug: " ", endsAt: future, reason: "Speaker" },
    { tierSlug: "strategic-circle", endsAt: "2001-01-01", reason: "Speaker" },
    { tierSlug: "strategic-circle", endsAt: "not a date", reason: "Speaker" },
    { tierSlug: "strategic-circle", endsAt: future, reason: "x" },
    { tierSlug: "strategic-circle", endsAt: future, reason: "x".repeat(501) },
  ])("grant %j", (input) => {
    expect(outcome(grantFormSchema, input)).toEqual(outcome(grantSchema, input));
  });

  it("reports a past end date together with the other fields' errors", () => {
    const input = { tierSlug: "strategic-circle", endsAt: "2001-01-01", reason: "" };
    const service = outcome(grantSchema, input);
    const form = outcome(grantFormSchema, input);
    expect(service.ok).toBe(false);
    // Everything the service says, the form says too; and the date error at once.
    expect(form.issues).toEqual(expect.arrayContaining(service.issues ?? []));
    expect(form.issues).toContainEqual(["endsAt", "The end date must be in the future"]);
  });
});

describe("what the database cannot store is refused beside its field", () => {
  const grant = { tierSlug: "strategic-circle", endsAt: future, reason: "Speaker at our event" };

  it.each([
    [{ ...grant, reason: "Spea\u0000ker" }, "reason", "The reason contains control characters"],
    [{ ...grant, tierSlug: "strategic\u0000" }, "tierSlug", "Choose a tier"],
    [
      { ...grant, endsAt: "20000-01-01" },
      "endsAt",
      "The end date must be no later than 9999-12-31",
    ],
  ])("grant %#", (input, field, message) => {
    expect(outcome(grantFormSchema, input).issues).toEqual([[field, message]]);
  });

  it("takes the last day of year 9999, and a reason in any script", () => {
    expect(outcome(grantFormSchema, { ...grant, endsAt: "9999-12-31" }).ok).toBe(true);
    expect(outcome(grantFormSchema, { ...grant, reason: "Zoë 株式会社 🇩🇪" }).ok).toBe(true);
  });

  it("refuses control characters in a review message, keeps line breaks", () => {
    expect(outcome(reviewFormSchema, { decision: "reject", message: "No\u0000pe" }).issues).toEqual(
      [["message", "The message contains control characters"]],
    );
    expect(outcome(reviewFormSchema, { decision: "reject", message: "No.\r\n\tSorry" }).ok).toBe(
      true,
    );
  });
});
