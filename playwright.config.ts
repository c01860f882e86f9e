/**
 * End-to-end tests: e2e/*.spec.ts in Debian's Chromium (/usr/bin/chromium) against the
 * production build of the portal (`npm run start -w @briefings/portal`).
 *
 * The server build must exist before this runs: `npm test` (scripts/test.mjs) and
 * `npm run test:e2e` build it with turbo first.
 *
 * Servers started for a run:
 * - a mail catcher (e2e/mail-catcher.ts): the portal's SMTP_URL points at it and specs read
 *   what arrived over HTTP;
 * - the portal on embedded PGlite, in a fresh, empty data folder: E2E_PGLITE_DIR if set
 *   (scripts/test.mjs makes one and removes it afterwards), otherwise a new folder under
 *   os.tmpdir();
 * - when TEST_DATABASE_URL names a Postgres server, a second portal on a throwaway
 *   database of that server, against which the leak matrix runs again;
 * - a fake Stripe API for each of those portals (packages/billing's fake, with hosted
 *   checkout and customer portal pages that send signed webhooks to its portal);
 * - a third portal on PGlite without any Stripe settings, as a publisher who has not set
 *   up payments runs it (e2e/billing-off.spec.ts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const HOST = "127.0.0.1";
const PGLITE_PORT = 4310;
const POSTGRES_PORT = 4311;
const NO_STRIPE_PORT = 4312;
const SMTP_PORT = 4325;
const MAIL_HTTP_PORT = 4326;
/** The fake Stripe API of the PGlite portal, and of the Postgres one. */
const STRIPE_PORT = 4330;
const POSTGRES_STRIPE_PORT = 4331;
const BASE_URL = `http://${HOST}:${PGLITE_PORT}`;
const POSTGRES_BASE_URL = `http://${HOST}:${POSTGRES_PORT}`;
const NO_STRIPE_BASE_URL = `http://${HOST}:${NO_STRIPE_PORT}`;
const isCI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

// The config is evaluated in the runner and again in every worker; workers inherit the
// runner's environment, so the folder and names are made once per run (and not for `--list`).
const listingOnly = process.argv.includes("--list");
process.env.E2E_PGLITE_DIR ||= listingOnly
  ? path.join(os.tmpdir(), "briefings-e2e-pglite-list")
  : mkdtempSync(path.join(os.tmpdir(), "briefings-e2e-pglite-"));
const pgliteDir = process.env.E2E_PGLITE_DIR;
process.env.E2E_NO_STRIPE_PGLITE_DIR ||= listingOnly
  ? path.join(os.tmpdir(), "briefings-e2e-pglite-list-no-stripe")
  : mkdtempSync(path.join(os.tmpdir(), "briefings-e2e-pglite-no-stripe-"));
const noStripePgliteDir = process.env.E2E_NO_STRIPE_PGLITE_DIR;
// The webhook signing secret the fake Stripe signs with and the portals check.
process.env.E2E_STRIPE_WEBHOOK_SECRET ||= `whsec_${randomBytes(16).toString("hex")}`;
// One canary per run, shared by the database preparation and the specs.
process.env.E2E_CANARY ||= `CANARY-${randomUUID()}`;
process.env.E2E_POSTGRES_DB ||= `briefings_e2e_${randomBytes(4).toString("hex")}`;

function postgresUrl(): string | null {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return null;
  const url = new URL(server);
  url.pathname = `/${process.env.E2E_POSTGRES_DB}`;
  return url.toString();
}
const postgresDatabaseUrl = postgresUrl();

const chromium = {
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
};

/** Billing settings of a portal paired with the fake Stripe on `stripePort`. */
function stripeEnv(stripePort: number) {
  return {
    STRIPE_SECRET_KEY: "sk_test_e2e",
    STRIPE_API_URL: `http://${HOST}:${stripePort}`,
    STRIPE_WEBHOOK_SECRET: process.env.E2E_STRIPE_WEBHOOK_SECRET,
  };
}

/** A fake Stripe API whose webhooks go to the portal on `portalPort`. */
function fakeStripe(stripePort: number, portalPort: number) {
  return {
    command: "npm run fake-stripe -w @briefings/billing",
    url: `http://${HOST}:${stripePort}/_fake/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 2_000 },
    env: {
      FAKE_STRIPE_PORT: String(stripePort),
      FAKE_STRIPE_WEBHOOK_URL: `http://${HOST}:${portalPort}/webhooks/stripe`,
      FAKE_STRIPE_WEBHOOK_SECRET: process.env.E2E_STRIPE_WEBHOOK_SECRET as string,
      // Long enough that the return from checkout is seen waiting for the webhook.
      FAKE_STRIPE_DELIVERY_DELAY_MS: "2500",
    },
  };
}

/** The portal's environment in every e2e server. */
function portalEnv(port: number, database: Record<string, string | undefined>) {
  return {
    PORT: String(port),
    HOST,
    NODE_ENV: "production",
    E2E_CANARY: process.env.E2E_CANARY,
    LOG_LEVEL: "warn",
    SMTP_URL: `smtp://${HOST}:${SMTP_PORT}`,
    PUBLIC_ORIGIN: `http://${HOST}:${port}`,
    // Every spec comes from 127.0.0.1: raise the per-IP limits so one spec's sign-ins do
    // not lock out the next. The per-account limits stay as in production.
    RATE_LIMIT_SIGN_IN_PER_IP: "10000/900",
    RATE_LIMIT_SIGN_UP_PER_IP: "10000/3600",
    RATE_LIMIT_RESET_PER_IP: "10000/3600",
    RATE_LIMIT_VERIFY_PER_IP: "10000/3600",
    // Playwright merges this over process.env; Node drops keys whose value is undefined.
    ...database,
  } as Record<string, string>;
}

export default defineConfig({
  testDir: "./e2e",
  testMatch: "*.spec.ts",
  // Playwright empties outputDir at start: keep it apart from the JSON reports in test-results/.
  outputDir: "./test-results/e2e-artifacts",
  fullyParallel: false,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  workers: 2,
  // Journeys sign several accounts up and in (argon2id) against three portals on a small
  // machine: a minute each, so a slow moment is not mistaken for a failure.
  timeout: 60_000,
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
      testIgnore: "leak-matrix.spec.ts",
      use: chromium,
    },
    {
      name: "leak-matrix-pglite",
      testMatch: "leak-matrix.spec.ts",
      use: { ...chromium, baseURL: BASE_URL },
      metadata: { target: "pglite" },
    },
    ...(postgresDatabaseUrl
      ? [
          {
            name: "leak-matrix-postgres",
            testMatch: "leak-matrix.spec.ts",
            use: { ...chromium, baseURL: POSTGRES_BASE_URL },
            metadata: { target: "postgres" },
          },
        ]
      : []),
  ],
  globalTeardown: "./e2e/global-teardown.ts",
  webServer: [
    {
      command: "npx tsx e2e/mail-catcher.ts",
      url: `http://${HOST}:${MAIL_HTTP_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 2_000 },
      env: {
        MAIL_CATCHER_SMTP_PORT: String(SMTP_PORT),
        MAIL_CATCHER_HTTP_PORT: String(MAIL_HTTP_PORT),
      },
    },
    // Before the portals: their database preparation makes the paid tiers' prices there.
    fakeStripe(STRIPE_PORT, PGLITE_PORT),
    ...(postgresDatabaseUrl ? [fakeStripe(POSTGRES_STRIPE_PORT, POSTGRES_PORT)] : []),
    {
      // The database is prepared first: demo content, canaries, fixture accounts.
      command: "npx tsx e2e/prepare-database.ts && npm run start -w @briefings/portal",
      url: `${BASE_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
      env: portalEnv(PGLITE_PORT, {
        E2E_TARGET: "pglite",
        PGLITE_DIR: pgliteDir,
        // Unset: this portal must use its embedded PGlite, never a server from the environment.
        DATABASE_URL: undefined,
        ...stripeEnv(STRIPE_PORT),
      }),
    },
    {
      // Payments not set up: no Stripe setting at all.
      command: "npx tsx e2e/prepare-database.ts && npm run start -w @briefings/portal",
      url: `${NO_STRIPE_BASE_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
      env: portalEnv(NO_STRIPE_PORT, {
        E2E_TARGET: "no-stripe",
        PGLITE_DIR: noStripePgliteDir,
        DATABASE_URL: undefined,
        STRIPE_SECRET_KEY: undefined,
        STRIPE_API_URL: undefined,
        STRIPE_WEBHOOK_SECRET: undefined,
      }),
    },
    ...(postgresDatabaseUrl
      ? [
          {
            command: "npx tsx e2e/prepare-database.ts && npm run start -w @briefings/portal",
            url: `${POSTGRES_BASE_URL}/healthz`,
            reuseExistingServer: false,
            timeout: 120_000,
            stdout: "pipe" as const,
            stderr: "pipe" as const,
            gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
            env: portalEnv(POSTGRES_PORT, {
              E2E_TARGET: "postgres",
              DATABASE_URL: postgresDatabaseUrl,
              PGLITE_DIR: undefined,
              ...stripeEnv(POSTGRES_STRIPE_PORT),
            }),
          },
        ]
      : []),
  ],
});
