/**
 * Imports a folder of article files into the portal's database.
 *
 *   npm run import -- <folder> [--dry-run] [--json]
 *
 * Every *.md file under the folder (recursively; hidden files and folders skipped) is
 * checked and written in a transaction of its own, upserted by webUrl (decision 017).
 * The report lists each file as imported, updated, unchanged or rejected (with the file,
 * line and field of every problem), then the totals. --dry-run reports the same and
 * writes nothing; --json prints the report as JSON instead. A progress bar is drawn on
 * stderr when it is a terminal.
 *
 * Uses the same database as the portal (DATABASE_URL, else PGLITE_DIR or .data/pglite),
 * migrating it first. The embedded database admits one process: stop the portal first.
 * ARTICLE_SEAL_KEY, when set, decrypts `secured` premium text.
 *
 * A relative folder is taken from the directory npm was run in (run it from the
 * repository root; npm's nested workspace call forgets a deeper one).
 *
 * Exit code: 0 when every file was imported, updated or unchanged; 1 when a file was
 * rejected or the import could not run; 2 on bad usage (arguments, folder, key).
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { closeOnSignals, DatabaseLockedError, openDatabaseFromEnv } from "../client.ts";
import { type ImportReport, importArticleFiles } from "../import/articles.ts";
import { auditImportWrites } from "../import/audit.ts";
import { listArticleFiles, readArticleFiles } from "../import/folder.ts";
import { readSealKey, SealKeyError } from "../import/seal.ts";

const USAGE = `usage: npm run import -- <folder> [--dry-run] [--json]
  <folder>    every *.md file in it and its subfolders is imported
  --dry-run   check every file and report what would happen; nothing is written
  --json      print the report as JSON on stdout
settings: DATABASE_URL or PGLITE_DIR (the portal's database: stop the portal first when it
          is the embedded one), ARTICLE_SEAL_KEY (decrypts "secured" premium text)`;

class UsageError extends Error {}

type Options = { folder: string; dryRun: boolean; json: boolean };

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "name the folder to import"
        : `one folder at a time, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const base = process.env.INIT_CWD || process.cwd();
  return {
    folder: path.resolve(base, positionals[0] as string),
    dryRun: values["dry-run"] ?? false,
    json: values.json ?? false,
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const info = await stat(options.folder).catch(() => null);
  if (!info) throw new UsageError(`${options.folder} does not exist`);
  if (!info.isDirectory()) throw new UsageError(`${options.folder} is not a folder`);
  let sealKey: Buffer | null;
  try {
    sealKey = readSealKey();
  } catch (error) {
    if (error instanceof SealKeyError) throw new UsageError(error.message);
    throw error;
  }

  const paths = await listArticleFiles(options.folder);
  if (paths.length === 0) {
    if (options.json) console.log(JSON.stringify(emptyReport(options.dryRun)));
    else console.log(`No *.md files in ${options.folder}: nothing to import.`);
    return 0;
  }

  const handle = await openDatabaseFromEnv();
  closeOnSignals(handle);
  try {
    await handle.migrate();
    const bar = process.stderr.isTTY ? new ProgressBar() : null;
    const started = performance.now();
    const report = await importArticleFiles(handle.db, readArticleFiles(options.folder, paths), {
      dryRun: options.dryRun,
      sealKey,
      total: paths.length,
      // PGlite has one connection; Postgres overlaps the commits of a few files.
      concurrency: handle.driver === "postgres" ? 4 : 1,
      onProgress: (done, total) => bar?.update(done, total ?? paths.length),
      // Every written file is an editorial action: recorded in the audit log, in the file's
      // own transaction (a dry run rolls both back).
      onWrite: auditImportWrites(IMPORT_ACTOR),
    });
    bar?.clear();
    const seconds = (performance.now() - started) / 1000;
    if (options.json) {
      console.log(JSON.stringify({ ...report, seconds: Math.round(seconds * 100) / 100 }));
    } else {
      process.stdout.write(
        formatReport(report, { seconds, sealKey: sealKey !== null, location: handle.location }),
      );
    }
    return report.totals.rejected > 0 ? 1 : 0;
  } finally {
    await handle.close();
  }
}

const IMPORT_ACTOR = { id: null, name: "cli (npm run import)" };

function emptyReport(dryRun: boolean): ImportReport {
  return {
    dryRun,
    files: [],
    totals: { files: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0 },
  };
}

const count = (n: number) => n.toLocaleString("en");

function formatReport(
  report: ImportReport,
  context: { seconds: number; sealKey: boolean; location: string },
): string {
  const lines: string[] = [];
  for (const file of report.files) {
    const outcome = file.outcome.padEnd(9);
    if (file.outcome === "rejected") {
      lines.push(`${outcome}  ${file.file}`);
      for (const issue of file.issues ?? []) lines.push(`    ${issue}`);
    } else {
      const what = file.outcome === "updated" ? ` (${(file.changes ?? []).join(", ")})` : "";
      lines.push(`${outcome}  ${file.file} → ${file.slug}${what}`);
    }
    for (const warning of file.warnings ?? []) lines.push(`    warning: ${warning}`);
  }
  const { totals } = report;
  const rate = context.seconds > 0 ? Math.round(totals.files / context.seconds) : totals.files;
  lines.push(
    "",
    `${count(totals.files)} files: ${count(totals.imported)} imported, ${count(totals.updated)} updated, ` +
      `${count(totals.unchanged)} unchanged, ${count(totals.rejected)} rejected ` +
      `(${context.seconds.toFixed(1)} s, ${count(rate)} files/s; ${context.location}).`,
  );
  const sealed = report.files.filter((file) => file.premiumText === "sealed").length;
  if (sealed > 0 && !context.sealKey) {
    lines.push(
      `${count(sealed)} of them carry premium text that stays sealed: ARTICLE_SEAL_KEY is not set.`,
    );
  }
  if (report.dryRun) lines.push("Dry run: nothing was written.");
  return `${lines.join("\n")}\n`;
}

/** `[████████░░░░] 4,210/10,000 42% 1,234 files/s` on one line of stderr, at most 10 times a second. */
class ProgressBar {
  private readonly started = performance.now();
  private drawn = 0;

  update(done: number, total: number): void {
    const now = performance.now();
    if (done < total && now - this.drawn < 100) return;
    this.drawn = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max((now - this.started) / 1000, 0.001);
    process.stderr.write(
      `\r[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${count(done)}/${count(total)} ` +
        `${Math.floor(ratio * 100)}% ${count(Math.round(rate))} files/s\x1b[K`,
    );
  }

  clear(): void {
    process.stderr.write("\r\x1b[K");
  }
}

/** A failure's message without the query or its parameters (premium text could be among them). */
function safeMessage(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.startsWith("Failed query:")
    ? "the database refused a query"
    : (message.split("\n")[0] ?? "");
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    console.error(`import: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof DatabaseLockedError) {
    console.error(
      `import: ${error.message}\nIf that is the portal (npm start, npm run dev), stop it, import, then start it again.`,
    );
    process.exitCode = 1;
  } else {
    console.error(`import: ${safeMessage(error)}`);
    process.exitCode = 1;
  }
}
