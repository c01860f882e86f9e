import type { APIRequestContext } from "@playwright/test";

/**
 * Reading the mail the portal sent during an end-to-end run, from the mail catcher
 * (e2e/mail-catcher.ts) that playwright.config.ts starts: GET /messages?to=<address>
 * answers the messages to that address as JSON, oldest first.
 */

/** The catcher's HTTP side, as playwright.config.ts starts it (MAIL_HTTP_PORT). */
export const MAIL_CATCHER_URL = "http://127.0.0.1:4326";

export type CaughtMail = { to: string; subject: string; text: string; receivedAt?: string };

/** Every message sent to `to` so far, oldest first. */
export async function mailTo(request: APIRequestContext, to: string): Promise<CaughtMail[]> {
  const response = await request.get(`${MAIL_CATCHER_URL}/messages`, {
    params: { to },
    failOnStatusCode: true,
  });
  return (await response.json()) as CaughtMail[];
}

/**
 * The newest message to `to` whose subject includes `subjectIncludes`, once there are at
 * least `count` such messages (polls until then; throws after `timeoutMs`).
 */
export async function waitForMail(
  request: APIRequestContext,
  to: string,
  subjectIncludes: string,
  { count = 1, timeoutMs = 10_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matching = (await mailTo(request, to)).filter((mail) =>
      mail.subject.includes(subjectIncludes),
    );
    const newest = matching.at(-1);
    if (newest && matching.length >= count) return newest;
    if (Date.now() > deadline) {
      throw new Error(
        `No ${count > 1 ? `${count} messages` : "message"} to ${to} with "${subjectIncludes}" in the subject after ${timeoutMs} ms (found ${matching.length})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The link in a message's text whose path is `path` (e.g. "/verify-email"), as a path and
 * query to open against the base URL.
 */
export function linkFrom(text: string, path: string): string {
  for (const match of text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === path) return `${url.pathname}${url.search}`;
  }
  throw new Error(`No link to ${path} in:\n${text}`);
}
