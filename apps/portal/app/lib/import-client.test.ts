import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { ImportAnswer, UploadFile } from "./article-upload.ts";
import { UploadError } from "./article-upload.ts";
import { batchForm, planBatches, readChosenFiles, runImport, webUrlOf } from "./import-client.ts";

const file = (name: string, bytes: Uint8Array | string) =>
  new File([typeof bytes === "string" ? strToU8(bytes) : (bytes as Uint8Array<ArrayBuffer>)], name);

const article = (name: string, webUrl = `https://news.example/${name}`): UploadFile => ({
  name,
  bytes: strToU8(`---\ntitle: "${name}"\nwebUrl: "${webUrl}"\n---\n`),
});

describe("readChosenFiles", () => {
  it("reads article files, opens zips, sorts by name and lists what it skipped", async () => {
    const zip = zipSync({ "b.md": strToU8("b"), "__MACOSX/._b.md": strToU8("x") });
    const { files, skipped } = await readChosenFiles([
      file("c.txt", "c"),
      file("batch.zip", zip),
      file("a.md", "a"),
      file(".DS_Store", "x"),
      file("photo.jpg", "x"),
    ]);
    expect(files.map((f) => [f.name, new TextDecoder().decode(f.bytes)])).toEqual([
      ["a.md", "a"],
      ["b.md", "b"],
      ["c.txt", "c"],
    ]);
    // In the order chosen.
    expect(skipped.map((entry) => `${entry.archive ?? "-"} ${entry.name}`)).toEqual([
      "batch.zip __MACOSX/._b.md",
      "- .DS_Store",
      "- photo.jpg",
    ]);
  });

  it("refuses a file over the per-file limit before reading anything", async () => {
    const error = await readChosenFiles([
      file("fine.md", "ok"),
      file("huge.md", new Uint8Array(1024 * 1024 + 1)),
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).message).toMatch(/^huge\.md \(1\.1 MiB\) is larger than 1 MiB/);
  });
});

describe("planBatches", () => {
  const sized = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `${i}`, bytes: new Uint8Array(size) }));

  it("cuts batches at the file count", () => {
    expect(planBatches(sized(60, 10)).map((batch) => batch.length)).toEqual([25, 25, 10]);
  });

  it("cuts batches at the byte budget, a larger file going alone", () => {
    const files = [...sized(3, 400), ...sized(1, 2000), ...sized(2, 100)];
    expect(
      planBatches(files, { maxFiles: 25, maxBytes: 1000 }).map((batch) =>
        batch.map((f) => f.bytes.length),
      ),
    ).toEqual([[400, 400], [400], [2000], [100, 100]]);
  });

  it("answers no batch for no file", () => {
    expect(planBatches([])).toEqual([]);
  });
});

describe("webUrlOf", () => {
  it("finds the top-level webUrl however it is quoted, never a related item's", () => {
    const url = (front: string) => webUrlOf(strToU8(`---\n${front}\n---\n`));
    expect(url('webUrl: "https://a.example/x"')).toBe("https://a.example/x");
    expect(url("webUrl: 'https://a.example/it''s'")).toBe("https://a.example/it's");
    expect(url("webUrl: https://a.example/y # note")).toBe("https://a.example/y");
    expect(url("related:\n  - webUrl: https://b.example/z")).toBeNull();
  });
});

describe("batchForm", () => {
  it("is the form the page posts: files under their names, the dry-run flag, earlier webUrls", async () => {
    const form = batchForm([article("dir/a.md")], true, [["https://x.example/", "first.md"]]);
    expect(form.get("dryRun")).toBe("on");
    expect(JSON.parse(String(form.get("webUrls")))).toEqual([["https://x.example/", "first.md"]]);
    const [sent] = form.getAll("files") as File[];
    expect(sent?.name).toBe("dir/a.md");
    expect(await sent?.text()).toContain('title: "dir/a.md"');
    expect(batchForm([article("a.md")], false).has("dryRun")).toBe(false);
  });
});

describe("runImport", () => {
  /** A stand-in for the import action: every file imported, webUrls as the server reports them. */
  function fakeServer() {
    const posts: FormData[] = [];
    const send = async (form: FormData): Promise<ImportAnswer> => {
      posts.push(form);
      const files = form.getAll("files") as File[];
      const webUrls: [string, string][] = [];
      for (const sent of files) {
        const url = webUrlOf(new Uint8Array(await sent.arrayBuffer()));
        if (url) webUrls.push([url, sent.name]);
      }
      return {
        ok: true,
        dryRun: form.get("dryRun") === "on",
        files: files.map((sent) => ({ file: sent.name, outcome: "imported", slug: sent.name })),
        totals: {
          files: files.length,
          imported: files.length,
          updated: 0,
          unchanged: 0,
          rejected: 0,
        },
        skipped: [],
        webUrls,
        sealKey: false,
      };
    };
    return { posts, send };
  }
  const files = Array.from({ length: 60 }, (_, i) => article(`${String(i).padStart(2, "0")}.md`));

  it("sends batches one after the other and adds up their reports", async () => {
    const server = fakeServer();
    const progress: [number, number][] = [];
    const report = await runImport({
      files,
      skipped: [{ name: ".DS_Store", reason: "hidden" }],
      dryRun: true,
      send: server.send,
      onProgress: (partial, done) => progress.push([done, partial.files.length]),
    });
    expect(server.posts.map((form) => form.getAll("files").length)).toEqual([25, 25, 10]);
    expect(server.posts.every((form) => form.get("dryRun") === "on")).toBe(true);
    expect(progress).toEqual([
      [25, 25],
      [50, 50],
      [60, 60],
    ]);
    expect(report.totals).toEqual({
      files: 60,
      imported: 60,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
    expect(report.files.map((f) => f.file)).toEqual(files.map((f) => f.name));
    expect(report).toMatchObject({ dryRun: true, notSent: 0, cancelled: false, error: null });
    expect(report.skipped).toEqual([{ name: ".DS_Store", reason: "hidden" }]);
  });

  it("tells a later batch which earlier file named the webUrl one of its files names", async () => {
    const server = fakeServer();
    const twice = [...files.slice(0, 30), article("zz-again.md", "https://news.example/03.md")];
    await runImport({ files: twice, dryRun: false, send: server.send });
    expect(server.posts[0]?.has("webUrls")).toBe(false);
    expect(JSON.parse(String(server.posts[1]?.get("webUrls")))).toEqual([
      ["https://news.example/03.md", "03.md"],
    ]);
  });

  it("stops after the batch in flight when cancelled, and says how many were not sent", async () => {
    const server = fakeServer();
    let stop = false;
    const report = await runImport({
      files,
      dryRun: false,
      send: async (form) => {
        stop = true; // the editor presses Cancel while the first batch is on its way
        return server.send(form);
      },
      shouldStop: () => stop,
    });
    expect(server.posts).toHaveLength(1);
    expect(report).toMatchObject({ cancelled: true, notSent: 35 });
    expect(report.totals.files).toBe(25);
  });

  it("keeps the processed part and stops at a refused batch", async () => {
    const server = fakeServer();
    let calls = 0;
    const report = await runImport({
      files,
      dryRun: false,
      send: async (form) => {
        calls++;
        if (calls === 2) return { ok: false, error: "The upload is too large." };
        return server.send(form);
      },
    });
    expect(calls).toBe(2);
    expect(report.totals.files).toBe(25);
    expect(report.notSent).toBe(35);
    expect(report.error).toBe("The batch of 25.md to 49.md was refused: The upload is too large.");
  });
});
