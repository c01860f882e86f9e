import type { SQL } from "drizzle-orm";
import type { Db } from "./client.ts";

/**
 * Runs raw SQL and returns its rows. The two drivers shape `execute` results
 * differently (postgres-js: an array; PGlite: `{ rows }`); callers see one shape.
 */
export async function queryRows<Row>(db: Db, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows: Row[] }).rows;
}
