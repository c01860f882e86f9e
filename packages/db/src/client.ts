import { mkdirSync, realpathSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import lockfile from "proper-lockfile";
import { readDbEnv } from "./env.ts";
import { defaultPgliteDir, migrationsFolder } from "./paths.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
/** The one database handle type, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Db;
  driver: "pglite" | "postgres";
  /** Where the data lives: the PGlite folder, or the Postgres URL without its password. */
  location: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
};

export type OpenOptions = {
  /** A postgres:// URL; when absent the embedded database is used. */
  url?: string;
  /** The PGlite data folder; `memory://` for a throwaway in-memory database. */
  dataDir?: string;
  /** Connection pool size for Postgres. */
  maxConnections?: number;
};

export class DatabaseLockedError extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database at ${dataDir} is already open in another process. ` +
        "Stop that process first, or point PGLITE_DIR at another folder (or set DATABASE_URL to use a Postgres server).",
    );
    this.name = "DatabaseLockedError";
  }
}

/** Opens the configured database: Postgres when a URL is given, else embedded PGlite. */
export async function openDatabase(options: OpenOptions = {}): Promise<DatabaseHandle> {
  return options.url
    ? openPostgres(options.url, options.maxConnections ?? 10)
    : openPglite(options.dataDir);
}

/** Opens the database the environment names (DATABASE_URL, else PGLITE_DIR or the default folder). */
export async function openDatabaseFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<DatabaseHandle> {
  const settings = readDbEnv(env);
  return openDatabase({ url: settings.DATABASE_URL, dataDir: settings.PGLITE_DIR });
}

async function openPglite(dataDir = defaultPgliteDir()): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith("memory://");
  let release: (() => void) | undefined;
  if (!inMemory) {
    mkdirSync(path.resolve(dataDir), { recursive: true });
    // The real path: a symlinked spelling of the same folder must meet the same lock.
    const absolute = realpathSync(path.resolve(dataDir));
    // Two processes writing one PGlite folder corrupt it without an error, so the
    // folder is locked for as long as it is open.
    try {
      release = lockfile.lockSync(absolute, {
        lockfilePath: `${absolute}.lock`,
        stale: 15_000,
        update: 5_000,
        onCompromised: (error) => {
          throw error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOCKED")
        throw new DatabaseLockedError(absolute);
      throw error;
    }
    dataDir = absolute;
  }
  let client: PGlite;
  try {
    // Search (migration 0006) uses these two contrib extensions; PGlite loads them only
    // when asked, and must be asked on every open.
    client = await PGlite.create({
      ...(inMemory ? {} : { dataDir }),
      extensions: { pg_trgm, unaccent },
    });
  } catch (error) {
    release?.();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    driver: "pglite",
    location: dataDir,
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: migrationsFolder() });
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      release?.();
    },
  };
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: "briefings" },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const safeUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
  let closed = false;
  return {
    db,
    driver: "postgres",
    location: safeUrl,
    async migrate() {
      // Several instances may start at once: one migrates while the others wait on a
      // session lock, held on a dedicated single connection so every statement of the
      // migration runs where the lock is.
      const migrator = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await migrator`SELECT pg_advisory_lock(hashtext('briefings.migrations'))`;
        await migratePostgres(drizzlePostgres(migrator), { migrationsFolder: migrationsFolder() });
      } finally {
        await migrator.end({ timeout: 5 });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.end({ timeout: 5 });
    },
  };
}

/** Closes the database when the process is asked to stop, then exits. */
export function closeOnSignals(handle: DatabaseHandle, beforeClose?: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    try {
      await beforeClose?.();
      await handle.close();
    } finally {
      process.exit(signal === "SIGINT" ? 130 : 0);
    }
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

export async function ping(db: Db): Promise<boolean> {
  await db.execute(sql`SELECT 1`);
  return true;
}

export { queryRows } from "./rows.ts";
export { schema };
