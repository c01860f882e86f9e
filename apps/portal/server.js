// The production server: static files, start-up (migrations, demo content) and a clean stop.
import path from "node:path";
import { fileURLToPath } from "node:url";
import compression from "compression";
import express from "express";

const here = path.dirname(fileURLToPath(import.meta.url));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

const server = await import("./build/server/index.js");
try {
  await server.startup();
} catch (error) {
  // A locked or unreachable database is an operator's problem: say it plainly, no stack.
  server.logger.fatal(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

const app = express();
app.disable("x-powered-by");
app.use(compression());
// Fingerprinted assets never change; everything else in public/ may.
app.use(
  "/assets",
  express.static(path.join(here, "build/client/assets"), { immutable: true, maxAge: "1y" }),
);
app.use(express.static(path.join(here, "build/client"), { maxAge: "1h" }));
app.use(server.app);

const listener = app.listen(port, host, () => {
  const shown = host === "0.0.0.0" ? "localhost" : host;
  server.logger.info(`Briefings is running at http://${shown}:${port}`);
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  server.logger.info({ signal }, "stopping");
  // Finish the requests in flight (for up to 10 s), then close the database.
  const drained = new Promise((resolve) => listener.close(resolve));
  listener.closeIdleConnections();
  const timeout = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([drained, timeout]);
  listener.closeAllConnections();
  await server.shutdown();
  process.exit(0);
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
