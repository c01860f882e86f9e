import { z } from "zod";
import { hasControlCharacters } from "#app/components/control-characters.ts";

/**
 * The admin forms' schemas, for conform in the browser and on the server alike.
 *
 * They repeat @briefings/auth's `reviewSchema` and `grantSchema`: that package also holds
 * the password hashing and the mailer, which cannot be bundled for the browser.
 * schemas.test.ts checks that both sides accept and refuse the same inputs with the same
 * messages. The services validate again with their own schemas: these are for early,
 * friendly errors beside the fields, not the last word.
 *
 * Except in what the database cannot store, which these refuse and the services' schemas
 * do not: control characters in text (PostgreSQL refuses a NUL byte in text outright) and
 * dates after the year 9999 (PostgreSQL cannot parse them as JavaScript writes them). The
 * routes validate with these schemas before calling the services, so such input gets an
 * error beside its field instead of a failed query.
 */

/** The last day a date field takes: later years are written with six digits and a sign. */
export const LAST_DATE = new Date("9999-12-31T00:00:00.000Z");

export const REVIEW_DECISIONS = ["approve", "reject", "needs-info"] as const;

export const reviewFormSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS, { error: "Choose approve, reject or ask for more" }),
    message: z
      .string()
      .trim()
      .max(2000, { error: "The message is at most 2000 characters" })
      .refine((message) => !hasControlCharacters(message), {
        error: "The message contains control characters",
      })
      .optional()
      .default(""),
  })
  .superRefine((value, ctx) => {
    if (value.decision !== "approve" && value.message.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["message"],
        message:
          value.decision === "reject"
            ? "Give the applicant a reason for the rejection"
            : "Tell the applicant what to add",
      });
    }
  });

/**
 * One difference: the end date's "in the future" is checked on the field itself, so it is
 * reported together with the other fields' errors (in grantSchema it is a check on the
 * whole object, which zod runs only once every field is valid).
 */
export const grantFormSchema = z.object({
  tierSlug: z
    .string()
    .trim()
    .min(1, { error: "Choose a tier", abort: true })
    // A select's value: a tier's slug, nothing else (the service looks it up).
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: "Choose a tier" }),
  endsAt: z.coerce
    .date({ error: "Give the date the access ends" })
    .refine((d) => !Number.isNaN(d.getTime()), { error: "Give a valid date", abort: true })
    .refine((d) => d.getTime() > Date.now(), { error: "The end date must be in the future" })
    .refine((d) => d.getTime() <= LAST_DATE.getTime(), {
      error: "The end date must be no later than 9999-12-31",
    }),
  reason: z
    .string({ error: "Give a reason" })
    .trim()
    .min(3, { error: "Give a reason (at least 3 characters)" })
    .max(500, { error: "The reason is at most 500 characters" })
    .refine((reason) => !hasControlCharacters(reason), {
      error: "The reason contains control characters",
    }),
});
