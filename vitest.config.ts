/**
 * Root Vitest config: one `npx vitest run` runs the unit and integration tests of every
 * workspace package (packages/*) and of apps/portal, each as its own Vitest project.
 *
 * - A package that has its own `vitest.config.*` is used as-is (add
 *   `test: { extends: true }`-style sharing yourself if you want the root defaults).
 * - A package without one gets an inline project rooted at its folder that inherits the
 *   root `test` options below. Inline projects never load the package's `vite.config.*`
 *   (the portal's React Router Vite plugin must not run under Vitest).
 * - Tests import TypeScript sources directly: workspace packages resolve through the
 *   node_modules symlinks to their `./src/*.ts` exports, which Vite transforms.
 * - Integration tests read `TEST_DATABASE_URL` (a real PostgreSQL server, set by .ci/run);
 *   when it is unset they run on embedded PGlite only.
 * - Playwright specs live in e2e/ at the root, which is not a Vitest project.
 * - Run from inside a package folder (its `npm test`, `turbo run test`), only that package runs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectConfiguration } from "vitest/config";

const repoRoot = path.dirname(fileURLToPath(import.meta.url));

const PROJECT_CONFIG_FILES = [
  "vitest.config.ts",
  "vitest.config.mts",
  "vitest.config.cts",
  "vitest.config.js",
  "vitest.config.mjs",
  "vitest.config.cjs",
];

/** Workspace folders (relative to the repo root) that hold a package.json. */
function workspaceDirs(): string[] {
  const dirs: string[] = [];
  const packagesDir = path.join(repoRoot, "packages");
  if (existsSync(packagesDir)) {
    for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(`packages/${entry.name}`);
    }
  }
  dirs.push("apps/portal");
  return dirs
    .filter((dir) => existsSync(path.join(repoRoot, dir, "package.json")))
    .sort((a, b) => a.localeCompare(b));
}

function packageName(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, dir, "package.json"), "utf8")) as {
      name?: unknown;
    };
    if (typeof pkg.name === "string" && pkg.name.length > 0) return pkg.name;
  } catch {
    // fall through to the folder name
  }
  return dir;
}

/**
 * Vitest finds this file from inside a package too (`npm test -w …`, `turbo run test` run
 * `vitest run` in the package folder): then only that package's project is run.
 */
function selectedDirs(): string[] {
  const all = workspaceDirs();
  const cwd = process.cwd();
  const here = all.find((dir) => {
    const abs = path.join(repoRoot, dir);
    return cwd === abs || cwd.startsWith(`${abs}${path.sep}`);
  });
  return here ? [here] : all;
}

function projectFor(dir: string): TestProjectConfiguration {
  const ownConfig = PROJECT_CONFIG_FILES.map((file) => path.join(repoRoot, dir, file)).find(
    (file) => existsSync(file),
  );
  if (ownConfig) return ownConfig;
  return {
    extends: true,
    test: {
      name: packageName(dir),
      root: path.join(repoRoot, dir),
      include: ["**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs}"],
      exclude: [
        "**/node_modules/**",
        "**/build/**",
        "**/dist/**",
        "**/.react-router/**",
        "**/.turbo/**",
        "**/.data/**",
      ],
      environment: "node",
    },
  };
}

export default defineConfig({
  test: {
    projects: selectedDirs().map(projectFor),
    // Packages are still being written; an empty project is not a failure.
    passWithNoTests: true,
    // PGlite (WASM) start-up and migrations are slow on a 2-core machine.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
