import { createRequestHandler } from "@react-router/express";
import express from "express";
import "react-router";
import { getDatabase, shutdownDatabase } from "../app/lib/db.server.ts";
import { logger } from "../app/lib/logger.server.ts";
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
app.use(
  createRequestHandler({
    build: () => import("virtual:react-router/server-build"),
  }),
);
