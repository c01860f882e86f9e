/**
 * Uploaded article files, as the browser and the server both read them: which names are
 * article files, the limits of an upload, and .zip archives opened in memory (fflate's
 * inflater, behind a reader of our own that checks every size before it trusts it).
 * Paths inside an archive are only names for the report: nothing here touches a disk.
 */
import { DEFAULT_ARTICLE_MAX_BYTES } from "@briefings/core";
// Types only: the browser never runs the importer, it shows its report.
import type { FileReport, ImportTotals } from "@briefings/db/import";
import { Inflate } from "fflate";

export type { FileReport, ImportProblem, ImportTotals } from "@briefings/db/import";

export const UPLOAD_LIMITS = {
  /** One article file: the importer's own limit (npm run import refuses larger files too). */
  maxFileBytes: DEFAULT_ARTICLE_MAX_BYTES,
  /** One request's body (Content-Length), zips included. */
  maxRequestBytes: 32 * 1024 * 1024,
  /** Files in one request (parts, and article files once zips are opened). */
  maxFilesPerRequest: 2_000,
  /** Entries of one .zip, of every kind (folders and skipped ones too). */
  maxZipEntries: 10_000,
  /** The article files of one .zip, or of one request, added up uncompressed. */
  maxUncompressedBytes: 64 * 1024 * 1024,
  /** A .zip the browser opens itself (it never sends the archive, only its files). */
  maxZipBytes: 64 * 1024 * 1024,
} as const;

export type UploadLimits = { [K in keyof typeof UPLOAD_LIMITS]: number };

/** The browser's batches: each one request to the import action. */
export const BATCH_LIMITS = { maxFiles: 25, maxBytes: 4 * 1024 * 1024 } as const;

/** An upload that cannot be taken as it is; `status` is the HTTP answer (4xx). */
export class UploadError extends Error {
  override name = "UploadError";
  constructor(
    message: string,
    readonly status: 400 | 411 | 413 | 415 | 422,
  ) {
    super(message);
  }
}

/** An article file to import: its name in the report and its raw bytes. */
export type UploadFile = { name: string; bytes: Uint8Array };

/** Something chosen or found in an archive that is not imported, and why. */
export type SkippedEntry = { name: string; archive?: string; reason: string };

export type Classified = { kind: "article" } | { kind: "zip" } | { kind: "skip"; reason: string };

const ARTICLE_NAME = /\.(md|txt)$/i;

/** What an uploaded name (a file's name, or a path inside a zip) is. */
export function classifyName(name: string): Classified {
  if (name === "" || name.endsWith("/")) return { kind: "skip", reason: "a folder" };
  const segments = name.split("/");
  if (segments.includes("__MACOSX"))
    return { kind: "skip", reason: "macOS metadata (__MACOSX), not an article" };
  if (segments.some((segment) => segment.startsWith(".")))
    return { kind: "skip", reason: "a hidden file (its name starts with a dot)" };
  if (ARTICLE_NAME.test(name)) return { kind: "article" };
  if (/\.zip$/i.test(name)) return { kind: "zip" };
  return { kind: "skip", reason: "not an article file (.md or .txt) nor a .zip of them" };
}

/**
 * A name as the report shows it: forward slashes, no leading "./" or "/", control
 * characters replaced, at most 300 characters. Only ever a label.
 */
export function displayName(raw: string): string {
  const name = raw
    .replace(/\\/g, "/")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "?")
    .replace(/^(\.\/|\/)+/, "");
  return name.length > 300 ? `${name.slice(0, 299)}…` : name;
}

/** 1.5 MiB, 2 KiB, 300 bytes; rounded up, so a size just over a limit never reads as the limit. */
export function formatBytes(bytes: number): string {
  const shown = (value: number, unit: string) =>
    `${Number.isInteger(value) ? value : (Math.ceil(value * 10) / 10).toFixed(1)} ${unit}`;
  if (bytes >= 1024 * 1024) return shown(bytes / (1024 * 1024), "MiB");
  if (bytes >= 1024) return shown(bytes / 1024, "KiB");
  return `${bytes} bytes`;
}

const count = (n: number) => n.toLocaleString("en");

/** "a.md, b.md and 3 more" */
function someNames(names: readonly string[]): string {
  if (names.length <= 3) return names.join(", ");
  return `${names.slice(0, 3).join(", ")} and ${count(names.length - 3)} more`;
}

/** Refuses files larger than an article file may be, naming them. */
export function checkFileSizes(
  files: readonly { name: string; size: number }[],
  limits: Pick<UploadLimits, "maxFileBytes"> = UPLOAD_LIMITS,
): void {
  const large = files.filter((file) => file.size > limits.maxFileBytes);
  if (large.length === 0) return;
  const names = large.map((file) => `${file.name} (${formatBytes(file.size)})`);
  throw new UploadError(
    `${someNames(names)} ${large.length === 1 ? "is" : "are"} larger than ${formatBytes(limits.maxFileBytes)}, the limit for one article file. Nothing was imported; remove ${large.length === 1 ? "it" : "them"} and try again.`,
    413,
  );
}

/** Sorted by name in code-point order, as npm run import sorts a folder. */
export function byName<T extends { name: string }>(files: T[]): T[] {
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------------------------------
// Zip archives

type ZipEntry = {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeader: number;
};

/**
 * The article files of a .zip, and the entries skipped (folders, __MACOSX, hidden files,
 * anything but .md and .txt). Refused with a 4xx UploadError, before anything is
 * inflated: too many entries, an article entry over the per-file limit, article entries
 * adding up to more than the uncompressed limit, encryption, an unknown compression
 * method, a damaged archive. While inflating, an entry that grows past the size it
 * declared (a zip bomb lies about it) is stopped there, and each entry's checksum is
 * verified.
 */
export function readZip(
  bytes: Uint8Array,
  zipName: string,
  limits: UploadLimits = UPLOAD_LIMITS,
  /**
   * What the same request already holds (earlier files and archives): the request's limits
   * apply to the sum, checked before this archive is inflated, so many small archives
   * cannot add up to more than one may hold.
   */
  already: { bytes: number; files: number } = { bytes: 0, files: 0 },
): { files: UploadFile[]; skipped: SkippedEntry[] } {
  const damaged = (why: string) =>
    new UploadError(`${zipName} is not a zip archive that can be read (${why}).`, 422);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const inRange = (at: number, length: number) => at >= 0 && at + length <= bytes.length;

  // The end of central directory record: the last 22 bytes, or before a comment (< 64 KiB).
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw damaged("no end of central directory");
  let entries = u16(end + 10);
  let directorySize = u32(end + 12);
  let directory = u32(end + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directory === 0xffffffff) {
    // ZIP64: the real numbers are in the ZIP64 end record, found through its locator.
    const locator = end - 20;
    if (!inRange(locator, 20) || u32(locator) !== 0x07064b50) throw damaged("no ZIP64 locator");
    const record = u64(locator + 8);
    if (!inRange(record, 56) || u32(record) !== 0x06064b50) throw damaged("no ZIP64 record");
    entries = u64(record + 32);
    directorySize = u64(record + 40);
    directory = u64(record + 48);
  }
  if (entries > limits.maxZipEntries) {
    throw new UploadError(
      `${zipName} holds ${count(entries)} entries; an archive may hold at most ${count(limits.maxZipEntries)}. Split it into smaller ones.`,
      413,
    );
  }
  if (!inRange(directory, directorySize)) throw damaged("its directory lies outside the file");

  const decoder = new TextDecoder("utf-8");
  const articles: ZipEntry[] = [];
  const skipped: SkippedEntry[] = [];
  const tooLarge: { name: string; size: number }[] = [];
  let total = 0;
  let at = directory;
  for (let index = 0; index < entries; index++) {
    if (!inRange(at, 46) || u32(at) !== 0x02014b50) throw damaged("a damaged directory entry");
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localHeader = u32(at + 42);
    if (!inRange(at + 46, nameLength + extraLength)) throw damaged("a damaged directory entry");
    const name = displayName(decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)));
    // ZIP64 sizes and offset, each present only where the 32-bit field is saturated.
    const extraEnd = at + 46 + nameLength + extraLength;
    for (let field = at + 46 + nameLength; field + 4 <= extraEnd; ) {
      const id = u16(field);
      const length = u16(field + 2);
      if (id === 0x0001) {
        let value = field + 4;
        const next = () => {
          if (value + 8 > field + 4 + length) throw damaged("a damaged ZIP64 field");
          const read = u64(value);
          value += 8;
          return read;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeader === 0xffffffff) localHeader = next();
      }
      field += 4 + length;
    }
    at = extraEnd + commentLength;

    const kind = classifyName(name);
    if (kind.kind !== "article") {
      const reason =
        kind.kind === "zip"
          ? "a zip inside a zip is not opened; upload it on its own"
          : kind.reason;
      skipped.push({ name, archive: zipName, reason });
      continue;
    }
    if (flags & 1) {
      throw new UploadError(
        `${name} in ${zipName} is encrypted; make the archive without a password.`,
        422,
      );
    }
    if (method !== 0 && method !== 8) {
      throw new UploadError(
        `${name} in ${zipName} is compressed with method ${method}; only stored and deflated entries can be read (any zip tool's default).`,
        422,
      );
    }
    if (size > limits.maxFileBytes) tooLarge.push({ name, size });
    total += size;
    articles.push({ name, method, crc, compressedSize, size, localHeader });
  }
  checkFileSizes(
    tooLarge.map((entry) => ({ ...entry, name: `${entry.name} in ${zipName}` })),
    limits,
  );
  if (total > limits.maxUncompressedBytes) {
    throw new UploadError(
      `The article files in ${zipName} add up to ${formatBytes(total)} uncompressed; at most ${formatBytes(limits.maxUncompressedBytes)} can be opened at once. Split the archive.`,
      413,
    );
  }
  if (total + already.bytes > limits.maxUncompressedBytes) {
    throw new UploadError(
      `With ${zipName}, the article files of this upload add up to ${formatBytes(total + already.bytes)} uncompressed; at most ${formatBytes(limits.maxUncompressedBytes)} can be imported in one request. Upload fewer archives at once.`,
      413,
    );
  }
  if (articles.length + already.files > limits.maxFilesPerRequest) {
    throw new UploadError(
      `With ${zipName}, this upload holds ${count(articles.length + already.files)} article files; at most ${count(limits.maxFilesPerRequest)} can be imported in one request. Upload fewer archives at once, or use a browser with JavaScript turned on, which sends them in batches.`,
      413,
    );
  }

  const files = articles.map((entry): UploadFile => {
    const local = entry.localHeader;
    if (!inRange(local, 30) || u32(local) !== 0x04034b50)
      throw damaged(`no local header for ${entry.name}`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (!inRange(start, entry.compressedSize)) throw damaged(`${entry.name} is cut short`);
    const stored = bytes.subarray(start, start + entry.compressedSize);
    const data = entry.method === 0 ? stored.slice() : inflateAtMost(stored, entry, zipName);
    if (data.length !== entry.size || crc32(data) !== entry.crc)
      throw damaged(`${entry.name} does not match its checksum`);
    return { name: entry.name, bytes: data };
  });
  return { files, skipped };
}

/**
 * Inflates an entry into a buffer of the size it declares, and stops as soon as it would
 * grow past it: a few MiB over at most (one 4 KiB piece of input at a time), never the
 * gigabytes a zip bomb unpacks to.
 */
function inflateAtMost(compressed: Uint8Array, entry: ZipEntry, zipName: string): Uint8Array {
  const out = new Uint8Array(entry.size);
  let filled = 0;
  const bomb = new UploadError(
    `${entry.name} in ${zipName} unpacks to more than the ${formatBytes(entry.size)} it declares: the archive is damaged or built to exhaust memory (a zip bomb). Nothing was imported.`,
    422,
  );
  const inflater = new Inflate((chunk) => {
    if (filled + chunk.length > out.length) throw bomb;
    out.set(chunk, filled);
    filled += chunk.length;
  });
  const piece = 4096;
  try {
    if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
    for (let at = 0; at < compressed.length; at += piece)
      inflater.push(compressed.subarray(at, at + piece), at + piece >= compressed.length);
  } catch (error) {
    if (error === bomb) throw bomb;
    throw new UploadError(
      `${entry.name} in ${zipName} cannot be unpacked: the archive is damaged.`,
      422,
    );
  }
  return filled === out.length ? out : out.subarray(0, filled);
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------
// The import action's answer, one per request (a whole upload, or one browser batch)

export type ImportAnswer =
  | {
      ok: true;
      dryRun: boolean;
      files: FileReport[];
      totals: ImportTotals;
      skipped: SkippedEntry[];
      /** webUrl → file of this request's files, to continue the duplicate check in the next batch. */
      webUrls: [string, string][];
      /** Whether ARTICLE_SEAL_KEY is set (premium text decrypted) or not (kept sealed). */
      sealKey: boolean;
    }
  | { ok: false; error: string };
