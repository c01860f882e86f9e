import type { Db } from "@briefings/db/client";
import { outbox } from "@briefings/db/schema";
import { createTransport } from "nodemailer";

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * Extra headers, e.g. List-Unsubscribe on digests. Sent over SMTP; the outbox keeps the
   * message without them.
   */
  headers?: Record<string, string>;
};

export type MailLogger = { info(obj: object, msg: string): void };

export type MailerOptions = {
  /** smtp:// or smtps:// URL of the relay; without it mail is kept in the outbox table. */
  smtpUrl?: string;
  /** The From header, e.g. `Briefings <no-reply@example.org>`. */
  from: string;
  db: Db;
  logger?: MailLogger;
  /**
   * Development only: log the links of mail kept in the outbox so a developer can click
   * them. Links are credentials (sign-in, reset), so production must never set this.
   */
  logLinks?: boolean;
};

export type Mailer = {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
};

/** Every http(s) URL in a text, without trailing sentence punctuation. */
export function extractLinks(text: string): string[] {
  const found = text.match(/https?:\/\/[^\s<>"'`]+/g) ?? [];
  return found.map((link) => link.replace(/[.,;:!?)\]}]+$/, ""));
}

/**
 * Checks the URL and drops any `pool` parameter: one short SMTP connection per message
 * is enough for the mail an auth flow sends, and a pool would keep sockets (and the
 * process) alive between messages.
 */
function smtpTransportUrl(smtpUrl: string): string {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error("SMTP_URL is not a valid URL (expected smtp://… or smtps://…)");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  url.searchParams.delete("pool");
  return url.toString();
}

export function createMailer(options: MailerOptions): Mailer {
  const { from, db, logger, logLinks = false } = options;

  if (options.smtpUrl) {
    const transport = createTransport({
      url: smtpTransportUrl(options.smtpUrl),
      // nodemailer waits minutes by default; a request that sends mail should fail fast.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      async send(message) {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
          ...(message.headers === undefined ? {} : { headers: message.headers }),
        });
      },
      async close() {
        transport.close();
      },
    };
  }

  return {
    async send(message) {
      await db.insert(outbox).values({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
      });
      // Only the links, and only when asked: the body may hold other people's data.
      if (logLinks && logger) {
        logger.info(
          { to: message.to, subject: message.subject, links: extractLinks(message.text) },
          "mail kept in the outbox (no SMTP_URL)",
        );
      }
    },
    async close() {},
  };
}
