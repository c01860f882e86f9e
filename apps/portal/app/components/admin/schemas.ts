import { z } from "zod";

/**
 * The admin forms' schemas, for conform in the browser and on the server alike.
 *
 * They repeat @briefings/auth's `reviewSchema` and `grantSchema`: that package also holds
 * the password hashing and the mailer, which cannot be bundled for the browser.
 * schemas.test.ts checks that both sides accept and refuse the same inputs with the same
 * messages. The services validate again with their own schemas: these are for early,
 * friendly errors beside the fields, not the last word.
 */

export const REVIEW_DECISIONS = ["approve", "reject", "needs-info"] as const;

export const reviewFormSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS, { error: "Choose approve, reject or ask for more" }),
    message: z
      .string()
      .trim()
      .max(2000, { error: "The message is at most 2000 characters" })
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
  tierSlug: z.string().trim().min(1, { error: "Choose a tier" }),
  endsAt: z.coerce
    .date({ error: "Give the date the access ends" })
    .refine((d) => !Number.isNaN(d.getTime()), { error: "Give a valid date", abort: true })
    .refine((d) => d.getTime() > Date.now(), { error: "The end date must be in the future" }),
  reason: z
    .string({ error: "Give a reason" })
    .trim()
    .min(3, { error: "Give a reason (at least 3 characters)" })
    .max(500, { error: "The reason is at most 500 characters" }),
});
