import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  checkFileSizes,
  classifyName,
  displayName,
  readZip,
  UPLOAD_LIMITS,
  UploadError,
  type UploadLimits,
} from "./article-upload.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The UploadError `run` throws (failing the test when it throws nothing or something else). */
function uploadError(run: () => unknown): UploadError {
  try {
    run();
  } catch (error) {
    if (error instanceof UploadError) return error;
    throw error;
  }
  throw new Error("no UploadError was thrown");
}

const limits = (overrides: Partial<UploadLimits>): UploadLimits => ({
  ...UPLOAD_LIMITS,
  ...overrides,
});

/** Offsets of the zip's records, to damage them on purpose. */
function centralEntries(zip: Uint8Array): number[] {
  const found: number[] = [];
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; at + 4 <= zip.length; at++)
    if (view.getUint32(at, true) === 0x02014b50) found.push(at);
  return found;
}

describe("classifyName", () => {
  it("takes .md and .txt files, opens .zip, and skips the rest with a reason", () => {
    expect(classifyName("a.md")).toEqual({ kind: "article" });
    expect(classifyName("2024/May/B.TXT")).toEqual({ kind: "article" });
    expect(classifyName("batch.ZIP")).toEqual({ kind: "zip" });
    expect(classifyName("notes/")).toEqual({ kind: "skip", reason: "a folder" });
    expect(classifyName("__MACOSX/._a.md")).toMatchObject({ kind: "skip", reason: /__MACOSX/ });
    expect(classifyName(".DS_Store")).toMatchObject({ kind: "skip", reason: /hidden/ });
    expect(classifyName("drafts/.hidden/a.md")).toMatchObject({ kind: "skip", reason: /hidden/ });
    expect(classifyName("cover.png")).toMatchObject({ kind: "skip", reason: /not an article/ });
  });

  it("shows names as plain labels", () => {
    expect(displayName("./dir\\a.md")).toBe("dir/a.md");
    expect(displayName("/etc/a\u0000b.md")).toBe("etc/a?b.md");
    expect(displayName("x".repeat(400))).toHaveLength(300);
  });
});

describe("checkFileSizes", () => {
  it("names every file over the per-file limit", () => {
    const error = uploadError(() =>
      checkFileSizes(
        [
          { name: "small.md", size: 10 },
          { name: "big.md", size: 1.5 * 1024 * 1024 },
        ],
        { maxFileBytes: 1024 * 1024 },
      ),
    );
    expect(error.status).toBe(413);
    expect(error.message).toBe(
      "big.md (1.5 MiB) is larger than 1 MiB, the limit for one article file. Nothing was imported; remove it and try again.",
    );
  });
});

describe("readZip", () => {
  const zip = zipSync({
    "a.md": strToU8("---\ntitle: A\n---\n"),
    "sub/b.txt": [strToU8("b text"), { level: 0 }],
    "notes/": new Uint8Array(0),
    "__MACOSX/._a.md": strToU8("resource fork"),
    ".DS_Store": strToU8("finder"),
    "cover.png": strToU8("png"),
    "inner.zip": zipSync({ "c.md": strToU8("c") }),
  });

  it("returns the article files, deflated or stored, and lists what it skipped", () => {
    const { files, skipped } = readZip(zip, "batch.zip");
    expect(files.map((file) => [file.name, text(file.bytes)])).toEqual([
      ["a.md", "---\ntitle: A\n---\n"],
      ["sub/b.txt", "b text"],
    ]);
    expect(skipped).toEqual([
      { name: "notes/", archive: "batch.zip", reason: "a folder" },
      {
        name: "__MACOSX/._a.md",
        archive: "batch.zip",
        reason: "macOS metadata (__MACOSX), not an article",
      },
      {
        name: ".DS_Store",
        archive: "batch.zip",
        reason: "a hidden file (its name starts with a dot)",
      },
      {
        name: "cover.png",
        archive: "batch.zip",
        reason: "not an article file (.md or .txt) nor a .zip of them",
      },
      {
        name: "inner.zip",
        archive: "batch.zip",
        reason: "a zip inside a zip is not opened; upload it on its own",
      },
    ]);
  });

  it("refuses an archive with more entries than allowed, before opening any", () => {
    const error = uploadError(() => readZip(zip, "batch.zip", limits({ maxZipEntries: 5 })));
    expect(error.status).toBe(413);
    expect(error.message).toBe(
      "batch.zip holds 7 entries; an archive may hold at most 5. Split it into smaller ones.",
    );
  });

  it("refuses an entry over the per-file limit, naming it", () => {
    const big = zipSync({ "ok.md": strToU8("ok"), "huge.md": new Uint8Array(3000) });
    const error = uploadError(() => readZip(big, "big.zip", limits({ maxFileBytes: 2048 })));
    expect(error.status).toBe(413);
    expect(error.message).toContain("huge.md in big.zip (3.0 KiB) is larger than 2 KiB");
  });

  it("refuses article entries that add up to more than the uncompressed limit", () => {
    const many = zipSync(
      Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${i}.md`, new Uint8Array(1000)])),
    );
    const error = uploadError(() =>
      readZip(many, "many.zip", limits({ maxUncompressedBytes: 4000 })),
    );
    expect(error.status).toBe(413);
    expect(error.message).toContain("The article files in many.zip add up to 4.9 KiB uncompressed");
  });

  it("stops a zip bomb: an entry that unpacks to more than it declares", () => {
    // 8 MiB of zeros deflate to about 8 KiB; the directory then claims 100 bytes.
    const bomb = zipSync({ "bomb.md": new Uint8Array(8 * 1024 * 1024) });
    const view = new DataView(bomb.buffer);
    for (const at of centralEntries(bomb)) view.setUint32(at + 24, 100, true);
    view.setUint32(22, 100, true); // the local header's copy
    const error = uploadError(() => readZip(bomb, "bomb.zip"));
    expect(error.status).toBe(422);
    expect(error.message).toBe(
      "bomb.md in bomb.zip unpacks to more than the 100 bytes it declares: the archive is damaged or built to exhaust memory (a zip bomb). Nothing was imported.",
    );
  });

  it("refuses damaged archives and encrypted entries", () => {
    expect(uploadError(() => readZip(strToU8("not a zip at all"), "x.zip")).message).toBe(
      "x.zip is not a zip archive that can be read (no end of central directory).",
    );

    const stored = zipSync({ "a.md": [strToU8("hello world"), { level: 0 }] });
    const flipped = stored.slice();
    const first = 30 + "a.md".length; // the first byte of the stored text
    flipped[first] = (flipped[first] as number) ^ 0xff;
    const checksum = uploadError(() => readZip(flipped, "x.zip"));
    expect(checksum.status).toBe(422);
    expect(checksum.message).toContain("a.md does not match its checksum");

    const encrypted = stored.slice();
    const view = new DataView(encrypted.buffer);
    for (const at of centralEntries(encrypted)) view.setUint16(at + 8, 1, true);
    expect(uploadError(() => readZip(encrypted, "x.zip")).message).toBe(
      "a.md in x.zip is encrypted; make the archive without a password.",
    );
  });
});
