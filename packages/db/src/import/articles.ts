/**
 * The article importer: article files (the seed's front-matter format) in, one report
 * line per file out. Shared by `npm run import` and, later, the editor's upload.
 *
 * - Every file is checked by `parseArticleFile`; a bad one is reported with the field
 *   and line of each problem and the others carry on.
 * - Every file is written in a transaction of its own: a file that fails halfway
 *   leaves nothing behind, and never disturbs another file (decision 017).
 * - Articles are upserted by `webUrl`. A file whose article is already stored exactly
 *   as the file would write it (columns, topics, the premium-text briefing) is
 *   "unchanged" and not written at all, so importing a folder twice writes nothing.
 * - `secured` premium text becomes a `premium-text` briefing behind Strategic Circle:
 *   decrypted with the seal key when one is given, else kept sealed as the seed does.
 */
import {
  type Article,
  DEFAULT_ARTICLE_MAX_BYTES,
  formatParseIssue,
  hasControlCharacters,
  type ParseIssue,
  parseArticleFile,
  repairMojibake,
  STRATEGIC_CIRCLE,
  slugify,
} from "@briefings/core";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { articleSlug, ContentWriteError } from "../queries/save-content.ts";
import { articles, articleTopics, briefings, tiers, topics } from "../schema.ts";
import { SEAL_KEY_BYTES, SealKeyError, unsealText } from "./seal.ts";

export { auditImportWrites, importAuditEntry } from "./audit.ts";
export { parseSealKey, readSealKey, SealKeyError } from "./seal.ts";

/**
 * One file to import: its name (as reported) and its content, as text or as raw bytes
 * (UTF-8), or why it could not be read (it is then reported as rejected).
 */
export type ArticleFileInput =
  | { name: string; text: string | Uint8Array }
  | { name: string; error: string };

export type ImportOutcome = "imported" | "updated" | "unchanged" | "rejected";

/** One problem of a rejected file: the field (dotted path) and line, where they apply. */
export type ImportProblem = Omit<ParseIssue, "file">;

export type FileReport = {
  file: string;
  outcome: ImportOutcome;
  /** The article's slug (its page is /news/<slug>); absent for a rejected file. */
  slug?: string;
  /** Why the file was rejected, one line per problem: `file:line: field: message`. */
  issues?: string[];
  /** The same problems, each with its field and line apart (for a table of them). */
  problems?: ImportProblem[];
  /** Things fixed or ignored on the way (repaired characters, unknown keys). */
  warnings?: string[];
  /** For an updated file: what differed (`title`, `topics`, `secured`, …). */
  changes?: string[];
  /** Whether the file's premium text is stored readable or sealed (absent when it has none). */
  premiumText?: "decrypted" | "sealed";
};

export type ImportTotals = {
  files: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
};

export type ImportReport = { dryRun: boolean; files: FileReport[]; totals: ImportTotals };

export type ImportOptions = {
  /** Check every file and report what would happen; every write is rolled back. */
  dryRun?: boolean;
  /** ARTICLE_SEAL_KEY (see `readSealKey`): decrypts `secured`. Without it the text stays sealed. */
  sealKey?: Buffer | null;
  /** Called after each file. `total` is null when the files come from an iterable without `total`. */
  onProgress?(done: number, total: number | null): void;
  /** How many files an (async) iterable holds, for `onProgress`. */
  total?: number;
  /**
   * Files written at once, each in its own transaction. 1 on PGlite (one connection; more
   * only queue); a few help on Postgres, whose commits wait for the disk.
   */
  concurrency?: number;
  /** Largest accepted file in UTF-8 bytes; `parseArticleFile`'s default (1 MiB). */
  maxBytes?: number;
  /**
   * Called inside each written file's transaction, after its writes (e.g. to record the
   * audit entry with the change). Throwing rejects the file and undoes all of it. Also
   * called on a dry run, whose transaction is rolled back all the same.
   */
  onWrite?(tx: Db, write: ArticleWrite): Promise<void>;
  /**
   * The first file naming each webUrl (webUrl → file), for one upload imported in several
   * calls (the portal's batches): a file naming a webUrl already in it is rejected as a
   * duplicate, exactly as within one call. This call adds its own files to it.
   */
  webUrls?: Map<string, string>;
};

export type ArticleWrite = {
  file: string;
  outcome: "imported" | "updated";
  articleId: string;
  slug: string;
  webUrl: string;
  /** What differed, for an update. */
  changes: string[];
};

/** The premium-text briefing an article file's `secured` becomes: the seed's (seed/index.ts). */
const PREMIUM_TEXT = {
  kind: "premium-text",
  label: "Premium analysis",
  title: "Premium briefing on this article",
  gateKind: "tier",
  gateTier: STRATEGIC_CIRCLE,
  position: 0,
} as const;

/** A briefing body's limit in the core schema. */
const MAX_PREMIUM_TEXT = 200_000;

/** Files parsed, looked up and then written per round; the look-ups are one query each. */
const CHUNK_SIZE = 500;

type ArticleColumns = Omit<
  typeof articles.$inferInsert,
  "id" | "slug" | "webUrl" | "status" | "createdAt" | "updatedAt"
>;

/** Each stored column with the name the file gives it, for the report of what changed. */
const COLUMN_FIELDS: readonly (readonly [keyof ArticleColumns & string, string])[] = [
  ["category", "category"],
  ["title", "title"],
  ["excerpt", "excerpt"],
  ["publishedDateTime", "publishedDateTime"],
  ["type", "type"],
  ["quality", "quality"],
  ["heat", "heat"],
  ["sourcePublished", "published"],
  ["providerName", "provider.name"],
  ["providerDomain", "provider.domain"],
  ["images", "images"],
  ["related", "related"],
  ["body", "body"],
  ["isDemo", "isDemo"],
];

type PremiumRow = {
  body: string;
  sealedCiphertext: string;
  sealedIv: string;
  sealedBytes: number;
};

/** What a valid file would store. */
type Desired = {
  article: Article;
  columns: ArticleColumns;
  /** slug → name, first spelling in the file. */
  topics: Map<string, string>;
  /** The premium text, or null when the file has no `secured`. */
  premium: (PremiumRow & { decrypted: boolean }) | null;
  warnings: string[];
};

/** What is stored for one article, as loaded before its chunk is written. */
type Stored = {
  id: string;
  slug: string;
  columns: ArticleColumns;
  topics: { slug: string; publishedDateTime: Date }[];
  premium: (typeof briefings.$inferSelect)[];
};

type Prepared =
  | { kind: "rejected"; report: FileReport }
  | { kind: "valid"; file: string; desired: Desired };

class DryRunRollback extends Error {}

export async function importArticleFiles(
  db: Db,
  files: Iterable<ArticleFileInput> | AsyncIterable<ArticleFileInput>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  const total = Array.isArray(files) ? files.length : (options.total ?? null);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  if (options.sealKey && options.sealKey.length !== SEAL_KEY_BYTES)
    throw new SealKeyError(`the seal key must be ${SEAL_KEY_BYTES} bytes`);
  const run: RunState = {
    db,
    dryRun,
    sealKey: options.sealKey ?? null,
    maxBytes: options.maxBytes ?? DEFAULT_ARTICLE_MAX_BYTES,
    topicIds: new Map(),
    firstFileOfUrl: options.webUrls ?? new Map(),
    premiumTierExists: await tierExists(db, STRATEGIC_CIRCLE),
    onWrite: options.onWrite,
  };
  const reports: FileReport[] = [];
  let done = 0;
  const finished = (report: FileReport, index: number, out: FileReport[]) => {
    out[index] = report;
    done++;
    options.onProgress?.(done, total);
  };

  for await (const chunk of chunksOf(files, CHUNK_SIZE)) {
    const out: FileReport[] = new Array(chunk.length);
    const valid: { index: number; file: string; desired: Desired }[] = [];
    chunk.forEach((input, index) => {
      const prepared = prepare(input, run);
      if (prepared.kind === "rejected") finished(prepared.report, index, out);
      else valid.push({ index, file: prepared.file, desired: prepared.desired });
    });
    const stored = await loadStored(
      db,
      valid.map((item) => item.desired.article.webUrl),
    );
    await loadTopicIds(
      run,
      valid.flatMap((item) => [...item.desired.topics.keys()]),
    );
    await forEachConcurrently(valid, concurrency, async (item) => {
      const report = await writeFile(
        run,
        item.file,
        item.desired,
        stored.get(item.desired.article.webUrl),
      );
      finished(report, item.index, out);
    });
    reports.push(...out);
  }

  const totals: ImportTotals = {
    files: reports.length,
    imported: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
  };
  for (const report of reports) totals[report.outcome]++;
  return { dryRun, files: reports, totals };
}

type RunState = {
  db: Db;
  dryRun: boolean;
  sealKey: Buffer | null;
  maxBytes: number;
  /** Topic ids known to be committed: slug → id. */
  topicIds: Map<string, string>;
  /** The first file of this run naming each webUrl. */
  firstFileOfUrl: Map<string, string>;
  premiumTierExists: boolean;
  onWrite: ImportOptions["onWrite"];
};

// ---------------------------------------------------------------------------------------
// Checking a file

function prepare(input: ArticleFileInput, run: RunState): Prepared {
  const file = input.name;
  const reject = (issues: ParseIssue[]): Prepared => ({
    kind: "rejected",
    report: rejectedReport(file, issues),
  });
  const issue = (field: string | null, line: number | null, message: string): ParseIssue => ({
    file,
    field,
    line,
    message,
  });

  const decoded = decode(input, run.maxBytes);
  if (!decoded.ok) return reject([issue(null, decoded.line, decoded.message)]);
  const { text } = decoded;

  const parsed = parseArticleFile(text, file, { maxBytes: run.maxBytes });
  if (!parsed.ok) return reject(parsed.errors);
  const { article } = parsed;
  const warnings = parsed.warnings.map(formatParseIssue);

  const firstFile = run.firstFileOfUrl.get(article.webUrl);
  if (firstFile !== undefined) {
    return reject([
      issue(
        "webUrl",
        lineOfKey(text, "webUrl"),
        `${firstFile} has the same webUrl; one file per article (this one was not imported)`,
      ),
    ]);
  }
  run.firstFileOfUrl.set(article.webUrl, file);

  let premium: Desired["premium"] = null;
  if (article.secured) {
    const securedIssue = (message: string) => issue("secured", lineOfKey(text, "secured"), message);
    if (!run.premiumTierExists) {
      return reject([
        securedIssue(
          `premium text goes behind the Strategic Circle tier ("${STRATEGIC_CIRCLE}"), which this database does not have; start the portal once or run npm run db:seed to create the default tiers`,
        ),
      ]);
    }
    const [ciphertext = "", iv = ""] = article.secured.split(";");
    const sealed = {
      sealedCiphertext: ciphertext,
      sealedIv: iv,
      sealedBytes: Buffer.from(ciphertext, "base64").length,
    };
    if (run.sealKey) {
      const opened = unsealText(article.secured, run.sealKey);
      if (!opened.ok) return reject([securedIssue(opened.message)]);
      const body = repairMojibake(opened.text.replace(/\r\n?/g, "\n")).trim();
      if (body !== opened.text.replace(/\r\n?/g, "\n").trim()) {
        warnings.push(
          formatParseIssue(
            securedIssue("repaired mis-decoded characters (UTF-8 read as Windows-1252)"),
          ),
        );
      }
      if (body === "") return reject([securedIssue("decrypts to empty text")]);
      if (hasControlCharacters(body))
        return reject([
          securedIssue("the decrypted text holds control characters; it is not premium text"),
        ]);
      if (body.length > MAX_PREMIUM_TEXT)
        return reject([
          securedIssue(
            `the decrypted text is longer than ${MAX_PREMIUM_TEXT.toLocaleString("en")} characters`,
          ),
        ]);
      // The ciphertext stays beside the text it opened to: a later import without the key
      // recognises it and keeps the text instead of sealing it again (decision 017).
      premium = { body, ...sealed, decrypted: true };
    } else {
      premium = { body: "", ...sealed, decrypted: false };
    }
  }

  const topicsBySlug = new Map<string, string>();
  for (const name of article.topics) {
    const slug = slugify(name);
    if (!topicsBySlug.has(slug)) topicsBySlug.set(slug, name);
  }

  return {
    kind: "valid",
    file,
    desired: {
      article,
      columns: {
        category: article.category,
        title: article.title,
        excerpt: article.excerpt,
        publishedDateTime: article.publishedDateTime,
        type: article.type,
        quality: article.quality,
        heat: article.heat,
        sourcePublished: article.published,
        providerName: article.provider.name,
        providerDomain: article.provider.domain,
        images: article.images,
        related: article.related,
        body: article.body,
        isDemo: false,
      },
      topics: topicsBySlug,
      premium,
      warnings,
    },
  };
}

function rejectedReport(file: string, issues: ParseIssue[]): FileReport {
  return {
    file,
    outcome: "rejected",
    issues: issues.map(formatParseIssue),
    problems: issues.map(({ field, line, message }) => ({ field, line, message })),
  };
}

type Decoded = { ok: true; text: string } | { ok: false; line: number | null; message: string };

function decode(input: ArticleFileInput, maxBytes: number): Decoded {
  if ("error" in input)
    return { ok: false, line: null, message: `could not be read: ${input.error}` };
  if (typeof input.text === "string") return { ok: true, text: input.text };
  const bytes = input.text;
  // The parser checks the size of text; raw bytes are checked before decoding them.
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      line: null,
      message: `${input.name} is too large: more than ${maxBytes} bytes (limit ${formatBytes(maxBytes)})`,
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const bad = lenient.indexOf("\uFFFD");
    const line = bad === -1 ? null : lenient.slice(0, bad).split("\n").length;
    return {
      ok: false,
      line,
      message: "is not UTF-8 text (an invalid byte sequence); save the file as UTF-8",
    };
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The line of a top-level front-matter key (top-level keys start their line), or null. */
function lineOfKey(text: string, key: string): number | null {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n?|\n/);
  const pattern = new RegExp(`^(["']?)${key}\\1\\s*:`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trimEnd() === "---") return null;
    if (pattern.test(line)) return i + 1;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Reading what is stored

async function tierExists(db: Db, slug: string): Promise<boolean> {
  const rows = await db.select({ slug: tiers.slug }).from(tiers).where(eq(tiers.slug, slug));
  return rows.length > 0;
}

/** The stored articles of one chunk, with their topic links and premium-text briefings: three queries. */
async function loadStored(db: Db, webUrls: string[]): Promise<Map<string, Stored>> {
  const byUrl = new Map<string, Stored>();
  if (webUrls.length === 0) return byUrl;
  const rows = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      webUrl: articles.webUrl,
      category: articles.category,
      title: articles.title,
      excerpt: articles.excerpt,
      publishedDateTime: articles.publishedDateTime,
      type: articles.type,
      quality: articles.quality,
      heat: articles.heat,
      sourcePublished: articles.sourcePublished,
      providerName: articles.providerName,
      providerDomain: articles.providerDomain,
      images: articles.images,
      related: articles.related,
      body: articles.body,
      isDemo: articles.isDemo,
    })
    .from(articles)
    .where(inArray(articles.webUrl, webUrls));
  if (rows.length === 0) return byUrl;
  const byId = new Map<string, Stored>();
  for (const { id, slug, webUrl, ...columns } of rows) {
    const stored: Stored = { id, slug, columns, topics: [], premium: [] };
    byUrl.set(webUrl, stored);
    byId.set(id, stored);
  }
  const ids = [...byId.keys()];
  const links = await db
    .select({
      articleId: articleTopics.articleId,
      slug: topics.slug,
      publishedDateTime: articleTopics.publishedDateTime,
    })
    .from(articleTopics)
    .innerJoin(topics, eq(topics.id, articleTopics.topicId))
    .where(inArray(articleTopics.articleId, ids));
  for (const { articleId, ...link } of links) byId.get(articleId)?.topics.push(link);
  const premium = await db
    .select()
    .from(briefings)
    .where(and(inArray(briefings.articleId, ids), eq(briefings.kind, "premium-text")));
  for (const row of premium) byId.get(row.articleId as string)?.premium.push(row);
  return byUrl;
}

async function loadTopicIds(run: RunState, slugs: string[]): Promise<void> {
  const missing = [...new Set(slugs)].filter((slug) => !run.topicIds.has(slug));
  if (missing.length === 0) return;
  const rows = await run.db
    .select({ id: topics.id, slug: topics.slug })
    .from(topics)
    .where(inArray(topics.slug, missing));
  for (const row of rows) run.topicIds.set(row.slug, row.id);
}

// ---------------------------------------------------------------------------------------
// Comparing and writing

/**
 * One canonical spelling of a value as it is stored: JSON (dates as ISO strings, absent
 * optional keys dropped, as jsonb keeps them) with object keys sorted, since jsonb does
 * not keep the order they were written in.
 */
function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value ?? null))));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

type PremiumBriefing = typeof briefings.$inferInsert;

function premiumCanonical(row: Omit<PremiumBriefing, "articleId" | "profileId">): string {
  return canonical({
    kind: row.kind,
    label: row.label,
    title: row.title,
    gateKind: row.gateKind,
    gateTier: row.gateTier ?? null,
    position: row.position,
    body: row.body ?? "",
    sources: row.sources ?? [],
    sealedCiphertext: row.sealedCiphertext ?? null,
    sealedIv: row.sealedIv ?? null,
    sealedBytes: row.sealedBytes ?? null,
  });
}

/** The premium-text briefing the file would store, given what is stored now. */
function desiredPremium(desired: Desired, stored: Stored | undefined): PremiumRow | null {
  const premium = desired.premium;
  if (!premium) return null;
  if (!premium.decrypted) {
    // Without the key: text decrypted by an earlier import from this very ciphertext is kept.
    const opened = stored?.premium.find(
      (row) =>
        row.body !== "" &&
        row.sealedCiphertext === premium.sealedCiphertext &&
        row.sealedIv === premium.sealedIv,
    );
    if (opened) return { ...premium, body: opened.body };
  }
  const { decrypted: _, ...row } = premium;
  return row;
}

type Plan = {
  changedColumns: string[];
  topicsChanged: boolean;
  premiumChanged: boolean;
  premium: PremiumRow | null;
};

function plan(desired: Desired, stored: Stored | undefined): Plan {
  const premium = desiredPremium(desired, stored);
  if (!stored) {
    return { changedColumns: [], topicsChanged: true, premiumChanged: true, premium };
  }
  const changedColumns = COLUMN_FIELDS.filter(
    ([column]) => canonical(stored.columns[column]) !== canonical(desired.columns[column]),
  ).map(([column]) => column);

  const date = desired.article.publishedDateTime.getTime();
  const storedSlugs = stored.topics.map((link) => link.slug).sort();
  const topicsChanged =
    canonical(storedSlugs) !== canonical([...desired.topics.keys()].sort()) ||
    stored.topics.some((link) => link.publishedDateTime.getTime() !== date);

  const storedPremium = stored.premium.map(premiumCanonical).sort();
  const wantedPremium = premium ? [premiumCanonical({ ...PREMIUM_TEXT, ...premium })] : [];
  const premiumChanged = canonical(storedPremium) !== canonical(wantedPremium);
  return { changedColumns, topicsChanged, premiumChanged, premium };
}

async function writeFile(
  run: RunState,
  file: string,
  desired: Desired,
  stored: Stored | undefined,
): Promise<FileReport> {
  const { article, warnings } = desired;
  const steps = plan(desired, stored);
  const base: Omit<FileReport, "outcome"> = {
    file,
    slug: stored?.slug ?? articleSlug(article),
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(steps.premium
      ? { premiumText: steps.premium.body === "" ? ("sealed" as const) : ("decrypted" as const) }
      : {}),
  };
  const changes = [
    ...steps.changedColumns.map(
      (column) => COLUMN_FIELDS.find(([name]) => name === column)?.[1] ?? column,
    ),
    ...(steps.topicsChanged ? ["topics"] : []),
    ...(steps.premiumChanged ? ["secured"] : []),
  ];
  if (stored && changes.length === 0) return { ...base, outcome: "unchanged" };

  const created = new Map<string, string>();
  try {
    await run.db.transaction(async (tx) => {
      const topicIds = await ensureTopics(tx, run, desired.topics, created);
      let articleId: string;
      if (!stored) {
        const [row] = await tx
          .insert(articles)
          .values({ slug: base.slug as string, webUrl: article.webUrl, ...desired.columns })
          .returning({ id: articles.id });
        articleId = (row as { id: string }).id;
      } else {
        articleId = stored.id;
        if (steps.changedColumns.length > 0) {
          const set: Partial<typeof articles.$inferInsert> = { updatedAt: new Date() };
          for (const column of steps.changedColumns as (keyof ArticleColumns)[])
            Object.assign(set, { [column]: desired.columns[column] });
          const updated = await tx
            .update(articles)
            .set(set)
            .where(eq(articles.id, articleId))
            .returning({ id: articles.id });
          if (updated.length === 0) throw new Error("the article was deleted during the import");
        }
      }
      if (steps.topicsChanged) {
        if (stored) await tx.delete(articleTopics).where(eq(articleTopics.articleId, articleId));
        const links = [...desired.topics.keys()].map((slug) => ({
          articleId,
          topicId: topicIds.get(slug) as string,
          publishedDateTime: article.publishedDateTime,
        }));
        if (links.length > 0) await tx.insert(articleTopics).values(links);
      }
      if (steps.premiumChanged) {
        if (stored) {
          await tx
            .delete(briefings)
            .where(and(eq(briefings.articleId, articleId), eq(briefings.kind, "premium-text")));
        }
        if (steps.premium) {
          await tx
            .insert(briefings)
            .values({ ...PREMIUM_TEXT, articleId, sources: [], ...steps.premium });
        }
      }
      await run.onWrite?.(tx as unknown as Db, {
        file,
        outcome: stored ? "updated" : "imported",
        articleId,
        slug: base.slug as string,
        webUrl: article.webUrl,
        changes: stored ? changes : [],
      });
      if (run.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) {
      const message = new ContentWriteError("the article", error).message;
      return rejectedReport(file, [{ file, field: null, line: null, message }]);
    }
  }
  // Only now are the topics this file created known to exist for the next files.
  if (!run.dryRun) for (const [slug, id] of created) run.topicIds.set(slug, id);
  return stored ? { ...base, outcome: "updated", changes } : { ...base, outcome: "imported" };
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Topic ids for the file's topics, creating the missing ones. An existing topic keeps
 * its name: topics are shared, and one file's spelling must not rename it for every
 * article (nor flip it back and forth between two files that spell it differently).
 */
async function ensureTopics(
  tx: Tx,
  run: RunState,
  wanted: Map<string, string>,
  created: Map<string, string>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // Sorted, so two concurrent files creating the same topics take their locks in one order.
  const missing = [...wanted.keys()].filter((slug) => !run.topicIds.has(slug)).sort();
  for (const slug of wanted.keys()) {
    const id = run.topicIds.get(slug);
    if (id) ids.set(slug, id);
  }
  if (missing.length === 0) return ids;
  const inserted = await tx
    .insert(topics)
    .values(missing.map((slug) => ({ slug, name: wanted.get(slug) as string })))
    .onConflictDoNothing({ target: topics.slug })
    .returning({ id: topics.id, slug: topics.slug });
  for (const row of inserted) ids.set(row.slug, row.id);
  // Created meanwhile by another transaction: committed by now (the insert waited for it).
  const others = missing.filter((slug) => !ids.has(slug));
  if (others.length > 0) {
    const rows = await tx
      .select({ id: topics.id, slug: topics.slug })
      .from(topics)
      .where(inArray(topics.slug, others));
    for (const row of rows) ids.set(row.slug, row.id);
  }
  for (const slug of missing) {
    const id = ids.get(slug);
    if (id) created.set(slug, id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------

async function* chunksOf<T>(items: Iterable<T> | AsyncIterable<T>, size: number) {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
