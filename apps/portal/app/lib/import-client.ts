/**
 * The article import in the browser: the chosen files are read (zips opened here, with
 * the same reader and limits as the server), sorted by name, and sent to the import
 * action in batches; each batch's report is added to the whole. The server does all the
 * checking and writing (importArticleFiles, as npm run import); this only carries files.
 */
import { useCallback, useEffect, useRef } from "react";
import { useFetcher } from "react-router";
import {
  BATCH_LIMITS,
  byName,
  checkFileSizes,
  classifyName,
  displayName,
  type FileReport,
  formatBytes,
  type ImportAnswer,
  type ImportTotals,
  readZip,
  type SkippedEntry,
  UPLOAD_LIMITS,
  UploadError,
  type UploadFile,
  type UploadLimits,
} from "./article-upload.ts";

/** A chosen file: the browser's File, or anything with a name, a size and bytes. */
export type ChosenFile = Pick<File, "name" | "size" | "arrayBuffer"> & {
  webkitRelativePath?: string;
};

/**
 * The article files among the chosen ones, zips opened, sorted by name (as npm run
 * import sorts a folder), and what was skipped. Throws an UploadError naming what is
 * over a limit; nothing is sent then.
 */
export async function readChosenFiles(
  chosen: readonly ChosenFile[],
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<{ files: UploadFile[]; skipped: SkippedEntry[] }> {
  const named = chosen.map((file) => ({
    file,
    name: displayName(file.webkitRelativePath || file.name),
  }));
  const articles = named.filter(({ name }) => classifyName(name).kind === "article");
  checkFileSizes(
    articles.map(({ name, file }) => ({ name, size: file.size })),
    limits,
  );
  const zips = named.filter(({ name }) => classifyName(name).kind === "zip");
  const largeZip = zips.find(({ file }) => file.size > limits.maxZipBytes);
  if (largeZip) {
    throw new UploadError(
      `${largeZip.name} is ${formatBytes(largeZip.file.size)}; an archive may be at most ${formatBytes(limits.maxZipBytes)}. Split it into smaller ones.`,
      413,
    );
  }

  const files: UploadFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const { file, name } of named) {
    const kind = classifyName(name);
    if (kind.kind === "skip") skipped.push({ name, reason: kind.reason });
    else if (kind.kind === "article")
      files.push({ name, bytes: new Uint8Array(await file.arrayBuffer()) });
    else {
      const opened = readZip(new Uint8Array(await file.arrayBuffer()), name, limits);
      files.push(...opened.files);
      skipped.push(...opened.skipped);
    }
  }
  return { files: byName(files), skipped };
}

/** Consecutive batches of at most `maxFiles` files and `maxBytes` bytes (a larger file alone). */
export function planBatches<T extends { bytes: Uint8Array }>(
  files: readonly T[],
  limits: { maxFiles: number; maxBytes: number } = BATCH_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (
      batch.length > 0 &&
      (batch.length >= limits.maxFiles || bytes + file.bytes.length > limits.maxBytes)
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.bytes.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const lenient = new TextDecoder("utf-8");
const WEB_URL_LINE = /^(["']?)webUrl\1[ \t]*:[ \t]*(.*?)[ \t]*$/m;

/**
 * The top-level `webUrl` a file seems to name, found by a look at its text (the server
 * parses it for real). Only used to pick which earlier files to tell the server about.
 */
export function webUrlOf(bytes: Uint8Array): string | null {
  const value = WEB_URL_LINE.exec(lenient.decode(bytes))?.[2];
  if (!value) return null;
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, value.lastIndexOf('"'));
    }
  }
  if (value.startsWith("'")) return value.slice(1, value.lastIndexOf("'")).replace(/''/g, "'");
  return value.replace(/\s+#.*$/, "");
}

/** One batch as the import action takes it: multipart, like the form without JavaScript. */
export function batchForm(
  batch: readonly UploadFile[],
  dryRun: boolean,
  earlier: readonly [string, string][] = [],
): FormData {
  const form = new FormData();
  if (dryRun) form.set("dryRun", "on");
  if (earlier.length > 0) form.set("webUrls", JSON.stringify(earlier));
  for (const file of batch) {
    form.append("files", new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
  }
  return form;
}

/** The report of a whole upload, added up from its batches. */
export type UploadReport = {
  dryRun: boolean;
  files: FileReport[];
  totals: ImportTotals;
  skipped: SkippedEntry[];
  /** Whether ARTICLE_SEAL_KEY is set; null until the server has answered once. */
  sealKey: boolean | null;
  /** Article files that were never sent: after a cancel, or a refused batch. */
  notSent: number;
  cancelled: boolean;
  /** Why the import stopped early, or null. */
  error: string | null;
};

export function emptyReport(dryRun: boolean, skipped: SkippedEntry[] = []): UploadReport {
  return {
    dryRun,
    files: [],
    totals: { files: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0 },
    skipped,
    sealKey: null,
    notSent: 0,
    cancelled: false,
    error: null,
  };
}

/** The report with one more answer of the import action added to it. */
export function addAnswer(
  report: UploadReport,
  answer: Extract<ImportAnswer, { ok: true }>,
): UploadReport {
  const totals = { ...report.totals };
  for (const key of Object.keys(totals) as (keyof ImportTotals)[])
    totals[key] += answer.totals[key];
  return {
    ...report,
    files: [...report.files, ...answer.files],
    totals,
    skipped: [...report.skipped, ...answer.skipped],
    sealKey: answer.sealKey,
  };
}

export type RunOptions = {
  files: readonly UploadFile[];
  skipped?: SkippedEntry[];
  dryRun: boolean;
  /** Posts one batch to the import action and answers its result. */
  send(form: FormData): Promise<ImportAnswer>;
  /** Asked before each batch: true stops there (the batch in flight is always finished). */
  shouldStop?(): boolean;
  /** After each batch: the report so far and how many files have been processed. */
  onProgress?(report: UploadReport, done: number): void;
  batchLimits?: { maxFiles: number; maxBytes: number };
};

/**
 * Sends the files batch after batch, one request at a time, and adds up the reports.
 * A cancel waits for the batch in flight, so the report stays exact: every file in it
 * was processed, every other file was not sent. Duplicate webUrls across batches are
 * caught as within one: each batch tells the server which earlier file named the
 * webUrls its files seem to name.
 */
export async function runImport(options: RunOptions): Promise<UploadReport> {
  const batches = planBatches(options.files, options.batchLimits);
  const firstFileOf = new Map<string, string>();
  let report = emptyReport(options.dryRun, options.skipped ?? []);
  let done = 0;
  for (const batch of batches) {
    if (options.shouldStop?.()) {
      report = { ...report, cancelled: true };
      break;
    }
    const earlier = batch.flatMap((file): [string, string][] => {
      const url = webUrlOf(file.bytes);
      const first = url === null ? undefined : firstFileOf.get(url);
      return url !== null && first !== undefined ? [[url, first]] : [];
    });
    let answer: ImportAnswer;
    try {
      answer = await options.send(batchForm(batch, options.dryRun, earlier));
    } catch (error) {
      answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (!answer.ok) {
      const first = (batch[0] as UploadFile).name;
      const last = (batch.at(-1) as UploadFile).name;
      const which = batch.length === 1 ? first : `${first} to ${last}`;
      report = { ...report, error: `The batch of ${which} was refused: ${answer.error}` };
      break;
    }
    for (const [url, file] of answer.webUrls) if (!firstFileOf.has(url)) firstFileOf.set(url, file);
    report = addAnswer(report, answer);
    done += batch.length;
    options.onProgress?.(report, done);
  }
  return { ...report, notSent: options.files.length - done };
}

/**
 * `send` for runImport, through a React Router fetcher: each call posts one batch to
 * this route's action (requireRole and all) and resolves with its answer once the
 * fetcher is idle again.
 */
export function useBatchSender(): (form: FormData) => Promise<ImportAnswer> {
  const fetcher = useFetcher<ImportAnswer>();
  const pending = useRef<((answer: ImportAnswer) => void) | null>(null);
  const busy = useRef(false);
  const submit = useRef(fetcher.submit);
  submit.current = fetcher.submit;

  useEffect(() => {
    if (fetcher.state !== "idle") {
      busy.current = true;
      return;
    }
    if (!busy.current || !pending.current) return;
    busy.current = false;
    const resolve = pending.current;
    pending.current = null;
    resolve(fetcher.data ?? { ok: false, error: "the server answered nothing; reload the page" });
  }, [fetcher.state, fetcher.data]);

  return useCallback(
    (form: FormData) =>
      new Promise<ImportAnswer>((resolve, reject) => {
        pending.current = resolve;
        submit
          .current(form, { method: "post", encType: "multipart/form-data" })
          .catch((error: unknown) => {
            pending.current = null;
            reject(error);
          });
      }),
    [],
  );
}
