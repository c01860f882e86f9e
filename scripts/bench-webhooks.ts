// `npm run bench:webhooks`: how fast Stripe's webhooks are acted on, and that a storm of them
// (shuffled, with duplicates, many at once) ends in the right state.
//
//   npm run bench:webhooks -- [--subscriptions N] [--concurrency C] [--database-url postgres://…/<name with "bench">]
//
// 1. Database. The benchmark's own: a new PGlite folder in a temporary folder, or, with
//    --database-url, the Postgres database it names, which is EMPTIED first (so its name
//    must contain "bench"). Migrated, with the default tiers and Stripe prices for the paid one.
// 2. Stripe. The tests' fake Stripe API on a local port, with the real SDK pointed at it:
//    N members with subscriptions, each with the events Stripe would send for a checkout
//    (customer.subscription.created, customer.subscription.updated, invoice.paid,
//    checkout.session.completed) plus one duplicate delivery of each.
// 3. Delivery. All 5N deliveries, shuffled, C at a time, through the webhook handler the
//    portal's /webhooks/stripe calls: signature check, event recorded once, subscription
//    (and invoice) refetched from Stripe and stored, in one transaction.
//
// Output: deliveries per second, latency percentiles, peak memory, and the checks (each
// subscription stored active, each invoice stored, each event recorded once, each
// duplicate answered "duplicate"); then one line of JSON. Exit code 1 when a check fails,
// 2 on bad options.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createStripe } from "../packages/billing/src/client.ts";
import { FakeStripe } from "../packages/billing/src/testing/fake-stripe.ts";
import {
  fakeInvoice,
  registerInvoiceRoutes,
} from "../packages/billing/src/testing/fake-stripe-invoices.ts";
import {
  fakeEvent,
  fakeSubscription,
  registerSubscriptionRoutes,
  signedWebhook,
} from "../packages/billing/src/testing/fake-stripe-subscriptions.ts";
import { handleStripeWebhook } from "../packages/billing/src/webhook.ts";
import { DEFAULT_TIERS } from "../packages/core/src/index.ts";
import { type DatabaseHandle, openDatabase, queryRows } from "../packages/db/src/client.ts";
import { saveTiers } from "../packages/db/src/queries/save-content.ts";

const USAGE = `usage: npm run bench:webhooks -- [--subscriptions N] [--concurrency C] [--database-url URL]
  --subscriptions N   members with a subscription, 5 deliveries each (default 500)
  --concurrency C     deliveries handled at once (default 16)
  --database-url URL  use this Postgres database, which is emptied first; its name must
                      contain "bench" (default: a new PGlite folder)`;

class UsageError extends Error {}

const SECRET = `whsec_${randomBytes(16).toString("hex")}`;
const PRICE = "price_bench_month";

function wholeNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      subscriptions: { type: "string" },
      concurrency: { type: "string" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const databaseUrl = values["database-url"];
  if (databaseUrl !== undefined) {
    const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
    if (!/bench/i.test(name))
      throw new UsageError(
        `--database-url names "${name || "(default)"}": it is emptied, so its name must contain "bench"`,
      );
  }
  return {
    subscriptions: wholeNumber("--subscriptions", values.subscriptions, 500),
    concurrency: wholeNumber("--concurrency", values.concurrency, 16),
    databaseUrl,
  };
}

async function openTarget(databaseUrl: string | undefined, folder: string) {
  if (!databaseUrl) return openDatabase({ dataDir: path.join(folder, "pglite") });
  const handle = await openDatabase({ url: databaseUrl, maxConnections: 20 });
  await handle.db.execute("DROP SCHEMA IF EXISTS drizzle CASCADE");
  await handle.db.execute("DROP SCHEMA IF EXISTS public CASCADE");
  await handle.db.execute("CREATE SCHEMA public");
  return handle;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const folder = mkdtempSync(path.join(os.tmpdir(), "briefings-bench-webhooks-"));
  const fake = registerInvoiceRoutes(registerSubscriptionRoutes(new FakeStripe()));
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openTarget(options.databaseUrl, folder);
    await handle.migrate();
    await saveTiers(handle.db, DEFAULT_TIERS);
    await handle.db.execute(
      sql`UPDATE tiers SET stripe_price_monthly = ${PRICE} WHERE slug = 'leadership-alliance'`,
    );
    const db = handle.db;
    const stripe = createStripe({
      STRIPE_SECRET_KEY: "sk_test_bench",
      STRIPE_API_URL: await fake.start(),
    });
    if (!stripe) throw new Error("no Stripe client");

    console.error(`Preparing ${options.subscriptions} subscribers on ${handle.driver}…`);
    const deliveries: { body: string; signature: string; duplicate: boolean }[] = [];
    const subscriptionIds: string[] = [];
    for (let n = 0; n < options.subscriptions; n++) {
      const customer = `cus_bench_${n}`;
      await db.execute(
        sql`INSERT INTO users (email, password_hash, email_verified_at, stripe_customer_id)
            VALUES (${`subscriber-${n}@bench.example.test`}, 'x', now(), ${customer})`,
      );
      fake.save({ id: customer, object: "customer", email: `subscriber-${n}@bench.example.test` });
      const sub = fakeSubscription(fake, {
        customer,
        price: { id: PRICE, interval: "month", unitAmount: 4_900 },
      });
      subscriptionIds.push(sub.id);
      const invoice = fakeInvoice(fake, sub, "paid", { billingReason: "subscription_create" });
      const session = {
        id: `cs_bench_${n}`,
        object: "checkout.session",
        customer,
        subscription: sub.id,
        client_reference_id: null,
      };
      for (const event of [
        fakeEvent(fake, "customer.subscription.created", sub),
        fakeEvent(fake, "customer.subscription.updated", sub),
        fakeEvent(fake, "invoice.paid", invoice),
        fakeEvent(fake, "checkout.session.completed", session),
      ]) {
        deliveries.push({ ...signedWebhook(event, SECRET), duplicate: false });
      }
      // Stripe delivering one of them twice.
      const again = deliveries[deliveries.length - 1 - (n % 4)];
      if (again) deliveries.push({ body: again.body, signature: again.signature, duplicate: true });
    }
    shuffle(deliveries);

    console.error(
      `Delivering ${deliveries.length} webhooks, ${options.concurrency} at a time, in random order…`,
    );
    const latencies: number[] = [];
    const outcomes: Record<string, number> = {};
    let peakRss = process.memoryUsage().rss;
    let next = 0;
    const started = performance.now();
    async function worker() {
      while (next < deliveries.length) {
        const delivery = deliveries[next++];
        if (!delivery) break;
        const t0 = performance.now();
        const answer = await handleStripeWebhook(
          { db, stripe: stripe as NonNullable<typeof stripe>, webhookSecret: SECRET },
          delivery.body,
          delivery.signature,
        );
        latencies.push(performance.now() - t0);
        const outcome = answer.body.received ? answer.body.outcome : `error ${answer.status}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    // The end state, whatever the order: every subscription active, every invoice paid, every
    // event once.
    const [state] = await queryRows<{ active: number; invoices: number; events: number }>(
      db,
      sql`SELECT (SELECT count(*)::int FROM subscriptions WHERE status = 'active') AS active,
                 (SELECT count(*)::int FROM invoices WHERE status = 'paid') AS invoices,
                 (SELECT count(*)::int FROM stripe_events) AS events`,
    );
    const n = options.subscriptions;
    const checks = {
      subscriptionsActive: state?.active === n,
      invoicesPaid: state?.invoices === n,
      eventsOnce: state?.events === 4 * n,
      duplicatesAnswered: outcomes.duplicate === n,
      noErrors: Object.keys(outcomes).every((key) => !key.startsWith("error")),
    };
    const result = {
      driver: handle.driver,
      deliveries: deliveries.length,
      concurrency: options.concurrency,
      seconds: Number(seconds.toFixed(2)),
      deliveriesPerSecond: Math.round(deliveries.length / seconds),
      latencyP50Ms: Number(percentile(latencies, 50).toFixed(1)),
      latencyP99Ms: Number(percentile(latencies, 99).toFixed(1)),
      peakRssMB: Math.round(peakRss / 1024 / 1024),
      stripeRequests: fake.requests.length,
      outcomes,
      checks,
    };
    console.log(
      `${result.deliveries} deliveries (${n} subscriptions) on ${result.driver}: ` +
        `${result.seconds} s, ${result.deliveriesPerSecond}/s, p50 ${result.latencyP50Ms} ms, ` +
        `p99 ${result.latencyP99Ms} ms, peak RSS ${result.peakRssMB} MB, ` +
        `${result.stripeRequests} Stripe API calls`,
    );
    console.log(`outcomes: ${JSON.stringify(outcomes)}`);
    console.log(`checks: ${JSON.stringify(checks)}`);
    console.log(JSON.stringify(result));
    return Object.values(checks).every(Boolean) ? 0 : 1;
  } finally {
    await fake.stop();
    await handle?.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const parseError =
      typeof (error as { code?: unknown }).code === "string" &&
      String((error as { code: string }).code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || parseError) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  },
);
