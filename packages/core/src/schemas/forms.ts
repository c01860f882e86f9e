import { z } from "zod";
import { hasControlCharacters } from "../control-characters.ts";
import { SLUG_PATTERN } from "../tier.ts";

/**
 * The account and admin forms' field schemas: one definition, used by the portal's forms
 * (conform, in the browser and in the route's action) and by @briefings/auth's services,
 * which validate again with the same schemas. Pure, so it can be bundled for the browser
 * (@briefings/auth cannot: it holds the password hashing and the mailer).
 *
 * Besides what a form needs, they refuse what the database cannot store, so that such
 * input gets an error beside its field instead of a failed query: control characters in
 * free text (PostgreSQL refuses a NUL byte in text outright) and dates after the year 9999
 * (PostgreSQL cannot parse them as JavaScript writes them).
 *
 * Bidirectional controls (see control-characters.ts) are allowed in the review message and
 * the grant reason, unlike in an application's text (membership.ts): both are written by an
 * admin, whose word their readers (the applicant, other admins) take as it is anyway, so
 * text that displays as something else misleads nobody it could not mislead plainly; and
 * right-to-left text pasted from elsewhere may legitimately carry these marks.
 *
 * The services check again whatever matters beyond a field's shape (the password policy,
 * tokens, whether a tier exists): these are for early, friendly errors, not the last word.
 */

// ---------------------------------------------------------------------------------------
// Accounts.

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing cannot be used to exhaust us. */
export const PASSWORD_MAX_LENGTH = 256;

export const emailSchema = z
  .string({ error: "E-mail is required" })
  .trim()
  .min(1, { error: "E-mail is required" })
  .max(254, { error: "E-mail is at most 254 characters" })
  .pipe(z.email({ error: "Enter an e-mail address like name@example.com" }))
  .transform((email) => email.toLowerCase());

/**
 * Only the bounds of a password being checked (sign-in, current password): the policy for
 * a new one (length in characters, common passwords) is @briefings/auth's `passwordProblem`.
 * The bound is in UTF-16 units, four per character, so that no password within the policy's
 * length is cut short here.
 */
export const passwordInputSchema = z
  .string({ error: "Password is required" })
  .min(1, { error: "Password is required" })
  .max(PASSWORD_MAX_LENGTH * 4, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` });

// ---------------------------------------------------------------------------------------
// Membership administration.

/** The last day a date field takes: later years are written with six digits and a sign. */
export const LAST_DATE = new Date("9999-12-31T00:00:00.000Z");

export const REVIEW_DECISIONS = ["approve", "reject", "needs-info"] as const;

/** A reviewer's decision on an application; rejecting or asking for more needs a message. */
export const reviewSchema = z
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
export type Review = z.infer<typeof reviewSchema>;

export const REVIEW_NOTE_MAX_LENGTH = 5000;

/**
 * A reviewer's note on an application, for the other reviewers: never shown to the
 * applicant (not on their pages, not in their data export, not in any mail).
 */
export const reviewNoteSchema = z.object({
  body: z
    .string({ error: "Write the note" })
    .trim()
    .min(1, { error: "Write the note" })
    .max(REVIEW_NOTE_MAX_LENGTH, {
      error: `The note is at most ${REVIEW_NOTE_MAX_LENGTH} characters`,
    })
    .refine((body) => !hasControlCharacters(body), {
      error: "The note contains control characters",
    }),
});
export type ReviewNote = z.infer<typeof reviewNoteSchema>;

/**
 * Complimentary access to a tier until a date. Every check is on its field, the end date's
 * "in the future" too, so a form shows it together with the other fields' errors (a check
 * on the whole object would run only once every field is valid).
 */
export const grantSchema = z.object({
  tierSlug: z
    // A form sends an unchosen select as nothing at all: the same error as an empty choice.
    .string({ error: "Choose a tier" })
    .trim()
    .min(1, { error: "Choose a tier", abort: true })
    // A select's value: a tier's slug, nothing else (the service looks it up).
    .regex(SLUG_PATTERN, { error: "Choose a tier" }),
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
export type GrantInput = z.infer<typeof grantSchema>;
