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
    ? { "Cache-Control": "public, max-age=60", Vary: "Cookie" }
    : { "Cache-Control": "private, no-store", Vary: "Cookie" };
}

// Error responses are never stored by anyone: they are cheap, and once pages show who
// is signed in, an error page will depend on the viewer too.
const NO_STORE = { "Cache-Control": "no-store" };

export function notFound(message = "Not found"): never {
  throw data({ message }, { status: 404, headers: NO_STORE });
}

export function badRequest(message: string): never {
  throw data({ message }, { status: 400, headers: NO_STORE });
}

/** Every route's `headers`: the loader's cache policy, or the thrown error's. */
export function routeHeaders({
  loaderHeaders,
  errorHeaders,
}: {
  loaderHeaders: Headers;
  errorHeaders?: Headers;
}): Headers {
  return errorHeaders ?? loaderHeaders;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A route's slug parameter; anything that cannot be a slug is a 404 without a query. */
export function requireSlug(value: string | undefined, what: string): string {
  if (!value || value.length > 200 || !SLUG.test(value))
    notFound(`There is no ${what} at this address.`);
  return value;
}

/**
 * Parses a URL's query string with a schema, answering 400 with the field at fault.
 * Empty values are dropped first: a GET form submits its "Any" choices as `name=`.
 */
export function parseSearchParams<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
  const present = [...url.searchParams].filter(([, value]) => value !== "");
  const nul = present.find(([, value]) => value.includes("\u0000"));
  if (nul) badRequest(`Invalid "${nul[0]}": contains a NUL character`);
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
