import { createRequestHandler } from "@react-router/express";
import express from "express";
import "react-router";
import { getDatabase, shutdownDatabase } from "../app/lib/db.server.ts";
import { env } from "../app/lib/env.server.ts";
import { logger } from "../app/lib/logger.server.ts";
import { responseCache } from "./response-cache.ts";
import { securityHeaders } from "./security-headers.ts";

export { logger };

/** Opens the database, applies migrations and seeds demo content into an empty one. */
export async function startup(): Promise<void> {
  await getDatabase();
}

export async function shutdown(): Promise<void> {
  await shutdownDatabase();
}

export const app = express();
app.use(securityHeaders);
app.use(responseCache({ ttlMs: env.RESPONSE_CACHE_SECONDS * 1000, maxEntries: 2000 }));
app.use(
  createRequestHandler({
    build: () => import("virtual:react-router/server-build"),
  }),
);
