import type { TierCatalogue } from "@briefings/core";
import { closeOnSignals, type DatabaseHandle, openDatabaseFromEnv } from "@briefings/db/client";
import { loadTierCatalogue } from "@briefings/db/queries";
import { seedDemoContentIfEmpty } from "@briefings/db/seed";
import { env } from "./env.server.ts";
import { logger } from "./logger.server.ts";
import { publicContentChanged } from "./public-cache.server.ts";
import { memoizeWithTtl } from "./ttl-cache.server.ts";

// One handle per process; in development it survives module reloads on globalThis.
const globalStore = globalThis as typeof globalThis & {
  __briefingsDb?: Promise<DatabaseHandle>;
};

async function open(): Promise<DatabaseHandle> {
  const handle = await openDatabaseFromEnv();
  logger.info({ driver: handle.driver, location: handle.location }, "database opened");
  await handle.migrate();
  if (env.SEED_ON_EMPTY) {
    const seeded = await seedDemoContentIfEmpty(handle.db);
    if (seeded) logger.info(seeded, "seeded demo content into the empty database");
  }
  // The production server (server.js) closes the database itself after draining
  // requests; under the Vite dev server nothing else would.
  if (import.meta.env.DEV) closeOnSignals(handle);
  return handle;
}

export function getDatabase(): Promise<DatabaseHandle> {
  globalStore.__briefingsDb ??= open().catch((error: unknown) => {
    globalStore.__briefingsDb = undefined;
    throw error;
  });
  return globalStore.__briefingsDb;
}

export async function db() {
  return (await getDatabase()).db;
}

export async function shutdownDatabase(): Promise<void> {
  const pending = globalStore.__briefingsDb;
  globalStore.__briefingsDb = undefined;
  if (pending) await (await pending).close();
}

// The tier catalogue, re-read at most every few seconds: it changes only by admin action.
// An admin's write calls refreshTiers(), so this process reads the new catalogue at once
// (other processes within the few seconds): the cache is keyed by a generation that the
// write moves on, and a load begun before the write is not served after it.
let tierGeneration = 0;
const cachedTiers = memoizeWithTtl(async (_generation: number) => loadTierCatalogue(await db()), {
  ttlMs: 5_000,
  maxEntries: 2,
});

export function tiers(): Promise<TierCatalogue> {
  return cachedTiers(tierGeneration);
}

/** After a write to the tiers: the next tiers() reads them from the database. */
export function refreshTiers(): void {
  tierGeneration += 1;
  // Teasers name tiers and their next steps: stored public pages are out of date too.
  publicContentChanged();
}
