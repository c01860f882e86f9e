// `npm run bench`: load-tests the portal's production server against a generated dataset.
//
//   npm run bench -- [--profiles N] [--articles N] [--duration S] [--connections N] [--keep]
//                    [--response-cache] [--database-url postgres://…/briefings_bench]
//
// 1. Dataset. Generated into a database of the benchmark's own, never the dev database:
//    - PGlite (default): the folder .data/bench-pglite at the repo root. It is deleted and
//      generated again on every run, unless --keep is given and it already holds exactly
//      the requested numbers of generated profiles and articles (counted in the database,
//      so an interrupted generation is never reused).
//    - Postgres (--database-url): the database the URL names is EMPTIED (schemas "public"
//      and "drizzle" dropped and recreated) before generating, with the same --keep rule.
//      To make that safe, the database name must contain "bench"; create one with
//      `createdb briefings_bench`. The URL's user must own the public schema.
//    Content: migrations, tiers and the two real seed items (seedDemoContent with no demo
//    items), then generated profiles and articles, 1,000 per transaction.
//    Then ANALYZE, as the portal's seed does once its content is in (PGlite has no
//    autovacuum); it runs again when a dataset is reused.
// 2. Server. apps/portal is built if apps/portal/build/server/index.js is missing (an
//    existing build is used as it is: rebuild it yourself after changing the app). Then
//    `node server.js` starts on 127.0.0.1 and a free port with NODE_ENV=production,
//    SEED_ON_EMPTY=false, LOG_LEVEL=warn (or $LOG_LEVEL) and RESPONSE_CACHE_SECONDS=0:
//    the response micro-cache would answer each benchmarked URL from memory after its first
//    request, measuring the cache instead of the page (--response-cache leaves it as
//    configured, to measure that). /healthz is awaited.
// 3. Load. For each page: one request must answer 200, then one autocannon run with
//    --connections connections, as an anonymous reader (and the profile once more as a
//    signed-in Leadership Alliance member, whose session scripts/bench/member.ts makes) (no cookie, no compression asked
//    for), on loopback: up to 3 s of warm-up, then --duration seconds measured. Pages: the
//    directory, a directory page halfway down, the news list, a profile and an article
//    (the last two from the middle of the generated data). After each page the benchmark
//    waits until the server has finished the requests autocannon left in flight, so no
//    page pays for the one before.
// 4. Memory. The server's VmRSS is read from /proc every 250 ms, VmHWM at the end.
//
// Output: progress and server logs on stderr; the results table, then one line of JSON
// on stdout. req/s, latencies and MB/s come from the responses completed in the measured
// seconds; non-2xx and "errors" (requests that got no answer, timeouts after autocannon's
// 10 s included) are counted over the warm-up too. Exit code 1 when the server fails to
// start or any page answers non-2xx or errors, 2 on bad options, 130 when interrupted.
// The server is stopped with SIGTERM (it closes its database) in every case.
//
// Every option can also come from the environment: BENCH_PROFILES, BENCH_ARTICLES,
// BENCH_DURATION, BENCH_CONNECTIONS, BENCH_KEEP=1, BENCH_RESPONSE_CACHE=1,
// BENCH_DATABASE_URL. DATABASE_URL itself is ignored: it usually names the dev database.

import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { DatabaseLockedError } from "../packages/db/src/client.ts";
import { type Dataset, prepareDataset, type Target } from "./bench/dataset.ts";
import { BenchError } from "./bench/errors.ts";
import { prepareBenchMember } from "./bench/member.ts";
import {
  type LatencySummary,
  SEARCH_QUERIES,
  searchPageLatency,
  searchQueryLatency,
} from "./bench/search-latency.ts";
import {
  ensurePortalBuild,
  httpGet,
  MemorySampler,
  type PortalServer,
  startPortal,
  waitForIdle,
} from "./bench/server.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PGLITE_DIR = path.join(ROOT, ".data", "bench-pglite");
/** Rounds over the search queries for the one-at-a-time latency figures. */
const SEARCH_ROUNDS = 25;
/** Up to this long per page, the load runs unmeasured: JIT, caches and connections settle. */
const WARMUP_SECONDS = 3;
/** What a browser asks for, minus compression: the numbers are for rendering, not gzip. */
const REQUEST_HEADERS = {
  accept: "text/html,application/xhtml+xml",
  "user-agent": "briefings-bench",
};

type Options = {
  profiles: number;
  articles: number;
  duration: number;
  connections: number;
  keep: boolean;
  responseCache: boolean;
  databaseUrl: string | undefined;
};

const USAGE = `usage: npm run bench -- [--profiles N] [--articles N] [--duration S] [--connections N]
                        [--keep] [--response-cache] [--database-url URL]
  --profiles N        generated profiles (default 10000; env BENCH_PROFILES)
  --articles N        generated articles (default 50000; env BENCH_ARTICLES)
  --duration S        seconds of load per page (default 10; env BENCH_DURATION)
  --connections N     concurrent connections (default 50; env BENCH_CONNECTIONS)
  --keep              reuse the existing dataset when its counts match (env BENCH_KEEP=1)
  --response-cache    leave the server's response micro-cache on (env BENCH_RESPONSE_CACHE=1);
                      by default it is turned off, so that pages are rendered on every request
  --database-url URL  bench on this Postgres database, which is emptied first; its name must
                      contain "bench" (env BENCH_DATABASE_URL; default: PGlite in .data/bench-pglite)`;

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      profiles: { type: "string" },
      articles: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      keep: { type: "boolean" },
      "response-cache": { type: "boolean" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const databaseUrl = values["database-url"] ?? (env.BENCH_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError("--database-url must start with postgres:// or postgresql://");
  }
  return {
    profiles: positiveInt("--profiles", values.profiles ?? env.BENCH_PROFILES, 10_000),
    articles: positiveInt("--articles", values.articles ?? env.BENCH_ARTICLES, 50_000),
    duration: positiveInt("--duration", values.duration ?? env.BENCH_DURATION, 10),
    connections: positiveInt("--connections", values.connections ?? env.BENCH_CONNECTIONS, 50),
    keep: values.keep ?? ["1", "true"].includes(env.BENCH_KEEP ?? ""),
    responseCache:
      values["response-cache"] ?? ["1", "true"].includes(env.BENCH_RESPONSE_CACHE ?? ""),
    databaseUrl,
  };
}

class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${name} must be a whole number of at least 1, got "${raw}"`);
  }
  return value;
}

/** A page to load; `cookie` makes the requests a signed-in member's. */
type Page = { name: string; path: string; cookie?: string };

type PageResult = Page & {
  status: number;
  pageBytes: number;
  /** Responses completed in the measured window, and per second of it. */
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  throughputMBps: number;
  /** Over the whole load, warm-up included: a failure there is a failure all the same. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Failed requests by error code (or message). */
  errorKinds: Record<string, number>;
  peakRssBytes: number | null;
};

function pagesOf(dataset: Dataset, memberCookie: string): Page[] {
  return [
    { name: "directory", path: "/profiles" },
    { name: "directory, middle page", path: `/profiles?after=${dataset.middleCursor}` },
    { name: "news list", path: "/news" },
    { name: "profile", path: `/profiles/${dataset.profileSlug}` },
    // The same profile as a signed-in Leadership Alliance member: session check,
    // entitlements and every briefing unlocked, never cached.
    {
      name: "profile, LA member",
      path: `/profiles/${dataset.profileSlug}`,
      cookie: memberCookie,
    },
    { name: "article", path: `/news/${dataset.articleSlug}` },
    { name: "search, two words", path: "/search?q=subsea+cables" },
    { name: "topic page", path: "/topics/routing-security" },
  ];
}

type Measurement = Pick<
  PageResult,
  | "requests"
  | "requestsPerSecond"
  | "latencyP50Ms"
  | "latencyP99Ms"
  | "throughputMBps"
  | "non2xx"
  | "errors"
  | "timeouts"
  | "errorKinds"
>;

/**
 * One autocannon run of warm-up + measured seconds, measured from its own events rather
 * than its summary. autocannon opens every connection at once, and in that first wave
 * some requests wait seconds while the others cycle (seen most right after start-up);
 * in a separate measured run they made the whole p99, and the ones still waiting when it
 * ended were not counted at all. So: throughput counts the responses completed in the
 * measured seconds, latency the requests sent in them (and answered before the end).
 * Stopped early (with what it has) when the benchmark is interrupted.
 */
async function load(
  url: string,
  options: {
    connections: number;
    warmupSeconds: number;
    seconds: number;
    headers: Record<string, string>;
  },
  signal: AbortSignal,
): Promise<Measurement> {
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.warmupSeconds + options.seconds,
    headers: options.headers,
  });
  const windowStart = performance.now() + options.warmupSeconds * 1000;
  const latencies: number[] = [];
  let completed = 0;
  let bytes = 0;
  instance.on("response", (_client, _status, responseBytes, responseTimeMs) => {
    const now = performance.now();
    if (now < windowStart) return;
    completed += 1;
    bytes += responseBytes;
    if (now - responseTimeMs >= windowStart) latencies.push(responseTimeMs);
  });
  // autocannon only counts failed requests; their kinds say whether the server was slow
  // (timeouts) or dropped connections (resets).
  const errorKinds: Record<string, number> = {};
  instance.on("reqError", (error) => {
    const kind = (error as NodeJS.ErrnoException).code ?? error.message;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
  const stop = () => instance.stop();
  signal.addEventListener("abort", stop, { once: true });
  let result: Result;
  try {
    result = await instance;
  } finally {
    signal.removeEventListener("abort", stop);
  }
  const measuredSeconds = Math.max(0.001, (performance.now() - windowStart) / 1000);
  const sorted = Float64Array.from(latencies).sort();
  // Nearest-rank percentile, in whole milliseconds like autocannon's own.
  const percentile = (p: number) =>
    sorted.length === 0 ? 0 : Math.round(sorted[Math.ceil((p / 100) * sorted.length) - 1] ?? 0);
  return {
    requests: completed,
    requestsPerSecond: round(completed / measuredSeconds, 1),
    latencyP50Ms: percentile(50),
    latencyP99Ms: percentile(99),
    throughputMBps: round(bytes / measuredSeconds / 1e6, 2),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    errorKinds,
  };
}

async function benchPage(
  server: PortalServer,
  page: Page,
  options: Options,
  memory: MemorySampler,
  signal: AbortSignal,
): Promise<PageResult> {
  const url = `${server.baseUrl}${page.path}`;
  const headers: Record<string, string> = page.cookie
    ? { ...REQUEST_HEADERS, cookie: page.cookie }
    : REQUEST_HEADERS;
  // A page that does not answer 200 would only measure the error page.
  const sample = await httpGet(url, { headers, signal, timeoutMs: 60_000 });
  if (sample.status !== 200) {
    throw new BenchError(
      `${page.name} (${page.path}) answered ${sample.status}, not 200; not load-testing it.`,
    );
  }
  // A second request would be a hit if a response cache were still in front of the page.
  const again = await httpGet(url, { headers, signal, timeoutMs: 60_000 });
  if (page.cookie && !/no-store/.test(String(again.headers["cache-control"] ?? ""))) {
    throw new BenchError(`${page.name} is not private to the member; not load-testing it.`);
  }
  if (!options.responseCache && again.headers["x-cache"] === "HIT") {
    console.error(
      `    warning: ${page.name} is served from a response cache; the figures are the cache's.`,
    );
  }
  const warmupSeconds = Math.min(WARMUP_SECONDS, options.duration);
  console.error(`  ${page.name}: ${warmupSeconds} s warm-up, then ${options.duration} s measured…`);
  await memory.section(); // start this page's peak afresh
  const measurement = await load(
    url,
    { connections: options.connections, warmupSeconds, seconds: options.duration, headers },
    signal,
  );
  const peakRssBytes = await memory.section();
  const drainMs = await waitForIdle(server, signal);
  signal.throwIfAborted();
  if (drainMs > 2_000) {
    console.error(
      `    the server needed ${(drainMs / 1000).toFixed(1)} s more to finish the requests left in flight`,
    );
  }
  return { ...page, status: sample.status, pageBytes: sample.bytes, ...measurement, peakRssBytes };
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

const mb = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1e6).toFixed(1)} MB`);
const int = (value: number) => Math.round(value).toLocaleString("en");

function printTable(results: PageResult[]): void {
  const header = [
    "page",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "errors",
    "MB/s",
    "KB/page",
    "peak RSS",
  ];
  const rows = results.map((r) => [
    r.name,
    r.requestsPerSecond.toFixed(1),
    String(r.latencyP50Ms),
    String(r.latencyP99Ms),
    int(r.non2xx),
    int(r.errors),
    r.throughputMBps.toFixed(2),
    (r.pageBytes / 1e3).toFixed(1),
    mb(r.peakRssBytes),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

async function main(signal: AbortSignal): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const target: Target = options.databaseUrl
    ? { kind: "postgres", url: options.databaseUrl }
    : { kind: "pglite", dataDir: PGLITE_DIR };

  console.error(
    `Dataset: ${int(options.profiles)} profiles, ${int(options.articles)} articles in ${target.kind === "pglite" ? path.relative(ROOT, PGLITE_DIR) : "Postgres"}…`,
  );
  const dataset = await prepareDataset({ ...options, target, signal });
  if (dataset.generationMs !== null) {
    console.error(`Generated the dataset in ${(dataset.generationMs / 1000).toFixed(1)} s.`);
  }

  const memberCookie = await prepareBenchMember(target);
  await ensurePortalBuild(ROOT);
  signal.throwIfAborted();
  // Server, load generator and database share the machine's CPUs: a busy machine skews
  // every figure, so its load is printed with them.
  const loadBefore = os.loadavg()[0] ?? 0;
  const server = await startPortal(ROOT, target, { responseCache: options.responseCache }, signal);
  console.error(
    `Server ${server.pid} ready at ${server.baseUrl}; ${options.connections} connections.`,
  );
  const memory = new MemorySampler(server.pid);
  const results: PageResult[] = [];
  let memoryTotals: { peakRss: number | null; hwm: number | null };
  let idleRss: number | null = null;
  let searchPage: LatencySummary | null = null;
  try {
    memory.start();
    idleRss = await memory.section();
    // The member row measures what it says only if the member is admitted to every gate.
    const memberPage = await fetch(`${server.baseUrl}/profiles/${dataset.profileSlug}`, {
      headers: { Cookie: memberCookie },
    });
    if (!memberPage.ok || (await memberPage.text()).includes('data-briefing-state="locked"'))
      throw new Error(
        "the benchmark's Leadership Alliance member is not admitted to every briefing",
      );
    for (const page of pagesOf(dataset, memberCookie)) {
      results.push(await benchPage(server, page, options, memory, signal));
    }
    console.error(
      `  search latency: ${SEARCH_ROUNDS} × ${SEARCH_QUERIES.length} queries, one at a time…`,
    );
    searchPage = await searchPageLatency(server.baseUrl, SEARCH_ROUNDS, signal);
  } finally {
    // Read before stopping: VmHWM vanishes with the process.
    memoryTotals = await memory.stop();
    await server.stop();
  }
  const searchQuery = await searchQueryLatency(target, SEARCH_ROUNDS, signal);

  const loadAfter = os.loadavg()[0] ?? 0;
  const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);
  console.log("");
  console.log(
    `Portal on ${target.kind}, ${int(options.profiles)} profiles, ${int(options.articles)} articles; ` +
      `${options.connections} connections, ${options.duration} s per page; anonymous reader (except the LA member row), no compression, ` +
      `response cache ${options.responseCache ? "as configured" : "off"}.`,
  );
  console.log("");
  printTable(results);
  console.log("");
  console.log(
    `Server RSS: ${mb(idleRss)} after start-up, peak ${mb(memoryTotals.peakRss)} sampled, ` +
      `${mb(memoryTotals.hwm)} VmHWM.`,
  );
  console.log(
    `Dataset: ${mb(dataset.databaseBytes)} (pg_database_size)` +
      (dataset.diskBytes === null ? "" : `, ${mb(dataset.diskBytes)} on disk`) +
      (dataset.generationMs === null
        ? ", reused (--keep)"
        : `, generated in ${(dataset.generationMs / 1000).toFixed(1)} s`) +
      `; ANALYZE ${(dataset.analyzeMs / 1000).toFixed(1)} s.`,
  );
  console.log(
    `Machine: ${os.availableParallelism()} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before, ` +
      `${loadAfter.toFixed(2)} after.`,
  );
  const latency = (l: LatencySummary | null) =>
    l
      ? `p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (${l.samples})`
      : "n/a";
  console.log(
    `Search, two-word queries one at a time (${SEARCH_QUERIES.length} queries, 2 misspelt): ` +
      `page ${latency(searchPage)}; query alone ${latency(searchQuery)}.`,
  );
  const failed = results.filter((r) => r.non2xx + r.errors > 0); // errors include timeouts
  for (const r of failed) {
    const kinds = Object.entries(r.errorKinds).map(([kind, count]) => `${kind} ×${count}`);
    console.log(
      `FAILED ${r.name}: ${r.non2xx} non-2xx, ${r.errors} failed requests` +
        (kinds.length > 0 ? ` (${kinds.join(", ")})` : "") +
        ".",
    );
  }
  console.log(
    JSON.stringify({
      ok: failed.length === 0,
      driver: target.kind,
      profiles: options.profiles,
      articles: options.articles,
      connections: options.connections,
      durationSeconds: options.duration,
      responseCache: options.responseCache,
      generationSeconds: seconds(dataset.generationMs),
      analyzeSeconds: seconds(dataset.analyzeMs),
      databaseBytes: dataset.databaseBytes,
      diskBytes: dataset.diskBytes,
      idleRssBytes: idleRss,
      searchPageLatency: searchPage,
      searchQueryLatency: searchQuery,
      peakRssBytes: memoryTotals.peakRss,
      vmHwmBytes: memoryTotals.hwm,
      cpus: os.availableParallelism(),
      loadAverage: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
      // The member's session token stays out of the output: it says who, not the secret.
      pages: results.map(({ cookie, ...page }) => ({ ...page, signedIn: cookie !== undefined })),
    }),
  );
  return failed.length === 0 ? 0 : 1;
}

// First Ctrl-C: stop the current step and shut the server down cleanly. Second: leave now
// (the server is still sent SIGTERM on the way out).
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130);
    console.error(`\n${signal}: stopping…`);
    interrupt.abort();
  });
}

try {
  process.exitCode = await main(interrupt.signal);
} catch (error) {
  if (interrupt.signal.aborted) {
    process.exitCode = 130;
  } else if (
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    console.error(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof BenchError || error instanceof DatabaseLockedError) {
    console.error(`bench: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error("bench:", error);
    process.exitCode = 1;
  }
}
