import { z } from "zod";

/**
 * The account forms' schemas, for conform in the browser and on the server alike.
 *
 * The field schemas repeat @briefings/auth's `emailSchema` and `passwordInputSchema` (and
 * its password length bounds): that package also holds the password hashing and the
 * mailer, which cannot be bundled for the browser. schemas.test.ts checks that both
 * sides accept, refuse and normalise the same inputs with the same messages.
 *
 * The server-side services check again whatever matters (the password policy, tokens),
 * so these schemas are for early, friendly errors, not the last word.
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters; avoid common passwords. A few unrelated words make a good one.`;

export const emailSchema = z
  .string({ error: "E-mail is required" })
  .trim()
  .min(1, { error: "E-mail is required" })
  .max(254, { error: "E-mail is at most 254 characters" })
  .pipe(z.email({ error: "Enter an e-mail address like name@example.com" }))
  .transform((email) => email.toLowerCase());

/** Only the bounds of a password being checked (sign-in, current password). */
export const passwordInputSchema = z
  .string({ error: "Password is required" })
  .min(1, { error: "Password is required" })
  .max(PASSWORD_MAX_LENGTH * 4, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` });

/**
 * A password being chosen: also its length, counted in characters as the server's policy
 * counts them. Common passwords are refused by the server, beside the same field.
 */
export const newPasswordSchema = passwordInputSchema.superRefine((password, ctx) => {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    ctx.addIssue({
      code: "custom",
      message: `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length})`,
    });
  } else if (length > PASSWORD_MAX_LENGTH) {
    ctx.addIssue({ code: "custom", message: `Use at most ${PASSWORD_MAX_LENGTH} characters` });
  }
});

/** A token carried from an e-mailed link through a hidden field; the service checks it. */
const tokenSchema = z.string().max(200).optional();

export const signUpSchema = z.object({ email: emailSchema, password: newPasswordSchema });

export const signInSchema = z.object({
  email: emailSchema,
  password: passwordInputSchema,
  next: z.string().max(1000).optional(),
});

export const forgotPasswordSchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z.object({ token: tokenSchema, password: newPasswordSchema });

export const changePasswordSchema = z.object({
  currentPassword: passwordInputSchema,
  newPassword: newPasswordSchema,
});

export const changeEmailSchema = z.object({ password: passwordInputSchema, newEmail: emailSchema });

/** What the member types to confirm that the account is to be deleted. */
export const DELETE_CONFIRMATION = "delete my account";

export const deleteAccountSchema = z.object({
  password: passwordInputSchema,
  confirmation: z
    .string({ error: `Type "${DELETE_CONFIRMATION}" to confirm` })
    .refine((typed) => isDeleteConfirmation(typed), {
      error: `Type "${DELETE_CONFIRMATION}" to confirm`,
    }),
});

/** Case and surrounding spaces do not matter; the words do. */
export function isDeleteConfirmation(typed: string): boolean {
  return typed.trim().replace(/\s+/g, " ").toLowerCase() === DELETE_CONFIRMATION;
}
