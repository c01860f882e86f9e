// The benchmark's dataset: a database of its own filled with generated profiles and articles.
// See the header of scripts/bench.ts for how PGlite and Postgres targets are prepared.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { slugify } from "../../packages/core/src/index.ts";
import { type DatabaseHandle, type Db, openDatabase } from "../../packages/db/src/client.ts";
import { migrationsFolder } from "../../packages/db/src/paths.ts";
import { encodeCursor } from "../../packages/db/src/queries/cursor.ts";
import {
  type ArticleInput,
  type ProfileInput,
  saveArticles,
  saveProfiles,
} from "../../packages/db/src/queries/save-content.ts";
import {
  generateDemoArticles,
  generateDemoProfiles,
} from "../../packages/db/src/seed/demo-content.ts";
import { seedDemoContent } from "../../packages/db/src/seed/index.ts";
import { BenchError } from "./errors.ts";

/** Where the dataset lives: a PGlite folder, or a Postgres database named by URL. */
export type Target = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export type DatasetOptions = {
  target: Target;
  profiles: number;
  articles: number;
  /** Reuse the dataset already there when its counts match. */
  keep: boolean;
  signal: AbortSignal;
};

export type Dataset = {
  profiles: number;
  articles: number;
  /** Milliseconds spent generating, or null when an existing dataset was reused. */
  generationMs: number | null;
  /** Milliseconds the final ANALYZE took. */
  analyzeMs: number;
  /** pg_database_size of the benchmark database. */
  databaseBytes: number;
  /** Size of the PGlite folder on disk (WAL included); null for Postgres. */
  diskBytes: number | null;
  /** A generated profile from the middle of the dataset. */
  profileSlug: string;
  /** A generated article from the middle of the dataset. */
  articleSlug: string;
  /** The directory's `after` cursor halfway down the default (newest first) order. */
  middleCursor: string;
};

/**
 * Items per saveProfiles/saveArticles call. Each call is one transaction holding every
 * item and its child rows in memory (and, for PGlite, in the WASM heap), so it stays small.
 */
const BATCH_SIZE = 1000;

// Each batch is generated with its own seed (base + index of its first item), so the
// dataset is the same on every run and a batch never needs the ones before it.
const PROFILE_SEED_BASE = 1_000_000;
const ARTICLE_SEED_BASE = 2_000_000;

export async function prepareDataset(options: DatasetOptions): Promise<Dataset> {
  const { target, signal } = options;
  if (target.kind === "postgres") assertBenchDatabase(target.url);

  if (options.keep) {
    const reused = await tryReuse(options);
    if (reused) return reused;
  }

  await clearTarget(target);
  signal.throwIfAborted();
  const handle = await open(target);
  try {
    const started = performance.now();
    await handle.migrate();
    // Tiers plus the real seed profile and article; the generated content follows.
    await seedDemoContent(handle.db, { demoProfiles: 0, demoArticles: 0 });
    const profileSlugs = await generateProfiles(handle.db, options.profiles, signal);
    await generateArticles(handle.db, options.articles, profileSlugs, signal);
    const generationMs = performance.now() - started;
    const analyzeMs = await analyze(handle);
    return await summarise(handle, options, generationMs, analyzeMs);
  } finally {
    await handle.close();
  }
}

/**
 * The Postgres target is emptied before every generation, so only a database meant for
 * this is accepted: a typo'd URL must never wipe a real one.
 */
function assertBenchDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/bench/i.test(name)) {
    throw new BenchError(
      `--database-url names the database "${name || "(default)"}". The benchmark empties its target ` +
        'database, so it only runs on one whose name contains "bench" (e.g. createdb briefings_bench).',
    );
  }
}

function open(target: Target): Promise<DatabaseHandle> {
  return target.kind === "pglite"
    ? openDatabase({ dataDir: target.dataDir })
    : openDatabase({ url: target.url, maxConnections: 2 });
}

async function tryReuse(options: DatasetOptions): Promise<Dataset | null> {
  const { target } = options;
  if (target.kind === "pglite" && !existsSync(target.dataDir)) return null;
  const handle = await open(target);
  try {
    const counts = await countDemoContent(handle.db);
    if (counts?.profiles !== options.profiles || counts.articles !== options.articles) {
      const found = counts
        ? `${counts.profiles} profiles and ${counts.articles} articles`
        : "no dataset";
      console.error(
        `--keep: found ${found}, not the ${options.profiles}/${options.articles} asked for; regenerating.`,
      );
      return null;
    }
    if (!(await migrationsStillMatch(handle.db))) {
      console.error(
        "--keep: a migration this dataset was made with has been edited since; regenerating.",
      );
      return null;
    }
    // Migrations added since the dataset was made are applied as usual.
    await handle.migrate();
    console.error(`--keep: reusing the dataset at ${handle.location}.`);
    const analyzeMs = await analyze(handle);
    return await summarise(handle, options, null, analyzeMs);
  } finally {
    await handle.close();
  }
}

/**
 * Whether every migration applied to the database is still the file it was. Drizzle
 * records each applied migration's sha256 and only ever applies newer ones, so a
 * migration edited in place would leave a reused dataset on the old schema, or fail.
 */
async function migrationsStillMatch(db: Db): Promise<boolean> {
  const folder = migrationsFolder();
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  // The same digest drizzle-orm's readMigrationFiles computes.
  const expected = journal.entries.map((entry) =>
    createHash("sha256")
      .update(readFileSync(path.join(folder, `${entry.tag}.sql`), "utf8"))
      .digest("hex"),
  );
  const applied = await queryAll<{ hash: string }>(
    db,
    "SELECT hash FROM drizzle.__drizzle_migrations ORDER BY created_at",
  ).catch(() => []);
  return applied.length > 0 && applied.every((row, i) => row.hash === expected[i]);
}

/**
 * Planner statistics for the full dataset. seedDemoContent ends with an ANALYZE (PGlite
 * has no autovacuum), but here it runs before the bulk load, so its statistics describe
 * one-row tables, and plans made from them are worse than plans made from none: the
 * profile page dropped from ~70 to ~2.5 requests/s with them. The portal's own seed
 * analyses after loading everything, so the dataset is analysed again at the end, and on
 * reuse too (a second or two) so that every run starts from the same statistics. On
 * Postgres this also stands in for autovacuum, which would otherwise get to the new rows
 * at some point during the run.
 */
async function analyze(handle: DatabaseHandle): Promise<number> {
  const started = performance.now();
  await handle.db.execute("ANALYZE");
  const ms = performance.now() - started;
  console.error(`ANALYZE took ${(ms / 1000).toFixed(1)} s.`);
  return ms;
}

/** Demo item counts, or null when the database holds no (complete) schema. */
async function countDemoContent(db: Db): Promise<{ profiles: number; articles: number } | null> {
  try {
    const row = await queryOne<{ profiles: number; articles: number; tiers: number }>(
      db,
      `SELECT (SELECT count(*) FROM profiles WHERE is_demo)::int AS profiles,
              (SELECT count(*) FROM articles WHERE is_demo)::int AS articles,
              (SELECT count(*) FROM tiers)::int AS tiers`,
    );
    // Without tiers the seed step never finished: not a dataset to reuse.
    return row && row.tiers > 0 ? { profiles: row.profiles, articles: row.articles } : null;
  } catch {
    return null;
  }
}

async function clearTarget(target: Target): Promise<void> {
  if (target.kind === "pglite") {
    if (!existsSync(target.dataDir)) return;
    // Opening takes the folder's lock, so a folder another process has open (another
    // benchmark, or a server still running on it) fails here instead of being deleted under it.
    await (await openDatabase({ dataDir: target.dataDir })).close();
    rmSync(target.dataDir, { recursive: true, force: true });
    return;
  }
  const handle = await open(target);
  try {
    // Drizzle keeps its migration journal in the "drizzle" schema: drop it too, so the
    // migrations run again on the empty public schema.
    await handle.db.execute("DROP SCHEMA IF EXISTS drizzle CASCADE");
    await handle.db.execute("DROP SCHEMA IF EXISTS public CASCADE");
    await handle.db.execute("CREATE SCHEMA public");
  } finally {
    await handle.close();
  }
}

async function generateProfiles(db: Db, total: number, signal: AbortSignal): Promise<string[]> {
  const progress = new Progress("profiles", total);
  const slugs: string[] = [];
  for (let first = 1; first <= total; first += BATCH_SIZE) {
    await yieldToEventLoop(signal);
    const batch = profileBatch(first, Math.min(BATCH_SIZE, total - first + 1));
    await saveProfiles(db, batch);
    for (const item of batch) slugs.push(item.profile.slug);
    progress.update(slugs.length);
  }
  progress.done();
  return slugs;
}

async function generateArticles(
  db: Db,
  total: number,
  profileSlugs: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const progress = new Progress("articles", total);
  let saved = 0;
  for (let first = 1; first <= total; first += BATCH_SIZE) {
    await yieldToEventLoop(signal);
    const batch = articleBatch(first, Math.min(BATCH_SIZE, total - first + 1), profileSlugs);
    await saveArticles(db, batch);
    saved += batch.length;
    progress.update(saved);
  }
  progress.done();
}

/**
 * PGlite runs in this thread and its promises settle as microtasks, so a loop of saves
 * never lets the event loop turn: without this, Ctrl-C would only be seen once the whole
 * dataset is written.
 */
async function yieldToEventLoop(signal: AbortSignal): Promise<void> {
  await nextTurn();
  signal.throwIfAborted();
}

/**
 * Profiles number `first` to `first + count - 1`. The generator numbers its items from 1
 * on every call, and names (hence slugs) carry that number, so each batch is renumbered
 * to the dataset-wide index; otherwise batches would overwrite each other's slugs.
 */
export function profileBatch(first: number, count: number): ProfileInput[] {
  return generateDemoProfiles(count, PROFILE_SEED_BASE + first).map((item, i) => {
    const oldName = item.profile.name;
    const suffix = ` ${i + 1}`;
    if (!oldName.endsWith(suffix)) throw generatorChanged(`profile name "${oldName}"`);
    const newName = `${oldName.slice(0, -suffix.length)} ${first + i}`;
    const renamed = replaceInStrings(item, oldName, newName);
    return { ...renamed, profile: { ...renamed.profile, slug: slugify(newName) } };
  });
}

/** Articles number `first` onwards, renumbered like profiles: the web URL is their identity. */
export function articleBatch(
  first: number,
  count: number,
  profileSlugs: readonly string[],
): ArticleInput[] {
  return generateDemoArticles(count, profileSlugs, ARTICLE_SEED_BASE + first).map((item, i) => {
    const local = i + 1;
    const global = first + i;
    const { webUrl, title } = item.article;
    if (!webUrl.endsWith(`/demo/${local}`) || !title.startsWith(`Demo news ${local}:`)) {
      throw generatorChanged(`article "${title}" at ${webUrl}`);
    }
    let renamed = replaceInStrings(item, `Demo news ${local}:`, `Demo news ${global}:`);
    renamed = replaceInStrings(renamed, `for article ${local}.`, `for article ${global}.`);
    return {
      ...renamed,
      article: { ...renamed.article, webUrl: `${webUrl.slice(0, -String(local).length)}${global}` },
    };
  });
}

function generatorChanged(what: string): Error {
  return new BenchError(
    `The demo content generator no longer numbers items as scripts/bench/dataset.ts expects (${what}); update profileBatch/articleBatch.`,
  );
}

/** A deep copy with `from` replaced in every string; Dates and other values are kept as they are. */
function replaceInStrings<T>(value: T, from: string, to: string): T {
  if (typeof value === "string") return value.replaceAll(from, to) as T;
  if (Array.isArray(value))
    return value.map((item: unknown) => replaceInStrings(item, from, to)) as T;
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceInStrings(item, from, to)]),
    ) as T;
  }
  return value;
}

/** What the load test needs from the dataset, read once while the benchmark holds the database. */
async function summarise(
  handle: DatabaseHandle,
  options: DatasetOptions,
  generationMs: number | null,
  analyzeMs: number,
): Promise<Dataset> {
  const { db } = handle;
  const profile = await queryOne<{ slug: string }>(
    db,
    `SELECT slug FROM profiles WHERE is_demo ORDER BY slug OFFSET ${Math.floor(options.profiles / 2)} LIMIT 1`,
  );
  const article = await queryOne<{ slug: string }>(
    db,
    `SELECT slug FROM articles WHERE is_demo ORDER BY slug OFFSET ${Math.floor(options.articles / 2)} LIMIT 1`,
  );
  // The same order and cursor shape as listProfiles' default sort, so the page after this
  // row is what a reader reaches by following "next" about halfway down the directory.
  const middle = await queryOne<{ id: string; published_at: Date | string }>(
    db,
    `SELECT id, published_at FROM profiles WHERE status = 'published'
     ORDER BY published_at DESC, id DESC OFFSET ${Math.floor(options.profiles / 2)} LIMIT 1`,
  );
  const size = await queryOne<{ bytes: number }>(
    db,
    "SELECT pg_database_size(current_database())::float8 AS bytes",
  );
  if (!profile || !article || !middle || !size) {
    throw new BenchError(
      `The dataset at ${handle.location} has no generated profiles or articles.`,
    );
  }
  const publishedAt = new Date(middle.published_at);
  return {
    profiles: options.profiles,
    articles: options.articles,
    generationMs,
    analyzeMs,
    databaseBytes: size.bytes,
    diskBytes: options.target.kind === "pglite" ? folderBytes(options.target.dataDir) : null,
    profileSlug: profile.slug,
    articleSlug: article.slug,
    middleCursor: encodeCursor([publishedAt.toISOString(), middle.id]),
  };
}

/** The rows of a raw query, whichever driver ran it (PGlite answers {rows}, postgres.js an array). */
async function queryAll<T extends Record<string, unknown>>(db: Db, text: string): Promise<T[]> {
  const result: unknown = await db.execute<T>(text);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

async function queryOne<T extends Record<string, unknown>>(
  db: Db,
  text: string,
): Promise<T | undefined> {
  return (await queryAll<T>(db, text))[0];
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** A progress line on stderr: rewritten in place on a terminal, every few seconds in a log. */
class Progress {
  private readonly started = performance.now();
  private lastLogged = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(count: number): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const line = `  ${this.label}: ${count.toLocaleString("en")}/${this.total.toLocaleString("en")} (${Math.floor((100 * count) / this.total)}%), ${Math.round(rate).toLocaleString("en")}/s, ${elapsed.toFixed(1)} s`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\x1b[K`);
    } else if (count === this.total || elapsed - this.lastLogged >= 5) {
      this.lastLogged = elapsed;
      process.stderr.write(`${line}\n`);
    }
  }

  done(): void {
    if (process.stderr.isTTY) process.stderr.write("\n");
  }
}
