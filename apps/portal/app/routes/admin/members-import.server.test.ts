import { createHash } from "node:crypto";
import { IMPORT_MAX_BYTES } from "@briefings/auth";
import { describe, expect, it } from "vitest";
import {
  importPreviewed,
  previewUpload,
  readLimitedFormData,
  UploadError,
} from "./members-import.server.ts";

// The upload's edges, before any database work: the body limit, the file checks, and the
// round trip of the previewed file.

const URL_ = "http://localhost/admin/members/import";
const ACTOR = { id: null, name: "test" };

function multipart(file: string, name = "members.csv"): Request {
  const form = new FormData();
  form.set("intent", "preview");
  form.set("file", new File([file], name, { type: "text/csv" }));
  return new Request(URL_, { method: "POST", body: form });
}

/** A request whose body arrives in chunks, without a Content-Length. */
function streamed(bytes: number): Request {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=x" },
    body,
    duplex: "half",
  } as RequestInit);
}

async function refusal(run: () => Promise<unknown>): Promise<UploadError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UploadError) return error;
    throw error;
  }
  throw new Error("no UploadError");
}

describe("readLimitedFormData", () => {
  it("reads a small upload", async () => {
    const form = await readLimitedFormData(multipart("email\na@example.org\n"));
    expect(form.get("intent")).toBe("preview");
    const file = form.get("file");
    expect(file).toBeInstanceOf(File);
    expect(await (file as File).text()).toBe("email\na@example.org\n");
  });

  it("refuses a body over the limit with 413, by its Content-Length or as it arrives", async () => {
    const declared = new Request(URL_, {
      method: "POST",
      headers: { "content-length": String(10 * IMPORT_MAX_BYTES), "content-type": "text/plain" },
    });
    expect((await refusal(() => readLimitedFormData(declared))).status).toBe(413);
    const arriving = await refusal(() => readLimitedFormData(streamed(3 * IMPORT_MAX_BYTES)));
    expect(arriving.status).toBe(413);
    expect(arriving.message).toMatch(/larger than 1 MB/);
  });
});

describe("previewUpload and importPreviewed, before the database", () => {
  it("refuses a missing, empty or too large file, naming the file field", async () => {
    const none = new FormData();
    expect(await refusal(() => previewUpload(none))).toMatchObject({
      status: 400,
      field: "file",
      message: "Choose a CSV file to upload.",
    });
    const empty = await readLimitedFormData(multipart(""));
    expect(await refusal(() => previewUpload(empty))).toMatchObject({ status: 400 });
    const big = new FormData();
    big.set("file", new File([new Uint8Array(IMPORT_MAX_BYTES + 1)], "big.csv"));
    expect(await refusal(() => previewUpload(big))).toMatchObject({ status: 413, field: "file" });
  });

  it("imports only the bytes that were previewed: a changed or cut file is refused", async () => {
    const content = Buffer.from("email\na@example.org\n");
    const sha256 = createHash("sha256").update(content).digest("hex");
    const form = (base64: string, digest = sha256) => {
      const data = new FormData();
      data.set("content", base64);
      data.set("sha256", digest);
      return data;
    };
    const changed = Buffer.from("email\nb@example.org\n").toString("base64");
    expect(await refusal(() => importPreviewed(form(changed), ACTOR))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/did not come back whole/),
    });
    const cut = content.toString("base64").slice(0, 12);
    expect((await refusal(() => importPreviewed(form(cut), ACTOR))).status).toBe(400);
    expect((await refusal(() => importPreviewed(new FormData(), ACTOR))).message).toMatch(
      /Preview the file first/,
    );
  });
});
