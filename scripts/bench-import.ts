// `npm run bench:import`: times the article importer (`npm run import`) on generated files.
//
//   npm run bench:import -- [--files N] [--malformed N] [--database-url postgres://…/<name with "bench">]
//                           [--keep-files]
//
// 1. Files. N valid article files (default 10,000) and M malformed ones (default 1% of N:
//    broken YAML, a javascript: URL and an out-of-range number, in turn) are written to a
//    new temporary folder, 1,000 per subfolder, each about as large as the seed article.
//    Every tenth valid file carries `secured` premium text sealed with a random key, which
//    the import is given, so decryption is part of the timing.
// 2. Database. One of the benchmark's own, never the dev database: a new PGlite folder
//    inside the temporary folder, or, with --database-url, the Postgres database the URL
//    names, which is EMPTIED first (schemas "public" and "drizzle" dropped), so its name
//    must contain "bench" (createdb briefings_bench). Migrated, with the default tiers.
// 3. Import. Exactly what the CLI does, reading the files from disk included: a first run
//    (every valid file imported, every malformed one rejected) and a second run over the
//    same folder (every valid file unchanged). Each is timed from listing the folder to the
//    report.
//
// Output: progress on stderr; per run the outcome counts, seconds and files per second on
// stdout, then one line of JSON. The temporary folder is deleted unless --keep-files.
// Exit code 0; 1 when an outcome is not the expected one; 2 on bad options.

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_TIERS } from "../packages/core/src/index.ts";
import { type DatabaseHandle, openDatabase } from "../packages/db/src/client.ts";
import { type ImportReport, importArticleFiles } from "../packages/db/src/import/articles.ts";
import { listArticleFiles, readArticleFiles } from "../packages/db/src/import/folder.ts";
import { sealText } from "../packages/db/src/import/seal.ts";
import { articleFileText } from "../packages/db/src/import/testing.ts";
import { saveTiers } from "../packages/db/src/queries/save-content.ts";

const USAGE = `usage: npm run bench:import -- [--files N] [--malformed N] [--database-url URL] [--keep-files]
  --files N           valid article files to generate (default 10000)
  --malformed N       malformed files besides them (default 1% of --files)
  --database-url URL  import into this Postgres database, which is emptied first; its name must
                      contain "bench" (default: a new PGlite folder in the temporary folder)
  --keep-files        keep the temporary folder (its path is printed)`;

class UsageError extends Error {}

type Options = { files: number; malformed: number; databaseUrl?: string; keepFiles: boolean };

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      files: { type: "string" },
      malformed: { type: "string" },
      "database-url": { type: "string" },
      "keep-files": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const files = wholeNumber("--files", values.files, 10_000, 1);
  const malformed = wholeNumber("--malformed", values.malformed, Math.ceil(files / 100), 0);
  const databaseUrl = values["database-url"];
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      throw new UsageError("--database-url must start with postgres:// or postgresql://");
    const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
    if (!/bench/i.test(name)) {
      throw new UsageError(
        `--database-url names the database "${name || "(default)"}". The benchmark empties it, so ` +
          'it only runs on one whose name contains "bench" (e.g. createdb briefings_bench).',
      );
    }
  }
  return { files, malformed, databaseUrl, keepFiles: values["keep-files"] ?? false };
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < min)
    throw new UsageError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

// ---------------------------------------------------------------------------------------

const TOPICS = Array.from({ length: 200 }, (_, i) => `Topic ${i + 1}`);
const PROVIDERS = [
  { name: "The Wire Desk", domain: "wiredesk.example" },
  { name: "Backbone Weekly", domain: "backbone.example" },
  { name: "Registry Review", domain: "registry-review.example" },
  { name: "Cloud Ledger", domain: "cloudledger.example" },
];
const PARAGRAPH =
  "Operators reported the change in their routing tables within hours, and the registry " +
  "confirmed the new allocation policy the same week. Analysts expect the effect on " +
  "peering agreements to show in the next quarter’s traffic reports.";

function validFile(i: number, key: Buffer): string {
  const provider = PROVIDERS[i % PROVIDERS.length] as (typeof PROVIDERS)[number];
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86_400_000 + (i % 24) * 3_600_000);
  return articleFileText({
    title: `Bench article ${i + 1}: routing policy changes at exchange ${i % 97}`,
    excerpt: `Generated for the import benchmark — article ${i + 1}. ${PARAGRAPH.slice(0, 120)}`,
    publishedDateTime: day.toISOString(),
    webUrl: `https://${provider.domain}/bench/${i + 1}`,
    quality: i % 101,
    heat: (i * 7) % 101,
    provider,
    topics: [0, 1, 2]
      .slice(0, 1 + (i % 3))
      .map((k) => TOPICS[(i + k * 31) % TOPICS.length] as string),
    images: [
      { url: `https://img.example/bench/${i + 1}.jpg`, width: 1200, height: 800, isCached: true },
    ],
    related: Array.from({ length: i % 3 }, (_, k) => ({
      title: `Related story ${k + 1} for ${i + 1}`,
      excerpt: PARAGRAPH,
      publishedDateTime: day.toISOString(),
      webUrl: `https://${provider.domain}/bench/related/${i + 1}-${k + 1}`,
      provider,
      quality: 20 + k,
    })),
    secured: i % 10 === 0 ? sealText(`## Premium\n\n${PARAGRAPH}\n\n${PARAGRAPH}`, key) : undefined,
    body: `## Summary\n\n${PARAGRAPH}\n\n${PARAGRAPH}\n\n## Detail\n\n${PARAGRAPH}`,
  });
}

function malformedFile(i: number, key: Buffer): string {
  const text = validFile(1_000_000 + i, key);
  switch (i % 3) {
    case 0:
      return text.replace(/^title: .*$/m, 'title: "never closed');
    case 1:
      return text.replace(/^webUrl: .*$/m, 'webUrl: "javascript:alert(1)"');
    default:
      return text.replace(/^quality: .*$/m, "quality: 250");
  }
}

function writeFiles(folder: string, options: Options, key: Buffer): void {
  const total = options.files + options.malformed;
  // Malformed files are spread evenly among the valid ones.
  const every = options.malformed > 0 ? Math.floor(total / options.malformed) : Infinity;
  let valid = 0;
  let malformed = 0;
  for (let n = 0; n < total; n++) {
    const dir = path.join(folder, `batch-${String(Math.floor(n / 1000)).padStart(3, "0")}`);
    if (n % 1000 === 0) mkdirSync(dir, { recursive: true });
    const isMalformed =
      malformed < options.malformed &&
      (n % every === every - 1 || total - n <= options.malformed - malformed);
    const name = `article-${String(n).padStart(6, "0")}.md`;
    writeFileSync(
      path.join(dir, name),
      isMalformed ? malformedFile(malformed++, key) : validFile(valid++, key),
    );
  }
}

// ---------------------------------------------------------------------------------------

async function openTarget(options: Options, folder: string): Promise<DatabaseHandle> {
  if (!options.databaseUrl) return openDatabase({ dataDir: path.join(folder, "pglite") });
  const handle = await openDatabase({ url: options.databaseUrl, maxConnections: 8 });
  await handle.db.execute("DROP SCHEMA IF EXISTS drizzle CASCADE");
  await handle.db.execute("DROP SCHEMA IF EXISTS public CASCADE");
  await handle.db.execute("CREATE SCHEMA public");
  return handle;
}

type RunResult = { report: ImportReport; seconds: number };

async function timedImport(
  handle: DatabaseHandle,
  folder: string,
  key: Buffer,
  label: string,
): Promise<RunResult> {
  const started = performance.now();
  const paths = await listArticleFiles(folder);
  let drawn = 0;
  const report = await importArticleFiles(handle.db, readArticleFiles(folder, paths), {
    sealKey: key,
    total: paths.length,
    concurrency: handle.driver === "postgres" ? 4 : 1,
    onProgress(done, total) {
      const now = performance.now();
      if (!process.stderr.isTTY || (done < (total ?? 0) && now - drawn < 200)) return;
      drawn = now;
      process.stderr.write(
        `\r  ${label}: ${done.toLocaleString("en")}/${total?.toLocaleString("en")}\x1b[K`,
      );
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  return { report, seconds: (performance.now() - started) / 1000 };
}

function describeRun(label: string, { report, seconds }: RunResult): string {
  const { totals } = report;
  return (
    `${label.padEnd(12)} ${totals.files.toLocaleString("en")} files in ${seconds.toFixed(2)} s ` +
    `(${Math.round(totals.files / seconds).toLocaleString("en")} files/s): ${totals.imported} imported, ` +
    `${totals.updated} updated, ${totals.unchanged} unchanged, ${totals.rejected} rejected`
  );
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const key = randomBytes(32);
  const root = mkdtempSync(path.join(os.tmpdir(), "briefings-bench-import-"));
  const folder = path.join(root, "articles");
  try {
    const generating = performance.now();
    writeFiles(folder, options, key);
    console.error(
      `Wrote ${options.files.toLocaleString("en")} valid and ${options.malformed} malformed files to ${folder} ` +
        `in ${((performance.now() - generating) / 1000).toFixed(1)} s.`,
    );
    const handle = await openTarget(options, root);
    try {
      await handle.migrate();
      await saveTiers(handle.db, DEFAULT_TIERS);
      console.error(`Importing into ${handle.driver} (${handle.location}).`);
      const first = await timedImport(handle, folder, key, "first run");
      const second = await timedImport(handle, folder, key, "second run");
      console.log(describeRun("first run:", first));
      console.log(describeRun("second run:", second));

      const expected = {
        first: { imported: options.files, updated: 0, unchanged: 0, rejected: options.malformed },
        second: { imported: 0, updated: 0, unchanged: options.files, rejected: options.malformed },
      };
      const { files: _a, ...firstTotals } = first.report.totals;
      const { files: _b, ...secondTotals } = second.report.totals;
      const ok =
        JSON.stringify(firstTotals) === JSON.stringify(expected.first) &&
        JSON.stringify(secondTotals) === JSON.stringify(expected.second);
      if (!ok) {
        console.log(`UNEXPECTED outcomes; wanted ${JSON.stringify(expected)}.`);
        const rejected = first.report.files.filter((file) => file.outcome === "rejected");
        for (const file of rejected.slice(0, 5)) console.log(`  ${(file.issues ?? []).join("; ")}`);
      }
      console.log(
        JSON.stringify({
          ok,
          driver: handle.driver,
          validFiles: options.files,
          malformedFiles: options.malformed,
          firstRun: { seconds: round(first.seconds), filesPerSecond: rate(first), ...firstTotals },
          secondRun: {
            seconds: round(second.seconds),
            filesPerSecond: rate(second),
            ...secondTotals,
          },
          cpus: os.availableParallelism(),
        }),
      );
      return ok ? 0 : 1;
    } finally {
      await handle.close();
    }
  } finally {
    if (options.keepFiles) console.error(`Kept ${root}.`);
    else rmSync(root, { recursive: true, force: true });
  }
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;
const rate = ({ report, seconds }: RunResult) => Math.round(report.totals.files / seconds);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    console.error(`bench:import: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error("bench:import:", error);
    process.exitCode = 1;
  }
}
