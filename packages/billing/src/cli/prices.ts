/**
 * Creates or finds the Stripe Products and Prices of the paid tiers, and stores their ids on
 * the tiers (what checkout sells).
 *
 *   npm run billing:prices            (from the repository root)
 *   npm run prices -w @briefings/billing
 *
 * For every paid tier that is not retired and has a monthly or yearly price in the database:
 * its Product (metadata.tier_slug) and its recurring Prices, known by the lookup keys
 * `<slug>-monthly` and `<slug>-yearly`. A changed amount or currency makes a new Price that
 * takes the lookup key; the old one stays, so existing subscriptions are not touched. Running
 * it again creates nothing.
 *
 * Settings: STRIPE_SECRET_KEY (required), STRIPE_API_URL (another Stripe API, e.g. a fake),
 * and the portal's database: DATABASE_URL, else PGLITE_DIR or .data/pglite (the embedded
 * database admits one process: stop the portal first). The database is migrated first.
 *
 * Exit code: 0 done; 1 the database or Stripe failed; 2 STRIPE_SECRET_KEY is unset or a
 * setting is invalid.
 */
import { closeOnSignals, DatabaseLockedError, openDatabaseFromEnv } from "@briefings/db/client";
import Stripe from "stripe";
import { createStripe } from "../client.ts";
import { readBillingEnv } from "../env.ts";
import { ensureStripePrices, type PricesReport } from "../prices.ts";

class UsageError extends Error {}

async function main(): Promise<number> {
  let env: ReturnType<typeof readBillingEnv>;
  try {
    env = readBillingEnv();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stripe = createStripe(env);
  if (!stripe) {
    throw new UsageError(
      "STRIPE_SECRET_KEY is not set: set it to the account's secret key (sk_test_… or sk_live_…) to create the prices.",
    );
  }
  const handle = await openDatabaseFromEnv();
  closeOnSignals(handle);
  try {
    await handle.migrate();
    const report = await ensureStripePrices(handle.db, stripe);
    process.stdout.write(formatReport(report, handle.location));
    return 0;
  } finally {
    await handle.close();
  }
}

const money = (amount: number | null, currency: string) =>
  amount === null ? "?" : `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

function formatReport(report: PricesReport, location: string): string {
  const lines: string[] = [];
  for (const tier of report.tiers) {
    lines.push(`${tier.slug}: product ${tier.product.id} (${tier.product.outcome})`);
    for (const price of tier.prices) {
      const was = price.previous
        ? `, was ${money(price.previous.amount, price.previous.currency)} (${price.previous.id}, kept for its subscriptions)`
        : "";
      lines.push(
        `  ${price.lookupKey.padEnd(28)} ${price.outcome.padEnd(8)} ${price.id}  ${money(price.amount, price.currency)}/${price.interval}${was}`,
      );
    }
    for (const interval of tier.unpriced)
      lines.push(
        `  no ${interval === "month" ? "monthly" : "yearly"} price in the database: not sold`,
      );
  }
  for (const skipped of report.skipped) lines.push(`${skipped.slug}: skipped, ${skipped.reason}`);
  if (report.tiers.length === 0 && report.skipped.length === 0)
    lines.push("No paid tiers: nothing to do.");
  const { created, changed, found } = report.totals;
  lines.push("", `${created} created, ${changed} changed, ${found} found (${location}).`);
  return `${lines.join("\n")}\n`;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`prices: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof DatabaseLockedError) {
    console.error(
      `prices: ${error.message}\nIf that is the portal (npm start, npm run dev), stop it first.`,
    );
    process.exitCode = 1;
  } else if (error instanceof Stripe.errors.StripeError) {
    console.error(`prices: Stripe refused: ${error.message}`);
    process.exitCode = 1;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      `prices: ${message.startsWith("Failed query:") ? "the database refused a query" : message.split("\n")[0]}`,
    );
    process.exitCode = 1;
  }
}
