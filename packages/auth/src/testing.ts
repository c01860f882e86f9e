/**
 * Test helpers for code that sends mail: a real SMTP server in this process that keeps
 * and parses what it receives. Used by unit tests and by the end-to-end mail catcher.
 */
import type { AddressInfo } from "node:net";
import { type AddressObject, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type CaughtMail = {
  /** The To header's addresses, comma-separated. */
  to: string;
  /** The SMTP envelope recipients (what the server was asked to deliver to). */
  envelopeTo: string[];
  from: string;
  subject: string;
  text: string;
  html?: string;
  receivedAt: Date;
};

export type SmtpCatcher = {
  /** smtp://127.0.0.1:<port>, ready for createMailer({ smtpUrl }). */
  url: string;
  port: number;
  /** Every message received so far, oldest first. */
  messages: CaughtMail[];
  /** The first message, received or still to come, that matches; rejects after the timeout. */
  waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
};

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  if (!field) return "";
  const list = Array.isArray(field) ? field : [field];
  return list
    .flatMap((object) => object.value.map((entry) => entry.address ?? ""))
    .filter((address) => address.length > 0)
    .join(", ");
}

/**
 * Starts an SMTP server on 127.0.0.1 (a free port unless one is given) that accepts any
 * mail without auth or TLS.
 */
export async function startSmtpCatcher(options: { port?: number } = {}): Promise<SmtpCatcher> {
  const messages: CaughtMail[] = [];
  const waiters = new Set<(mail: CaughtMail) => void>();

  const server = new SMTPServer({
    authOptional: true,
    // Plain text on the loopback: nodemailer would otherwise upgrade and need a certificate.
    disabledCommands: ["STARTTLS"],
    // A URL with credentials works too: any user name and password is accepted.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "anyone" });
    },
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            to: addresses(parsed.to),
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            from: addresses(parsed.from),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            ...(parsed.html === false ? {} : { html: parsed.html }),
            receivedAt: new Date(),
          };
          messages.push(mail);
          for (const waiter of waiters) waiter(mail);
          callback();
        })
        .catch((error: unknown) =>
          callback(error instanceof Error ? error : new Error(String(error))),
        );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // smtp-server keeps the net.Server it listens with on `server`, which the types omit.
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  const port = address.port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(predicate, timeoutMs = 5_000) {
      const already = messages.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<CaughtMail>((resolve, reject) => {
        const waiter = (mail: CaughtMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = messages.map((mail) => `${mail.to}: ${mail.subject}`).join("; ") || "none";
          reject(new Error(`No matching mail within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
