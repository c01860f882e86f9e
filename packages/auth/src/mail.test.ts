import { outbox } from "@briefings/db/schema";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMailer, extractLinks, type MailLogger } from "./mail.ts";
import {
  accountExists,
  applicationDecision,
  changeEmail,
  escapeHtml,
  passwordChanged,
  resetPassword,
  verifyEmail,
} from "./mail-templates.ts";
import { type SmtpCatcher, startSmtpCatcher } from "./testing.ts";

const LINK = "https://briefings.example/verify?token=abc123&x=1";
const FROM = "Briefings <no-reply@briefings.example>";

describe("escapeHtml", () => {
  it("escapes markup, ampersands and both quotes", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'it'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;it&#39;",
    );
  });
});

describe("mail templates", () => {
  it("verification: link in both parts, 48-hour expiry, product name", () => {
    const mail = verifyEmail({ link: LINK });
    expect(mail.subject).toContain("Briefings");
    expect(mail.text).toContain(LINK);
    expect(mail.text).toContain("48 hours");
    // The & of the query is escaped in the HTML, as an attribute and as text.
    expect(mail.html).toContain(`href="${escapeHtml(LINK)}"`);
    expect(mail.html).not.toContain(LINK);
  });

  it("reset and change of e-mail expire in an hour", () => {
    expect(resetPassword({ link: LINK }).text).toContain("1 hour");
    const change = changeEmail({ link: LINK, newEmail: "new<b>@example.org" });
    expect(change.text).toContain("1 hour");
    expect(change.text).toContain("new<b>@example.org");
    expect(change.html).toContain("new&lt;b&gt;@example.org");
    expect(change.html).not.toContain("<b>");
  });

  it("account-exists mail offers sign-in and reset", () => {
    const mail = accountExists({
      signInLink: "https://briefings.example/sign-in",
      resetLink: "https://briefings.example/forgot-password",
    });
    expect(mail.text).toContain("https://briefings.example/sign-in");
    expect(mail.text).toContain("https://briefings.example/forgot-password");
    expect(mail.text).toMatch(/already has one/);
  });

  it("application decisions escape the reviewer's message and tier name", () => {
    const message = `<script>alert("hi")</script>\nTom's "notes" & more`;
    for (const decision of ["approved", "rejected", "needs-info"] as const) {
      const mail = applicationDecision({
        tierName: "Leadership <Alliance>",
        decision,
        message,
        link: "https://briefings.example/account/applications",
      });
      expect(mail.subject).toContain("Leadership <Alliance>");
      expect(mail.text).toContain(`> <script>alert("hi")</script>`);
      expect(mail.text).toContain(`> Tom's "notes" & more`);
      expect(mail.html).not.toContain("<script>");
      expect(mail.html).not.toContain("<Alliance>");
      expect(mail.html).toContain("&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;<br>");
      expect(mail.html).toContain("Tom&#39;s &quot;notes&quot; &amp; more");
    }
    const paid = applicationDecision({
      tierName: "Leadership Alliance",
      decision: "approved",
      paid: true,
      link: "https://briefings.example/membership#leadership-alliance",
    });
    expect(paid.text).toContain("Subscribe, monthly or yearly, to start reading");
    expect(paid.html).toContain('href="https://briefings.example/membership#leadership-alliance"');
    const free = applicationDecision({
      tierName: "Reading Room",
      decision: "approved",
      link: "https://briefings.example/membership#reading-room",
    });
    expect(free.text).not.toContain("Subscribe");
    const needsInfo = applicationDecision({
      tierName: "Leadership Alliance",
      decision: "needs-info",
      link: "https://briefings.example/a",
    });
    expect(needsInfo.subject).toMatch(/needs more information/);
    expect(needsInfo.text).not.toContain("Message from the reviewer");
  });

  it("password-changed notice, with and without a reset link", () => {
    expect(passwordChanged().text).toMatch(/was just changed/);
    expect(passwordChanged({ resetLink: LINK }).text).toContain(LINK);
  });

  it("refuses links that are not http(s)", () => {
    expect(() => verifyEmail({ link: "javascript:alert(1)" })).toThrow(/http/);
    expect(() => resetPassword({ link: "not a url" })).toThrow(/not a URL/);
  });
});

describe("extractLinks", () => {
  it("finds every http(s) URL and drops trailing punctuation", () => {
    expect(
      extractLinks("Open https://a.example/x?y=1. Or (http://b.example/z), not ftp://c.example."),
    ).toEqual(["https://a.example/x?y=1", "http://b.example/z"]);
  });
});

describe("SMTP delivery through smtp-server", () => {
  it("delivers a message that mailparser reads back", async () => {
    // A bare server here, so the mailer is checked without the catcher helper's own parsing.
    const received: Array<Awaited<ReturnType<typeof simpleParser>>> = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            received.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = (
      server as unknown as { server: { address(): { port: number } } }
    ).server.address();
    const database = await openTestDatabase("pglite");
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: FROM,
      db: database.db,
    });
    try {
      const mail = verifyEmail({ link: LINK });
      await mailer.send({ to: "reader@example.org", ...mail });
      await vi.waitFor(() => expect(received).toHaveLength(1));
      const [parsed] = received;
      const to = parsed?.to;
      expect(Array.isArray(to) ? to[0]?.text : to?.text).toBe("reader@example.org");
      expect(parsed?.subject).toBe(mail.subject);
      expect(parsed?.text).toContain(LINK);
      expect(parsed?.html).toContain(escapeHtml(LINK));
      // Sent mail is not also kept in the outbox.
      expect(await database.db.select().from(outbox)).toHaveLength(0);
    } finally {
      await mailer.close();
      await database.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe("startSmtpCatcher", () => {
    let catcher: SmtpCatcher;
    let database: TestDatabase;
    beforeAll(async () => {
      catcher = await startSmtpCatcher();
      database = await openTestDatabase("pglite");
    });
    afterAll(async () => {
      await catcher?.close();
      await database?.dispose();
    });

    it("catches, parses and waits for mail", async () => {
      const mailer = createMailer({ smtpUrl: catcher.url, from: FROM, db: database.db });
      const pending = catcher.waitFor((mail) => mail.to === "second@example.org");
      await mailer.send({ to: "first@example.org", ...resetPassword({ link: LINK }) });
      await mailer.send({
        to: "second@example.org",
        subject: "Plain only",
        text: "See https://briefings.example/x",
      });
      const second = await pending;
      expect(second.subject).toBe("Plain only");
      expect(second.html).toBeUndefined();
      expect(second.envelopeTo).toEqual(["second@example.org"]);
      expect(second.from).toBe("no-reply@briefings.example");
      const first = await catcher.waitFor((mail) => mail.to === "first@example.org");
      expect(first.text).toContain(LINK);
      expect(first.html).toContain(escapeHtml(LINK));
      expect(catcher.messages.map((mail) => mail.to)).toEqual([
        "first@example.org",
        "second@example.org",
      ]);
      await mailer.close();
    });

    it("accepts credentials in the URL", async () => {
      const url = catcher.url.replace("smtp://", "smtp://user:secret@");
      const mailer = createMailer({ smtpUrl: url, from: FROM, db: database.db });
      await mailer.send({ to: "auth@example.org", subject: "With auth", text: "hello" });
      await expect(
        catcher.waitFor((mail) => mail.to === "auth@example.org"),
      ).resolves.toMatchObject({
        subject: "With auth",
      });
      await mailer.close();
    });

    it("waitFor rejects after its timeout", async () => {
      await expect(catcher.waitFor((mail) => mail.to === "nobody@example.org", 50)).rejects.toThrow(
        /No matching mail within 50 ms/,
      );
    });
  });

  it("rejects URLs that are not smtp(s)", () => {
    const db = {} as TestDatabase["db"];
    expect(() => createMailer({ smtpUrl: "http://mail.example", from: FROM, db })).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
    expect(() => createMailer({ smtpUrl: "nonsense", from: FROM, db })).toThrow(/not a valid URL/);
  });
});

describe.each(testDrivers())("outbox mailer on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function spyLogger() {
    const calls: Array<{ obj: object; msg: string }> = [];
    const logger: MailLogger = { info: (obj, msg) => calls.push({ obj, msg }) };
    return { logger, calls };
  }

  it("keeps the message in the outbox table", async () => {
    const { logger, calls } = spyLogger();
    const mailer = createMailer({ from: FROM, db: database.db, logger });
    const mail = verifyEmail({ link: LINK });
    await mailer.send({ to: "kept@example.org", ...mail });
    const rows = await database.db.select().from(outbox).where(eq(outbox.to, "kept@example.org"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      to: "kept@example.org",
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
    expect(rows[0]?.createdAt).toBeInstanceOf(Date);
    // Without logLinks nothing about the message is logged.
    expect(calls).toHaveLength(0);
    await mailer.close();
  });

  it("stores a text-only message with a null html", async () => {
    const mailer = createMailer({ from: FROM, db: database.db });
    await mailer.send({ to: "text-only@example.org", subject: "Hi", text: "Just text" });
    const [row] = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.to, "text-only@example.org"));
    expect(row).toMatchObject({ subject: "Hi", text: "Just text", html: null });
  });

  it("logs the links, and not the body, when logLinks is on", async () => {
    const { logger, calls } = spyLogger();
    const mailer = createMailer({ from: FROM, db: database.db, logger, logLinks: true });
    const mail = accountExists({
      signInLink: "https://briefings.example/sign-in",
      resetLink: "https://briefings.example/forgot-password",
    });
    await mailer.send({ to: "dev@example.org", ...mail });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.obj).toEqual({
      to: "dev@example.org",
      subject: mail.subject,
      links: ["https://briefings.example/sign-in", "https://briefings.example/forgot-password"],
    });
    expect(JSON.stringify(calls)).not.toContain("Someone tried");
  });
});
