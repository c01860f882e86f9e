import type { NextFunction, Request, Response } from "express";
import { isbot } from "isbot";

/**
 * Page views of profiles, counted without anything about who read: no account, no
 * address, no cookie, not even the time beyond the day. Each finished `GET /profiles/<slug>`
 * (the document, or its route data `.data` on a client-side navigation) that answered 200
 * adds one to that slug's count for the day in memory; every few seconds the counts are
 * written in one batch (`recordProfileViews`), which keeps published profiles only.
 *
 * Mounted in front of the anonymous micro-cache, so a page served from the cache counts
 * like one rendered afresh. Not counted: other methods, other statuses (404, redirects),
 * crawlers (isbot, or no User-Agent at all) and prefetches (a link's data fetched before
 * anyone chose to open it).
 */

/** `/profiles/<slug>` or `/profiles/<slug>.data`; the slug as the profile route takes it. */
const PROFILE_PATH = /^\/profiles\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.data)?$/;
const MAX_SLUG_LENGTH = 200;

export type RecordViews = (counts: Map<string, number>, day: string) => Promise<unknown>;

export type ViewCounterOptions = {
  /** Writes one day's counts (slug → views). */
  record: RecordViews;
  /** How often the counts are written; 0: only by `flush()`. */
  intervalMs?: number;
  /**
   * Distinct slugs kept per day between writes. Only 200 answers count, so only real
   * profiles' slugs get here; the bound is a backstop, not a policy.
   */
  maxSlugs?: number;
  /** The clock (tests pass their own). */
  now?: () => Date;
  /** Told when a write fails; its counts are kept for the next one. */
  onError?: (error: unknown) => void;
};

export type ViewCounter = {
  middleware: (req: Request, res: Response, next: NextFunction) => void;
  /** Adds one view of `slug` today. */
  count(slug: string): void;
  /** Counts not written yet: day → slug → views. */
  pending(): Map<string, Map<string, number>>;
  /** Writes every pending count now (one batch per day). */
  flush(): Promise<void>;
  /** Starts the periodic writes. */
  start(): void;
  /** Stops them and writes what is left (at shutdown, before the database closes). */
  stop(): Promise<void>;
};

/** The slug of a profile page's path, or null. */
export function profileSlugOf(path: string): string | null {
  const match = PROFILE_PATH.exec(path);
  const slug = match?.[1];
  return slug && slug.length <= MAX_SLUG_LENGTH ? slug : null;
}

/** Whether a request is a reader's: a browser (not a crawler) opening the page. */
function isReader(req: Request): boolean {
  const userAgent = req.get("user-agent");
  if (!userAgent || isbot(userAgent)) return false;
  // Chrome sends Sec-Purpose, older browsers Purpose, with a prefetch.
  const purpose = `${req.get("sec-purpose") ?? ""} ${req.get("purpose") ?? ""}`;
  return !/prefetch|prerender/i.test(purpose);
}

export function createViewCounter(options: ViewCounterOptions): ViewCounter {
  const { record, intervalMs = 10_000, maxSlugs = 10_000, now = () => new Date() } = options;
  let days = new Map<string, Map<string, number>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const add = (day: string, slug: string, views: number) => {
    let counts = days.get(day);
    if (!counts) {
      counts = new Map();
      days.set(day, counts);
    }
    const current = counts.get(slug);
    if (current === undefined && counts.size >= maxSlugs) return;
    counts.set(slug, (current ?? 0) + views);
  };

  const count = (slug: string) => add(now().toISOString().slice(0, 10), slug, 1);

  const writeAll = async () => {
    const batch = days;
    days = new Map();
    for (const [day, counts] of batch) {
      try {
        await record(counts, day);
      } catch (error) {
        // Kept for the next write: a database that is briefly away loses no views.
        for (const [slug, views] of counts) add(day, slug, views);
        options.onError?.(error);
      }
    }
  };

  // Writes run one after another, so a slow one is never overtaken by the next.
  const flush = () => {
    writing = writing.then(writeAll);
    return writing;
  };

  return {
    middleware(req, res, next) {
      if (req.method === "GET") {
        const slug = profileSlugOf(req.path);
        if (slug && isReader(req)) {
          res.once("finish", () => {
            if (res.statusCode === 200) count(slug);
          });
        }
      }
      next();
    },
    count,
    pending: () => new Map([...days].map(([day, counts]) => [day, new Map(counts)])),
    flush,
    start() {
      if (timer || intervalMs <= 0) return;
      timer = setInterval(() => {
        void flush();
      }, intervalMs);
      // The timer alone never keeps the process running.
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
