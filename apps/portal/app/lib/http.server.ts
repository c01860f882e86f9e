import type { Viewer } from "@briefings/core";
import { InvalidCursorError } from "@briefings/db/queries";
import { data } from "react-router";
import type { z } from "zod";

/**
 * Cache policy by viewer: pages for anonymous readers may be cached publicly for a
 * short time; anything that depends on who is signed in is private and not stored.
 */
export function cacheHeaders(viewer: Viewer): HeadersInit {
  return viewer.kind === "anonymous"
    ? { "Cache-Control": "public, max-age=60, stale-while-revalidate=300", Vary: "Cookie" }
    : { "Cache-Control": "private, no-store", Vary: "Cookie" };
}

export function notFound(message = "Not found"): never {
  throw data({ message }, { status: 404 });
}

export function badRequest(message: string): never {
  throw data({ message }, { status: 400 });
}

/**
 * Parses a URL's query string with a schema, answering 400 with the field at fault.
 * Empty values are dropped first: a GET form submits its "Any" choices as `name=`.
 */
export function parseSearchParams<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
  const present = [...url.searchParams].filter(([, value]) => value !== "");
  const result = schema.safeParse(Object.fromEntries(present));
  if (!result.success) {
    const issue = result.error.issues[0];
    badRequest(`Invalid "${issue?.path.join(".") || "query"}": ${issue?.message ?? "bad value"}`);
  }
  return result.data;
}

/** Runs a query, turning a tampered page cursor into a 400 rather than a 500. */
export async function withCursor<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidCursorError) badRequest(error.message);
    throw error;
  }
}
