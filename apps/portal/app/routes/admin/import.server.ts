/**
 * The import action's work: read an upload (a whole one from the form without
 * JavaScript, or one batch from the browser), check its limits, and hand its article
 * files to `importArticleFiles`, the importer of npm run import, with the signed-in
 * editor as the audit log's actor.
 */
import type { Db } from "@briefings/db/client";
import { auditImportWrites, importArticleFiles, readSealKey } from "@briefings/db/import";
import type { Actor } from "@briefings/db/queries";
import { z } from "zod";
import {
  byName,
  checkFileSizes,
  classifyName,
  displayName,
  formatBytes,
  type ImportAnswer,
  readZip,
  type SkippedEntry,
  UPLOAD_LIMITS,
  UploadError,
  type UploadFile,
  type UploadLimits,
} from "#app/lib/article-upload.ts";

/**
 * ARTICLE_SEAL_KEY, read as npm run import reads it, once, when the server starts: a
 * value that is not a key stops the start with a message that gives the expected form
 * (never the value).
 */
export const SEAL_KEY: Buffer | null = readSealKey();

export type Upload = {
  files: UploadFile[];
  skipped: SkippedEntry[];
  dryRun: boolean;
  /** webUrl → file of earlier batches of the same upload (from the browser). */
  webUrls: Map<string, string>;
};

const fieldsSchema = z.object({
  dryRun: z
    .enum(["on", "true", "false"], { error: 'must be "on" or left out' })
    .optional()
    .transform((value) => value === "on" || value === "true"),
  webUrls: z
    .string()
    .max(4 * 1024 * 1024, { error: "is too long" })
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return [];
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not JSON" });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(z.tuple([z.string().min(1).max(4096), z.string().min(1).max(1000)]), {
          error: "must be a list of [webUrl, file] pairs",
        })
        .max(UPLOAD_LIMITS.maxFilesPerRequest, { error: "names too many files" }),
    ),
});

const count = (n: number) => n.toLocaleString("en");

/**
 * The upload in `request`, checked: multipart, a Content-Length within the limit (before
 * any of the body is read), files within theirs, zips opened in memory. Throws an
 * UploadError (4xx) naming the problem.
 */
export async function readUpload(
  request: Request,
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<Upload> {
  if (!/^multipart\/form-data\s*;/i.test(request.headers.get("content-type") ?? "")) {
    throw new UploadError(
      "Send the files as a multipart/form-data upload, as the form on this page does.",
      415,
    );
  }
  const declared = request.headers.get("content-length");
  if (declared === null) {
    throw new UploadError(
      "The upload has no Content-Length, so its size cannot be checked before reading it; send it from the form on this page.",
      411,
    );
  }
  const length = Number(declared);
  if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length))
    throw new UploadError("The upload's Content-Length is not a number of bytes.", 400);
  if (length > limits.maxRequestBytes) {
    throw new UploadError(
      `The upload is ${formatBytes(length)}; at most ${formatBytes(limits.maxRequestBytes)} can be sent at once. Choose fewer files (or a smaller .zip), or use a browser with JavaScript turned on, which sends the files in batches.`,
      413,
    );
  }

  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new UploadError("The upload could not be read as multipart/form-data.", 400);
  }
  const fields = fieldsSchema.safeParse({
    dryRun: form.get("dryRun") ?? undefined,
    webUrls: form.get("webUrls") ?? undefined,
  });
  if (!fields.success) {
    const issue = fields.error.issues[0];
    throw new UploadError(
      `"${String(issue?.path[0] ?? "form")}" ${issue?.message ?? "is invalid"}.`,
      400,
    );
  }

  // The form without JavaScript sends one empty, nameless part when no file was chosen
  // (which a parser may hand over as an empty string).
  const parts = form
    .getAll("files")
    .filter((part) => (typeof part === "string" ? part !== "" : part.name !== "" || part.size > 0));
  if (parts.some((part) => typeof part === "string"))
    throw new UploadError('"files" must be files, not text.', 400);
  const chosen = parts as File[];
  if (chosen.length === 0)
    throw new UploadError("Choose at least one article file (.md or .txt) or a .zip of them.", 400);
  if (chosen.length > limits.maxFilesPerRequest) {
    throw new UploadError(
      `${count(chosen.length)} files were sent at once; at most ${count(limits.maxFilesPerRequest)} can be. Use a .zip, or a browser with JavaScript turned on, which sends them in batches.`,
      413,
    );
  }

  const named = chosen.map((file) => ({ file, name: displayName(file.name) }));
  checkFileSizes(
    named
      .filter(({ name }) => classifyName(name).kind === "article")
      .map(({ name, file }) => ({ name, size: file.size })),
    limits,
  );
  const files: UploadFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const { file, name } of named) {
    const kind = classifyName(name);
    if (kind.kind === "skip") skipped.push({ name, reason: kind.reason });
    else if (kind.kind === "article")
      files.push({ name, bytes: new Uint8Array(await file.arrayBuffer()) });
    else {
      const already = {
        bytes: files.reduce((sum, entry) => sum + entry.bytes.length, 0),
        files: files.length,
      };
      const opened = readZip(new Uint8Array(await file.arrayBuffer()), name, limits, already);
      files.push(...opened.files);
      skipped.push(...opened.skipped);
    }
  }
  if (files.length === 0) {
    throw new UploadError(
      `There is no article file (.md or .txt) in the upload: ${count(skipped.length)} ${skipped.length === 1 ? "entry was" : "entries were"} skipped (${skipped
        .slice(0, 3)
        .map((entry) => `${entry.name}: ${entry.reason}`)
        .join("; ")}${skipped.length > 3 ? "; …" : ""}).`,
      400,
    );
  }
  if (files.length > limits.maxFilesPerRequest) {
    throw new UploadError(
      `The upload holds ${count(files.length)} article files; at most ${count(limits.maxFilesPerRequest)} can be imported in one request. Use a browser with JavaScript turned on, which sends them in batches, or split the archive.`,
      413,
    );
  }
  const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (total > limits.maxUncompressedBytes) {
    throw new UploadError(
      `The article files add up to ${formatBytes(total)}; at most ${formatBytes(limits.maxUncompressedBytes)} can be imported in one request.`,
      413,
    );
  }
  return {
    files: byName(files),
    skipped,
    dryRun: fields.data.dryRun,
    webUrls: new Map(fields.data.webUrls),
  };
}

export type ImportDeps = {
  db: Db;
  /** Files written at once: 1 on PGlite, a few on Postgres (as npm run import). */
  concurrency: number;
  /** Who the audit log names for each write: the signed-in editor. */
  actor: Actor;
  sealKey: Buffer | null;
  limits?: UploadLimits;
};

/** The import action's answer to one upload: its HTTP status and body. */
export async function importUpload(
  request: Request,
  deps: ImportDeps,
): Promise<{ status: number; body: ImportAnswer }> {
  let upload: Upload;
  try {
    upload = await readUpload(request, deps.limits);
  } catch (error) {
    if (error instanceof UploadError)
      return { status: error.status, body: { ok: false, error: error.message } };
    throw error;
  }
  const earlier = new Set(upload.webUrls.keys());
  const report = await importArticleFiles(
    deps.db,
    upload.files.map((file) => ({ name: file.name, text: file.bytes })),
    {
      dryRun: upload.dryRun,
      sealKey: deps.sealKey,
      concurrency: deps.concurrency,
      webUrls: upload.webUrls,
      onWrite: auditImportWrites(deps.actor),
    },
  );
  return {
    status: 200,
    body: {
      ok: true,
      ...report,
      skipped: upload.skipped,
      webUrls: [...upload.webUrls].filter(([url]) => !earlier.has(url)),
      sealKey: deps.sealKey !== null,
    },
  };
}
