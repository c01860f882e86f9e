import type { NextFunction, Request, Response } from "express";

const PER_RESPONSE_HEADERS = new Set([
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "x-cache",
  // Set by securityHeaders for each request before the cache runs: a hit keeps the
  // current request's (its own nonce; HSTS only if this request is secure).
  "content-security-policy",
  "strict-transport-security",
]);

type Entry = {
  status: number;
  headers: [string, string | string[]][];
  body: Buffer;
  /** The CSP nonce the stored body's scripts carry (that of the response stored). */
  nonce: string | undefined;
  expires: number;
};

export type ResponseCacheOptions = {
  /** How long a response is served from memory; 0 turns the cache off. */
  ttlMs: number;
  /** Upper bounds on stored responses and their total size (oldest dropped first). */
  maxEntries: number;
  maxTotalBytes?: number;
  /** Responses larger than this are not stored. */
  maxBodyBytes?: number;
};

/**
 * A micro-cache in front of the app for anonymous readers: identical public pages are
 * rendered once per few seconds instead of once per request.
 *
 * What keeps it from ever serving one viewer's page to another:
 * - a request carrying a cookie or an authorization header bypasses it both ways (never
 *   served from it, never stored), so any signed-in request renders fresh;
 * - a response is stored only when the app itself marked it `Cache-Control: public`
 *   (which `cacheHeaders` does for anonymous viewers only) and it sets no cookie;
 * - entries are per origin as well as per URL, so a request with a forged Host header
 *   cannot store a page rendered for that host (links, canonical URLs) for everyone.
 *
 * A stored page's inline scripts carry the CSP nonce of the response that was stored. A
 * hit answers with the current request's policy, whose nonce is fresh, and the stored
 * nonce attributes are rewritten to it: replaying the stored policy would hand every
 * reader the same nonce for the entry's lifetime, and a nonce known in advance (anyone
 * can read it from the cached page) protects nothing.
 */
export function responseCache(options: ResponseCacheOptions) {
  const {
    ttlMs,
    maxEntries,
    maxBodyBytes = 2 * 1024 * 1024,
    maxTotalBytes = 64 * 1024 * 1024,
  } = options;
  const entries = new Map<string, Entry>();
  let totalBytes = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    totalBytes -= entry.body.length;
    entries.delete(key);
  };
  const store = (key: string, entry: Entry) => {
    remove(key);
    entries.set(key, entry);
    totalBytes += entry.body.length;
    // Maps keep insertion order: the first key is the oldest.
    while (entries.size > maxEntries || totalBytes > maxTotalBytes) {
      remove(entries.keys().next().value as string);
    }
  };

  const middleware = function responseCacheMiddleware(
    req: Request,
    res: Response,
    next: NextFunction,
  ) {
    if (
      ttlMs <= 0 ||
      (req.method !== "GET" && req.method !== "HEAD") ||
      req.headers.cookie !== undefined ||
      req.headers.authorization !== undefined
    ) {
      next();
      return;
    }
    const key = `${req.protocol}://${req.host ?? ""}${cacheKey(req.originalUrl)}`;
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && hit.expires > now) {
      res.status(hit.status);
      for (const [name, value] of hit.headers) res.setHeader(name, value);
      res.setHeader("X-Cache", "HIT");
      res.end(req.method === "HEAD" ? undefined : withNonce(hit, res.locals.cspNonce));
      return;
    }
    if (hit) remove(key);
    if (req.method === "HEAD") {
      next();
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === "function") return;
      const buffer =
        typeof chunk === "string"
          ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8")
          : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size <= maxBodyBytes) chunks.push(buffer);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as Response["write"];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      const cacheControl = String(res.getHeader("cache-control") ?? "");
      if (
        res.statusCode === 200 &&
        /(^|,)\s*public\s*(,|$)/.test(cacheControl) &&
        res.getHeader("set-cookie") === undefined &&
        size <= maxBodyBytes
      ) {
        // Transport headers belong to this one response: with compression in front, the
        // stored body is the raw one, and each hit is encoded afresh for its own client.
        const headers = Object.entries(res.getHeaders())
          .filter(([name]) => !PER_RESPONSE_HEADERS.has(name))
          .map(([name, value]) => [
            name,
            Array.isArray(value) ? value : String(value),
          ]) as Entry["headers"];
        store(key, {
          status: 200,
          headers,
          body: Buffer.concat(chunks),
          nonce: res.locals.cspNonce,
          expires: Date.now() + ttlMs,
        });
      }
      return end(chunk, ...rest);
    }) as Response["end"];
    res.setHeader("X-Cache", "MISS");
    next();
  };
  /** Forgets every stored page: published content changed (a save, an import, a tier). */
  const clear = () => {
    entries.clear();
    totalBytes = 0;
  };
  return Object.assign(middleware, { clear });
}

/** A stored body with its nonce attributes rewritten to the current response's nonce. */
function withNonce(entry: Entry, nonce: string | undefined): Buffer {
  if (!entry.nonce || !nonce || entry.nonce === nonce) return entry.body;
  // latin1 maps bytes to characters one to one, so the rest of the body (UTF-8) comes
  // back byte for byte; the attribute itself is ASCII and cannot occur inside a
  // multi-byte character.
  const rewritten = entry.body
    .toString("latin1")
    .replaceAll(`nonce="${entry.nonce}"`, `nonce="${nonce}"`);
  return Buffer.from(rewritten, "latin1");
}

/** The same page whatever order its query parameters come in. */
function cacheKey(url: string): string {
  const query = url.indexOf("?");
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  params.sort();
  return `${url.slice(0, query)}?${params}`;
}
