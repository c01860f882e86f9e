import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DatabaseHandle,
  DatabaseLockedError,
  openDatabase,
  openDatabaseFromEnv,
  ping,
} from "./client.ts";
import { readDbEnv } from "./env.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const clientModule = new URL("./client.ts", import.meta.url).href;

type OpenAttempt = { opened: true } | { opened: false; name: string; message: string };

/** Tries to open a PGlite folder from another Node process, as a second server would. */
async function openFromAnotherProcess(dataDir: string): Promise<OpenAttempt> {
  const code = `
    const { openDatabase } = await import(${JSON.stringify(clientModule)});
    let result;
    try {
      const handle = await openDatabase({ dataDir: process.env.TARGET_DIR });
      await handle.close();
      result = { opened: true };
    } catch (error) {
      result = { opened: false, name: error?.name, message: error?.message ?? String(error) };
    }
    console.log(JSON.stringify(result));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", code],
    { cwd: here, env: { ...process.env, TARGET_DIR: dataDir }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as OpenAttempt;
}

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;

describe("embedded database folder", () => {
  let root: string;
  /** Nested two levels below a folder that does not exist yet. */
  let dataDir: string;
  let handle: DatabaseHandle | undefined;

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "briefings-client-test-"));
    dataDir = path.join(root, "not", "yet", "there", "pglite");
  });
  afterAll(async () => {
    await handle?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the folder and its missing parents on first open", async () => {
    expect(existsSync(path.join(root, "not"))).toBe(false);
    handle = await openDatabase({ dataDir });
    expect(handle.driver).toBe("pglite");
    expect(handle.location).toBe(dataDir);
    expect(existsSync(dataDir)).toBe(true);
    expect(await ping(handle.db)).toBe(true);
    await handle.db.execute(sql`CREATE TABLE notes (body text NOT NULL)`);
    await handle.db.execute(sql`INSERT INTO notes VALUES ('written before the lock test')`);
  }, 60_000);

  it("refuses a second open of the same folder, however it is spelled, naming the folder", async () => {
    const spellings = [
      dataDir,
      `${dataDir}${path.sep}`,
      path.join(root, "not", "yet", "..", "yet", "there", "pglite"),
      path.relative(process.cwd(), dataDir),
    ];
    for (const spelling of spellings) {
      const attempt = openDatabase({ dataDir: spelling });
      await expect(attempt, spelling).rejects.toBeInstanceOf(DatabaseLockedError);
      await expect(attempt, spelling).rejects.toThrow(dataDir);
    }
    await expect(openDatabaseFromEnv({ PGLITE_DIR: dataDir })).rejects.toThrow(
      new DatabaseLockedError(dataDir).message,
    );
    // The failed attempts did not disturb the open database.
    const rows = rowsOf<{ body: string }>(await handle?.db.execute(sql`SELECT body FROM notes`));
    expect(rows).toEqual([{ body: "written before the lock test" }]);
  });

  it("refuses the folder to another process while it is open", async () => {
    const attempt = await openFromAnotherProcess(dataDir);
    expect(attempt).toEqual({
      opened: false,
      name: "DatabaseLockedError",
      message: expect.stringContaining(dataDir),
    });
  }, 60_000);

  it("opens again after close, with the data kept", async () => {
    await handle?.close();
    // Closing twice is harmless.
    await handle?.close();
    handle = await openDatabaseFromEnv({ PGLITE_DIR: dataDir });
    expect(handle.location).toBe(dataDir);
    const rows = rowsOf<{ body: string }>(await handle.db.execute(sql`SELECT body FROM notes`));
    expect(rows).toEqual([{ body: "written before the lock test" }]);
    await handle.close();
    handle = undefined;
    expect(await openFromAnotherProcess(dataDir)).toEqual({ opened: true });
  }, 60_000);

  it("takes over a lock left behind by a crashed process, but not a live one", async () => {
    const lockDir = `${dataDir}.lock`;
    // A live holder keeps its lock fresh.
    mkdirSync(lockDir);
    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DatabaseLockedError);
    // A crashed holder stops refreshing it.
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lockDir, longAgo, longAgo);
    handle = await openDatabase({ dataDir });
    expect(await ping(handle.db)).toBe(true);
    await handle.close();
    handle = undefined;
  }, 60_000);
});

describe("database settings", () => {
  const MESSAGE = "DATABASE_URL must start with postgres:// or postgresql://";

  it.each([
    "mysql://root@localhost/briefings",
    "http://localhost:5432/briefings",
    "localhost:5432/briefings",
    "postgres:/localhost/briefings",
    "sqlite:///tmp/briefings.db",
  ])("rejects DATABASE_URL=%s with a message naming the setting", (url) => {
    expect(() => readDbEnv({ DATABASE_URL: url })).toThrow(
      `Invalid database settings: DATABASE_URL: ${MESSAGE}`,
    );
  });

  it("refuses to open anything with such a URL", async () => {
    await expect(
      (async () => openDatabaseFromEnv({ DATABASE_URL: "mysql://root@localhost/briefings" }))(),
    ).rejects.toThrow(MESSAGE);
  });

  it("accepts postgres:// and postgresql:// URLs, trimmed", () => {
    expect(readDbEnv({ DATABASE_URL: " postgres://u:p@db:5432/app \n" })).toEqual({
      DATABASE_URL: "postgres://u:p@db:5432/app",
      PGLITE_DIR: undefined,
    });
    expect(readDbEnv({ DATABASE_URL: "postgresql://db/app" }).DATABASE_URL).toBe(
      "postgresql://db/app",
    );
  });

  it("treats empty settings as unset, so the embedded database is used", () => {
    expect(readDbEnv({ DATABASE_URL: "", PGLITE_DIR: "   " })).toEqual({
      DATABASE_URL: undefined,
      PGLITE_DIR: undefined,
    });
    expect(readDbEnv({ PGLITE_DIR: " /srv/data " }).PGLITE_DIR).toBe("/srv/data");
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("Postgres server", () => {
  it("connects, and reports where without the password", async () => {
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    // Trust auth ignores a password; a server that needs one has it in the URL already.
    if (!url.password) url.password = "not-shown-anywhere";
    const password = decodeURIComponent(url.password);
    const handle = await openDatabaseFromEnv({ DATABASE_URL: url.toString() });
    try {
      expect(handle.driver).toBe("postgres");
      expect(await ping(handle.db)).toBe(true);
      expect(handle.location).not.toContain(password);
      expect(handle.location).toContain(":***@");
      expect(handle.location).toContain(url.host);
    } finally {
      await handle.close();
    }
  });
});
