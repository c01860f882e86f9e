import { chooseDigestFrequency, createMailer, type Mailer, sendDueDigests } from "@briefings/auth";
import { signingKey } from "@briefings/db/queries";
import { data } from "react-router";
import { appUrl, logsMailLinks, PRIVATE_NO_STORE } from "./auth.server.ts";
import { db } from "./db.server.ts";
import { env } from "./env.server.ts";
import { logger } from "./logger.server.ts";

// The e-mail digests of what members follow: a job in the portal process, like the
// scheduler. Several processes may run it at once; the database hands each due member to
// exactly one of them (claimDueDigests), so nobody is mailed twice.

/** How often due digests are looked for: a digest goes out at most this late. */
const INTERVAL_MS = 60_000;

let secret: Promise<string> | undefined;

/**
 * The key unsubscribe links are signed with: UNSUBSCRIBE_SECRET, or else a random key kept
 * in the database, so links stay valid across restarts and between processes.
 */
export function unsubscribeSecret(): Promise<string> {
  secret ??= env.UNSUBSCRIBE_SECRET
    ? Promise.resolve(env.UNSUBSCRIBE_SECRET)
    : db()
        .then((database) => signingKey(database, "unsubscribe"))
        .catch((error: unknown) => {
          secret = undefined;
          throw error;
        });
  return secret;
}

let mailer: Mailer | undefined;
let timer: NodeJS.Timeout | null = null;
let running: Promise<void> | null = null;

async function sendDue(): Promise<void> {
  try {
    const database = await db();
    mailer ??= createMailer({
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      db: database,
      logger,
      logLinks: logsMailLinks(),
    });
    const run = await sendDueDigests({
      db: database,
      mailer,
      appUrl: appUrl(),
      secret: await unsubscribeSecret(),
      logger,
    });
    if (run.sent + run.empty + run.failed > 0) logger.info(run, "e-mail digests");
  } catch (error) {
    logger.error({ err: error }, "could not send e-mail digests");
  }
}

/**
 * Sends due digests now and every minute. Not under tests (NODE_ENV=test) nor with
 * DIGEST_JOB=off, unless `force`: a test starts it when it means to.
 */
export function startDigestJob(options: { force?: boolean } = {}): void {
  if (timer) return;
  if (!options.force && (env.NODE_ENV === "test" || env.DIGEST_JOB === "off")) return;
  const tick = () => {
    if (!running) running = sendDue().finally(() => (running = null));
  };
  tick();
  timer = setInterval(tick, INTERVAL_MS);
  timer.unref();
}

/** Stops the timer and waits for a run in progress, before the database closes. */
export async function stopDigestJob(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = null;
  await running;
  await mailer?.close();
  mailer = undefined;
}

const FREQUENCY_NOTICES = {
  none: "You will receive no digest e-mails.",
  daily: "You will receive a daily digest when something you follow changed.",
  weekly: "You will receive a weekly digest when something you follow changed.",
} as const;

/**
 * The digest form's post (watchlist and account page): the member's new choice, or a 400
 * naming what was wrong with the form.
 */
export async function saveDigestChoice(userId: string, form: FormData) {
  const result = await chooseDigestFrequency(await db(), userId, form.get("frequency"));
  if (!result.ok)
    return data({ digest: { error: result.message } }, { status: 400, headers: PRIVATE_NO_STORE });
  return data(
    { digest: { message: FREQUENCY_NOTICES[result.frequency] } },
    { headers: PRIVATE_NO_STORE },
  );
}
