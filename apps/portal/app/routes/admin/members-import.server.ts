import { createHash } from "node:crypto";
import {
  type Actor,
  applyImport,
  IMPORT_MAX_BYTES,
  ImportFileError,
  type ImportPlan,
  type ImportReport,
  planImport,
  sendInvitation,
} from "@briefings/auth";
import { listTiers } from "@briefings/db/queries";
import { accountDeps } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";

// The server side of /admin/members/import: reading the upload within a size limit, the
// preview, and the import of the previewed file, which comes back from the preview page
// as base64 (exact bytes, whatever HTML does to line breaks) with its SHA-256.

/**
 * The largest request body read: the file as base64 (the confirming post carries it so)
 * and room for the other fields. Anything larger is refused before it is parsed.
 */
const MAX_BODY_BYTES = Math.ceil((IMPORT_MAX_BYTES * 4) / 3) + 64 * 1024;

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
    readonly field: "file" | null = null,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

const TOO_LARGE = `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB; split it into smaller files.`;

/**
 * The request's form data, read only up to MAX_BODY_BYTES (by Content-Length when it is
 * given, and by counting what arrives either way), so a huge upload costs no more memory
 * than the limit.
 */
export async function readLimitedFormData(request: Request): Promise<FormData> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new UploadError(TOO_LARGE, 413, "file");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new UploadError(TOO_LARGE, 413, "file");
      }
      chunks.push(value);
    }
  }
  const contentType = request.headers.get("content-type") ?? "";
  try {
    return await new Request(request.url, {
      method: "POST",
      headers: { "content-type": contentType },
      body: Buffer.concat(chunks),
    }).formData();
  } catch {
    throw new UploadError("The form could not be read; choose the file and send it again.", 400);
  }
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export type PreviewRow = {
  row: number;
  email: string;
  action: ImportPlan["rows"][number]["action"];
  tier: string | null;
  grantEnds: string | null;
  note: string | null;
  reason: string | null;
  problems: { column: string | null; message: string }[];
};

export type Preview = {
  fileName: string;
  rows: PreviewRow[];
  counts: ImportPlan["counts"];
  /** The file, for the confirming post. */
  content: string;
  sha256: string;
};

/** The preview of an uploaded file: what importing it would do, row by row. Writes nothing. */
export async function previewUpload(form: FormData): Promise<Preview> {
  const file = form.get("file");
  if (!(file instanceof File) || (file.size === 0 && file.name === ""))
    throw new UploadError("Choose a CSV file to upload.", 400, "file");
  if (file.size > IMPORT_MAX_BYTES) throw new UploadError(TOO_LARGE, 413, "file");
  if (file.size === 0) throw new UploadError("The file is empty.", 400, "file");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const database = await db();
  const [plan, tiers] = await Promise.all([planImport(database, bytes), listTiers(database)]);
  const tierName = (slug: string) => tiers.find((tier) => tier.slug === slug)?.name ?? slug;
  return {
    fileName: file.name.slice(0, 200),
    counts: plan.counts,
    rows: plan.rows.map((row) => ({
      row: row.row,
      email: row.email.slice(0, 300),
      action: row.action,
      tier: row.tierSlug ? tierName(row.tierSlug) : null,
      grantEnds: row.grantEndsAt?.toISOString().slice(0, 10) ?? null,
      note: row.note,
      reason: row.reason,
      problems: row.problems,
    })),
    content: Buffer.from(bytes).toString("base64"),
    sha256: digest(bytes),
  };
}

/** Imports the previewed file that came back with the confirming post. */
export async function importPreviewed(
  form: FormData,
  actor: Actor,
): Promise<{ fileName: string; report: ImportReport }> {
  const content = form.get("content");
  const sha256 = form.get("sha256");
  if (typeof content !== "string" || typeof sha256 !== "string" || content === "")
    throw new UploadError("Preview the file first, then confirm the import.", 400);
  const bytes = new Uint8Array(Buffer.from(content, "base64"));
  // base64 decoding skips what it cannot read; the digest says whether these are the bytes
  // that were previewed.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(content) || digest(bytes) !== sha256)
    throw new UploadError(
      "The previewed file did not come back whole. Upload it again to preview it.",
      400,
    );
  const fileName = form.get("fileName");
  const invite = form.get("invite") === "on";
  const deps = await accountDeps();
  const report = await applyImport(await db(), actor, bytes, new Date(), {
    invite: invite ? (userId, email) => sendInvitation(deps, userId, email) : undefined,
  });
  return { fileName: typeof fileName === "string" ? fileName.slice(0, 200) : "", report };
}

/** A refusal the page shows: an upload problem or a file that cannot be imported. */
export function refusal(error: unknown): { message: string; status: 400 | 413 } | null {
  if (error instanceof UploadError || error instanceof ImportFileError)
    return { message: error.message, status: error.status };
  return null;
}
