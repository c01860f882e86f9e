/**
 * npm run billing:reconcile -- [--since <ISO date>] [--json]
 *
 * Walks Stripe's events since a date (30 days ago by default) and every subscription, syncs
 * each subscription from Stripe's truth and reports what it repaired. Safe to run at any
 * time, as often as wanted: a second run finds nothing to change. Exit code 1 when some
 * subscription could not be stored, 2 on bad usage or missing settings.
 */
import { parseArgs } from "node:util";
import { closeOnSignals, openDatabaseFromEnv } from "@briefings/db/client";
import { createStripe } from "../client.ts";
import { readBillingEnv } from "../env.ts";
import { reconcile } from "../reconcile.ts";

const USAGE = "usage: npm run billing:reconcile -- [--since <ISO date>] [--json]";
const DAY = 24 * 60 * 60 * 1000;

class UsageError extends Error {}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { since: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: false,
  });
  const since = values.since ? new Date(values.since) : new Date(Date.now() - 30 * DAY);
  if (Number.isNaN(since.getTime()))
    throw new UsageError(`--since "${values.since}" is not a date`);
  return { since, json: values.json ?? false };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const stripe = createStripe(readBillingEnv());
  if (!stripe)
    throw new UsageError("STRIPE_SECRET_KEY is not set: there is nothing to reconcile with");
  const handle = await openDatabaseFromEnv();
  closeOnSignals(handle);
  try {
    await handle.migrate();
    const report = await reconcile(handle.db, stripe, { since: options.since });
    if (options.json) {
      console.log(JSON.stringify(report));
    } else {
      console.log(
        `Read ${report.eventsRead} events since ${options.since.toISOString()} and checked ${report.subscriptionsChecked} subscriptions and ${report.invoicesSynced} invoices.`,
      );
      if (report.changed.length === 0) console.log("Nothing had drifted: no change.");
      for (const change of report.changed) {
        const before = change.before ? `${change.before.status}` : "(missing)";
        console.log(`repaired ${change.subscriptionId}: ${before} → ${change.after.status}`);
      }
      for (const error of report.errors)
        console.log(`not stored ${error.subscriptionId}: ${error.message}`);
    }
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof UsageError ||
      (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
    ) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
