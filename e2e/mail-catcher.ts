/**
 * The end-to-end runs' mail server: a real SMTP server (smtp-server, as in the unit tests)
 * that the portal sends to through SMTP_URL, and a small HTTP server on which the specs
 * read what arrived: GET /messages?to=<address> → [{ to, subject, text, receivedAt }],
 * oldest first. Started by Playwright as one of its web servers.
 *
 * Usage: tsx e2e/mail-catcher.ts  (reads MAIL_CATCHER_SMTP_PORT, MAIL_CATCHER_HTTP_PORT)
 */
import { createServer } from "node:http";
import { startSmtpCatcher } from "../packages/auth/src/testing.ts";

const smtpPort = Number(process.env.MAIL_CATCHER_SMTP_PORT ?? 4325);
const httpPort = Number(process.env.MAIL_CATCHER_HTTP_PORT ?? 4326);

const catcher = await startSmtpCatcher({ port: smtpPort });

const http = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${httpPort}`);
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    return;
  }
  if (url.pathname === "/messages" && req.method === "GET") {
    const to = url.searchParams.get("to")?.toLowerCase();
    const found = catcher.messages
      .filter((m) => !to || m.envelopeTo.some((address) => address.toLowerCase() === to))
      .map(({ to: recipients, subject, text, receivedAt }) => ({
        to: recipients,
        subject,
        text,
        receivedAt,
      }));
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(found));
    return;
  }
  res.writeHead(404).end();
});
http.listen(httpPort, "127.0.0.1");

async function stop() {
  http.close();
  await catcher.close();
  process.exit(0);
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
