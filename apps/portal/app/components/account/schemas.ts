import {
  emailSchema,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordInputSchema,
} from "@briefings/core";
import { z } from "zod";

/**
 * The account forms' schemas, for conform in the browser and on the server alike.
 *
 * Their fields are @briefings/core's `emailSchema` and `passwordInputSchema`, which
 * @briefings/auth's services validate with too; what is here is the forms' own (which
 * fields each form has, the new-password length, the deletion confirmation).
 *
 * The server-side services check again whatever matters (the password policy, tokens),
 * so these schemas are for early, friendly errors, not the last word.
 */

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters; avoid common passwords. A few unrelated words make a good one.`;

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
