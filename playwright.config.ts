/**
 * End-to-end tests: e2e/*.spec.ts in Debian's Chromium (/usr/bin/chromium) against the
 * production build of the portal (`npm run start -w @briefings/portal`).
 *
 * The server build must exist before this runs: `npm test` (scripts/test.mjs) and
 * `npm run test:e2e` build it with turbo first.
 *
 * Each run gets a fresh, empty PGlite data folder: E2E_PGLITE_DIR if set (scripts/test.mjs
 * makes one and removes it afterwards), otherwise a new folder under os.tmpdir().
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const PORT = 4310;
const HOST = "127.0.0.1";
const BASE_URL = `http://${HOST}:${PORT}`;
const isCI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

// The config is evaluated in the runner and again in every worker; workers inherit the
// runner's environment, so the folder is made once per run (and not for `--list`).
const listingOnly = process.argv.includes("--list");
process.env.E2E_PGLITE_DIR ||= listingOnly
  ? path.join(os.tmpdir(), "briefings-e2e-pglite-list")
  : mkdtempSync(path.join(os.tmpdir(), "briefings-e2e-pglite-"));
const pgliteDir = process.env.E2E_PGLITE_DIR;
// One canary per run, shared by the database preparation and the specs.
process.env.E2E_CANARY ||= `CANARY-${randomUUID()}`;

export default defineConfig({
  testDir: "./e2e",
  testMatch: "*.spec.ts",
  // Playwright empties outputDir at start: keep it apart from the JSON reports in test-results/.
  outputDir: "./test-results/e2e-artifacts",
  fullyParallel: false,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    // The database is prepared first: demo content, then canaries in every gated briefing.
    command: "npx tsx e2e/prepare-database.ts && npm run start -w @briefings/portal",
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    env: {
      PORT: String(PORT),
      HOST,
      NODE_ENV: "production",
      PGLITE_DIR: pgliteDir,
      E2E_CANARY: process.env.E2E_CANARY,
      LOG_LEVEL: "warn",
      // Unset: the portal must use its embedded PGlite, never a server from the environment.
      // (Playwright merges this over process.env; Node drops keys whose value is undefined.)
      DATABASE_URL: undefined as unknown as string,
    },
  },
});
