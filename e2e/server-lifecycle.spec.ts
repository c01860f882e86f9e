import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

/**
 * The production server as an operator runs it: it creates a missing data folder,
 * refuses to share it with a second process, and on SIGTERM closes the database and
 * releases the folder.
 */

const serverScript = path.resolve(import.meta.dirname, "..", "apps", "portal", "server.js");

function startServer(dataDir: string, port: number) {
  const child = spawn(process.execPath, [serverScript], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      PGLITE_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      SEED_ON_EMPTY: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("server did not become healthy within 60 s");
}

test("one process per data folder, and SIGTERM closes the database cleanly", async () => {
  test.setTimeout(150_000);
  const root = mkdtempSync(path.join(os.tmpdir(), "briefings-lifecycle-"));
  const dataDir = path.join(root, "nested", "not-yet-created");
  try {
    const first = startServer(dataDir, 4321);
    await waitForHealth(4321, first.child);
    expect(existsSync(dataDir)).toBe(true);

    const second = startServer(dataDir, 4322);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `The embedded database at ${dataDir} is already open in another process`,
    );
    // The first server is unharmed.
    expect((await fetch("http://127.0.0.1:4321/healthz")).status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    // The folder opens again, with its data intact.
    const third = startServer(dataDir, 4323);
    await waitForHealth(4323, third.child);
    expect((await fetch("http://127.0.0.1:4323/membership")).status).toBe(200);
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
