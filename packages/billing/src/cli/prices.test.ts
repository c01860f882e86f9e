import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Db, queryRows } from "@briefings/db/client";
import { tiers } from "@briefings/db/schema";
import { openTestDatabase, testDrivers } from "@briefings/db/testing";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { FakeStripe } from "../testing/fake-stripe.ts";
import { registerCheckoutRoutes } from "../testing/fake-stripe-checkout.ts";

const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = path.resolve(packageDir, "../../node_modules/.bin/tsx");

/** Runs the CLI with only the given settings (and PATH), and its exit code. */
async function prices(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(tsx, ["src/cli/prices.ts"], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run prices", () => {
  it("exits 2 with a clear message when STRIPE_SECRET_KEY is unset", async () => {
    const result = await prices({ PGLITE_DIR: "memory://" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/STRIPE_SECRET_KEY is not set/);
    expect(result.stdout).toBe("");
  }, 30_000);

  it.runIf(testDrivers().includes("postgres"))(
    "creates the prices, stores them, and finds them on a second run (Postgres)",
    async () => {
      const database = await openTestDatabase("postgres");
      const fake = registerCheckoutRoutes(new FakeStripe());
      try {
        await database.db.insert(tiers).values({
          slug: "alliance",
          name: "Alliance",
          rank: 2,
          description: "d",
          audience: "a",
          joinMethod: "application",
          paid: true,
          priceMonthly: 9900,
          priceYearly: 99000,
        });
        const env = {
          STRIPE_SECRET_KEY: "sk_test_fake",
          STRIPE_API_URL: await fake.start(),
          DATABASE_URL: await databaseUrl(database.db),
        };
        const first = await prices(env);
        expect(first.stderr).toBe("");
        expect(first.code).toBe(0);
        expect(first.stdout).toMatch(/alliance-monthly\s+created\s+price_\w+\s+99\.00 USD\/month/);
        expect(first.stdout).toMatch(/3 created, 0 changed, 0 found/);
        const [row] = await database.db.select().from(tiers).where(eq(tiers.slug, "alliance"));
        expect(row?.stripePriceYearly).toMatch(/^price_/);
        const second = await prices(env);
        expect(second.code).toBe(0);
        expect(second.stdout).toMatch(/0 created, 0 changed, 2 found/);
      } finally {
        await fake.stop();
        await database.dispose();
      }
    },
    60_000,
  );
});

/** The test database's URL: the server's, with this database's name. */
async function databaseUrl(db: Db): Promise<string> {
  const [row] = await queryRows<{ name: string }>(db, sql`SELECT current_database() AS name`);
  const url = new URL(process.env.TEST_DATABASE_URL ?? "");
  url.pathname = `/${row?.name}`;
  return url.toString();
}
