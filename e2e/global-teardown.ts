/**
 * Drops the Postgres end-to-end database and removes the data folder of the portal without
 * Stripe (the main PGlite folder is removed by scripts/test.mjs).
 */
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

export default async function globalTeardown(): Promise<void> {
  const noStripeDir = process.env.E2E_NO_STRIPE_PGLITE_DIR;
  if (
    noStripeDir &&
    path.dirname(noStripeDir) === os.tmpdir() &&
    /briefings-e2e-pglite-no-stripe-/.test(noStripeDir)
  )
    rmSync(noStripeDir, { recursive: true, force: true });
  const server = process.env.TEST_DATABASE_URL;
  const name = process.env.E2E_POSTGRES_DB;
  if (!server || !name || !/^briefings_e2e_[a-f0-9]+$/.test(name)) return;
  const url = new URL(server);
  url.pathname = "/postgres";
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
