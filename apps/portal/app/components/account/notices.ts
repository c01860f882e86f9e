/**
 * The one-line confirmations a page shows after a redirect, chosen by a query flag
 * (`/sign-in?verified=1`). Only known flags count, and the text is ours: nothing from
 * the query string is ever shown.
 */

export const SIGN_IN_NOTICES = {
  verified: "Your e-mail address is verified. Sign in to continue.",
  reset: "Your password was changed. Sign in with the new one.",
  "email-changed":
    "Your e-mail address was changed and every session was ended. Sign in with the new address.",
  "signed-out": "You are signed out.",
} as const;

export const ACCOUNT_NOTICES = {
  reset: "Your new password is set, and every other session was ended.",
  "password-changed": "Your password was changed. Every other session was ended.",
  "email-sent":
    "We sent a confirmation link to the new address. Your address changes when you open it.",
  "verification-sent": "We sent a new verification link to your address.",
  "others-signed-out": "You are signed out of every other device.",
} as const;

/** The notices whose flag is set ("1") in the query, in the table's order. */
export function noticesFor<T extends Record<string, string>>(
  table: T,
  params: URLSearchParams,
): string[] {
  return Object.entries(table)
    .filter(([flag]) => params.get(flag) === "1")
    .map(([, text]) => text);
}
