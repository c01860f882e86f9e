import pino from "pino";
import { env } from "./env.server.ts";

/** The one logger. Never log briefing bodies or request bodies. */
export const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: "portal" },
  redact: { paths: ["req.headers.cookie", "req.headers.authorization"], remove: true },
});
