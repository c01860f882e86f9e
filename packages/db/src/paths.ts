import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root is the folder that holds `migrations/meta/_journal.json`. It is
 * found by walking up from this module, which works both from the sources and from a
 * server bundle that inlined this package.
 */
function findProjectRoot(): string {
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      if (existsSync(path.join(dir, "migrations", "meta", "_journal.json"))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    "Cannot find the migrations folder (migrations/meta/_journal.json) above " +
      starts.join(" or "),
  );
}

let root: string | undefined;
export function projectRoot(): string {
  root ??= findProjectRoot();
  return root;
}

export const migrationsFolder = () => path.join(projectRoot(), "migrations");
export const defaultPgliteDir = () => path.join(projectRoot(), ".data", "pglite");
