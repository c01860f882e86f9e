import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TIERS } from "@briefings/core";
import { listAudit, saveTiers } from "@briefings/db/queries";
import { articles, users } from "@briefings/db/schema";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { inArray, like } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ImportAnswer, UPLOAD_LIMITS, type UploadLimits } from "#app/lib/article-upload.ts";
import { runImport } from "#app/lib/import-client.ts";
import { type ImportDeps, importUpload } from "./import.server.ts";

/**
 * The import action's handler with real article files (e2e/fixtures/import: three valid,
 * six malformed) against a real database: what the editor's upload, from the form or in
 * the browser's batches, imports, reports and records.
 */

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../../e2e/fixtures/import",
);

/** The fixture files, their articles moved under https://import-e2e.example/<space>/. */
function fixtureFiles(space: string): File[] {
  return readdirSync(fixtures)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(fixtures, name));
      // Latin-1 keeps every byte as it is (one fixture is not UTF-8 on purpose).
      const moved = Buffer.from(
        bytes
          .toString("latin1")
          .replaceAll("https://import-e2e.example/", `https://import-e2e.example/${space}/`),
        "latin1",
      );
      return new File([moved], name);
    });
}

/** A multipart POST as a browser sends it: with its Content-Length. */
async function uploadRequest(form: FormData, headers: Record<string, string> = {}) {
  const encoded = new Response(form);
  const body = await encoded.arrayBuffer();
  return new Request("http://portal.test/admin/import", {
    method: "POST",
    body,
    headers: {
      "content-type": encoded.headers.get("content-type") as string,
      "content-length": String(body.byteLength),
      ...headers,
    },
  });
}

function formOf(files: File[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  for (const file of files) form.append("files", file, file.name);
  return form;
}

type Ok = Extract<ImportAnswer, { ok: true }>;

/** Each file's outcome and, for a rejected one, its problems as "line field: message". */
function summary(body: ImportAnswer) {
  if (!body.ok) throw new Error(`refused: ${body.error}`);
  return Object.fromEntries(
    body.files.map((file) => [
      file.file,
      file.outcome === "rejected"
        ? [file.outcome, ...(file.problems ?? []).map((p) => `${p.line} ${p.field}: ${p.message}`)]
        : [file.outcome],
    ]),
  );
}

/** The fixture folder's report, the first time its articles are seen. */
const FIRST_IMPORT = {
  "bad-yaml.md": ["rejected", '4 excerpt: Missing closing "quote'],
  "broken-secured.md": ["rejected", "23 secured: secured IV must be 16 bytes, got 5"],
  "cloud-surveillance.md": ["imported"],
  "empty.md": [
    "rejected",
    "1 null: missing front matter: an article file must start with a line containing only ---",
  ],
  "missing-title.md": ["rejected", "1 title: is required"],
  "not-utf8.md": [
    "rejected",
    "3 null: is not UTF-8 text (an invalid byte sequence); save the file as UTF-8",
  ],
  "peering-report.md": ["imported"],
  "quality-out-of-range.md": ["rejected", "8 quality: quality must be between 0 and 100"],
  "routing-security.txt": ["imported"],
};

const asUnchanged = Object.fromEntries(
  Object.entries(FIRST_IMPORT).map(([file, outcome]) => [
    file,
    outcome[0] === "imported" ? ["unchanged"] : outcome,
  ]),
);

describe.each(testDrivers())("article upload on %s", (driver) => {
  let database: TestDatabase;
  let deps: ImportDeps;
  let editorId: string;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    await saveTiers(database.db, DEFAULT_TIERS);
    const [editor] = await database.db
      .insert(users)
      .values({ email: "editor@example.test", passwordHash: "-", role: "editor" })
      .returning({ id: users.id });
    editorId = (editor as { id: string }).id;
    deps = {
      db: database.db,
      concurrency: driver === "postgres" ? 4 : 1,
      actor: { id: editorId, name: "editor@example.test", ipAddress: "203.0.113.7" },
      sealKey: null,
    };
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  const upload = async (form: FormData, limits?: UploadLimits) =>
    importUpload(await uploadRequest(form), { ...deps, ...(limits ? { limits } : {}) });
  const storedUrls = async (space: string) =>
    (
      await database.db
        .select({ webUrl: articles.webUrl })
        .from(articles)
        .where(like(articles.webUrl, `https://import-e2e.example/${space}/%`))
    ).map((row) => row.webUrl);
  const auditOf = async (space: string) =>
    (await listAudit(database.db, { actorId: editorId }, { limit: 200 })).filter((row) =>
      String((row.after as { webUrl?: string } | null)?.webUrl).includes(`/${space}/`),
    );

  it("imports the valid files, rejects the others with their field and line, and records the editor", async () => {
    const answer = await upload(formOf(fixtureFiles("first")));
    expect(answer.status).toBe(200);
    expect(summary(answer.body)).toEqual(FIRST_IMPORT);
    expect((answer.body as Ok).totals).toEqual({
      files: 9,
      imported: 3,
      updated: 0,
      unchanged: 0,
      rejected: 6,
    });
    expect((await storedUrls("first")).sort()).toEqual([
      "https://import-e2e.example/first/news/cloud-surveillance",
      "https://import-e2e.example/first/news/peering-report",
      "https://import-e2e.example/first/news/routing-security",
    ]);
    const audit = await auditOf("first");
    expect(audit.map((row) => [row.action, row.actor, row.ipAddress]).sort()).toEqual([
      ["article.import", "editor@example.test", "203.0.113.7"],
      ["article.import", "editor@example.test", "203.0.113.7"],
      ["article.import", "editor@example.test", "203.0.113.7"],
    ]);
    expect(audit.map((row) => (row.after as { file: string }).file).sort()).toEqual([
      "cloud-surveillance.md",
      "peering-report.md",
      "routing-security.txt",
    ]);

    // The same files again: nothing to write, nothing recorded.
    const again = await upload(formOf(fixtureFiles("first")));
    expect(summary(again.body)).toEqual(asUnchanged);
    expect(await auditOf("first")).toHaveLength(3);
  });

  it("writes nothing on a dry run, and reports what an import would do", async () => {
    const answer = await upload(formOf(fixtureFiles("dry"), { dryRun: "on" }));
    expect(answer.status).toBe(200);
    expect((answer.body as Ok).dryRun).toBe(true);
    expect(summary(answer.body)).toEqual(FIRST_IMPORT);
    expect(await storedUrls("dry")).toEqual([]);
    expect(await auditOf("dry")).toEqual([]);
  });

  it("gives a zip of the files the same report, and lists what it skipped in it", async () => {
    const entries = Object.fromEntries(
      await Promise.all(
        fixtureFiles("zip").map(async (file) => [
          file.name,
          new Uint8Array(await file.arrayBuffer()),
        ]),
      ),
    );
    const zip = zipSync({
      ...entries,
      "__MACOSX/._peering-report.md": strToU8("resource fork"),
      ".DS_Store": strToU8("finder"),
      "drafts/": new Uint8Array(0),
    });
    const answer = await upload(formOf([new File([zip], "articles.zip")]));
    expect(answer.status).toBe(200);
    expect(summary(answer.body)).toEqual(FIRST_IMPORT);
    expect((answer.body as Ok).skipped.map((entry) => `${entry.archive}: ${entry.name}`)).toEqual([
      "articles.zip: __MACOSX/._peering-report.md",
      "articles.zip: .DS_Store",
      "articles.zip: drafts/",
    ]);
    expect(await storedUrls("zip")).toHaveLength(3);
  });

  it("gives the browser's batches the report of one request, duplicates across batches included", async () => {
    const filler = (i: number) =>
      new File(
        [
          strToU8(
            `---\ntitle: "Filler ${i}"\nexcerpt: "Filler."\ncategory: news\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: "https://import-e2e.example/batches/filler-${i}"\ntype: article\nquality: 10\nheat: 10\npublished: true\nprovider:\n  name: Example\n  domain: example.com\ntopics: []\nimages: []\nrelated: []\n---\n`,
          ),
        ],
        `filler-${String(i).padStart(2, "0")}.md`,
      );
    const again = new File(
      [
        strToU8(
          (await filler(3).text())
            .replace('"Filler 3"', '"Filler 3, told twice"')
            .replace("\n", "\n"),
        ),
      ],
      "zz-again.md",
    );
    const chosen = [...Array.from({ length: 30 }, (_, i) => filler(i)), again];
    const files = await Promise.all(
      chosen.map(async (file) => ({
        name: file.name,
        bytes: new Uint8Array(await file.arrayBuffer()),
      })),
    );
    let requests = 0;
    const report = await runImport({
      files: files.sort((a, b) => (a.name < b.name ? -1 : 1)),
      dryRun: false,
      send: async (form) => {
        requests++;
        return (await importUpload(await uploadRequest(form), deps)).body;
      },
    });
    expect(requests).toBe(2);
    expect(report.totals).toEqual({
      files: 31,
      imported: 30,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    expect(report.files.at(-1)).toMatchObject({
      file: "zz-again.md",
      outcome: "rejected",
      issues: [
        "zz-again.md:6: webUrl: filler-03.md has the same webUrl; one file per article (this one was not imported)",
      ],
    });
    const [stored] = await database.db
      .select({ title: articles.title })
      .from(articles)
      .where(inArray(articles.webUrl, ["https://import-e2e.example/batches/filler-3"]));
    expect(stored?.title).toBe("Filler 3");
  });

  describe("refuses, naming the problem, and writes nothing", () => {
    const refusal = async (answer: { status: number; body: ImportAnswer }) => {
      expect(answer.body.ok).toBe(false);
      return [answer.status, (answer.body as { error: string }).error] as const;
    };

    it("anything but a multipart upload", async () => {
      const request = new Request("http://portal.test/admin/import", {
        method: "POST",
        body: "intent=",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(await refusal(await importUpload(request, deps))).toEqual([
        415,
        "Send the files as a multipart/form-data upload, as the form on this page does.",
      ]);
    });

    it("a body larger than the limit, by its Content-Length, without reading it", async () => {
      let pulled = false;
      const body = new ReadableStream(
        {
          pull() {
            pulled = true;
            throw new Error("the body was read");
          },
        },
        { highWaterMark: 0 },
      );
      const request = new Request("http://portal.test/admin/import", {
        method: "POST",
        body,
        duplex: "half",
        headers: {
          "content-type": "multipart/form-data; boundary=x",
          "content-length": String(UPLOAD_LIMITS.maxRequestBytes + 1),
        },
      } as RequestInit);
      const [status, error] = await refusal(await importUpload(request, deps));
      expect(status).toBe(413);
      expect(error).toMatch(/^The upload is 32\.1 MiB; at most 32 MiB can be sent at once\./);
      expect(pulled).toBe(false);
    });

    it("an upload without a Content-Length", async () => {
      const request = await uploadRequest(formOf(fixtureFiles("none")));
      const stripped = new Request(request.url, {
        method: "POST",
        body: await request.arrayBuffer(),
        headers: { "content-type": request.headers.get("content-type") as string },
      });
      stripped.headers.delete("content-length");
      expect((await importUpload(stripped, deps)).status).toBe(411);
    });

    it("too many files, a file over the per-file limit, too much in all", async () => {
      const tight = (overrides: Partial<UploadLimits>) => ({ ...UPLOAD_LIMITS, ...overrides });
      expect(
        await refusal(await upload(formOf(fixtureFiles("many")), tight({ maxFilesPerRequest: 4 }))),
      ).toEqual([
        413,
        "9 files were sent at once; at most 4 can be. Use a .zip, or a browser with JavaScript turned on, which sends them in batches.",
      ]);
      expect(
        await refusal(await upload(formOf(fixtureFiles("big")), tight({ maxFileBytes: 2048 }))),
      ).toEqual([
        413,
        "cloud-surveillance.md (2.1 KiB) is larger than 2 KiB, the limit for one article file. Nothing was imported; remove it and try again.",
      ]);
      const [status, error] = await refusal(
        await upload(formOf(fixtureFiles("all")), tight({ maxUncompressedBytes: 3072 })),
      );
      expect(status).toBe(413);
      expect(error).toMatch(
        /^The article files add up to 4\.\d KiB; at most 3 KiB can be imported/,
      );
      for (const space of ["many", "big", "all"]) expect(await storedUrls(space)).toEqual([]);
    });

    it("a zip bomb", async () => {
      const bomb = zipSync({ "bomb.md": new Uint8Array(4 * 1024 * 1024) });
      const view = new DataView(bomb.buffer);
      for (let at = 0; at + 4 <= bomb.length; at++)
        if (view.getUint32(at, true) === 0x02014b50) view.setUint32(at + 24, 500, true);
      view.setUint32(22, 500, true);
      const [status, error] = await refusal(await upload(formOf([new File([bomb], "b.zip")])));
      expect(status).toBe(422);
      expect(error).toContain("bomb.md in b.zip unpacks to more than the 500 bytes it declares");
    });

    it("many archives in one request: their sum is held to the request's limits before opening", async () => {
      const tight = { ...UPLOAD_LIMITS, maxUncompressedBytes: 3000 };
      // Each archive is within the limit on its own; together they are not.
      const archives = Array.from(
        { length: 4 },
        (_, i) => new File([zipSync({ [`a${i}.md`]: new Uint8Array(1000) })], `part-${i}.zip`),
      );
      expect(await refusal(await upload(formOf(archives), tight))).toEqual([
        413,
        "With part-3.zip, the article files of this upload add up to 4.0 KiB uncompressed; at most 3.0 KiB can be imported in one request. Upload fewer archives at once.",
      ]);
      const pairs = Array.from(
        { length: 2 },
        (_, i) =>
          new File(
            [zipSync({ [`b${i}.md`]: strToU8("x"), [`c${i}.md`]: strToU8("y") })],
            `pair-${i}.zip`,
          ),
      );
      const fewFiles = { ...UPLOAD_LIMITS, maxFilesPerRequest: 3 };
      const [status, error] = await refusal(await upload(formOf(pairs), fewFiles));
      expect(status).toBe(413);
      expect(error).toMatch(
        /^With pair-1\.zip, this upload holds 4 article files; at most 3 can be/,
      );
    });

    it("no file, or nothing but skipped ones, or a bad dry-run flag", async () => {
      expect(await refusal(await upload(formOf([new File([], "")])))).toEqual([
        400,
        "Choose at least one article file (.md or .txt) or a .zip of them.",
      ]);
      expect(await refusal(await upload(formOf([new File(["x"], "cover.png")])))).toEqual([
        400,
        "There is no article file (.md or .txt) in the upload: 1 entry was skipped (cover.png: not an article file (.md or .txt) nor a .zip of them).",
      ]);
      expect(
        await refusal(await upload(formOf(fixtureFiles("flag"), { dryRun: "yes please" }))),
      ).toEqual([400, '"dryRun" must be "on" or left out.']);
      expect(await storedUrls("flag")).toEqual([]);
    });
  });
});
