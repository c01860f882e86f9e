#!/usr/bin/env node
// `npm test`: lint, typecheck, unit + integration tests (Vitest), portal build, e2e (Playwright).
//
// Every step runs even when an earlier one failed (except e2e, which needs the build), each
// child's output is streamed, and the very last line printed is
//
//     N passed, N failed[, N skipped]
//
// summing the Vitest and Playwright test counts. A failed lint, typecheck or build step counts
// as 1 failed; a test runner that left no JSON report (crashed, timed out, or never ran
// because the build failed) counts as 1 failed. Exit code: 1 if anything failed, else 0.
//
// Flags:
//   --skip-e2e      lint, typecheck and unit tests only (no portal build, no Playwright)
//   --only=unit     Vitest only
//   --only=e2e      portal build + Playwright only
//   --help
//
// Environment:
//   TEST_TIME_BUDGET_MIN   overall time budget in minutes (default 55); each step is also capped
//   E2E_PGLITE_DIR         PGlite folder for the e2e server (default: a fresh temp folder,
//                          removed afterwards)
// Plain Node ESM with no dependencies.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, "test-results");
const VITEST_REPORT = path.join(RESULTS_DIR, "vitest.json");
const E2E_REPORT = path.join(RESULTS_DIR, "e2e.json");
const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// Arguments

const USAGE = "usage: node scripts/test.mjs [--skip-e2e] [--only=unit|e2e]";

function parseArgs(argv) {
  const opts = { skipE2e: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--skip-e2e") opts.skipE2e = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith("--only=")) opts.only = arg.slice("--only=".length);
    else if (arg === "--only") opts.only = argv[++i] ?? "";
    else fail(`unknown argument: ${arg}`);
  }
  if (opts.only !== null && opts.only !== "unit" && opts.only !== "e2e") {
    fail(`--only must be "unit" or "e2e", got "${opts.only}"`);
  }
  if (opts.only === "e2e" && opts.skipE2e) fail("--only=e2e and --skip-e2e contradict each other");
  return opts;
}

function fail(message) {
  console.error(`test.mjs: ${message}\n${USAGE}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const want = {
  lint: opts.only === null,
  typecheck: opts.only === null,
  unit: opts.only === null || opts.only === "unit",
  build: (opts.only === null && !opts.skipE2e) || opts.only === "e2e",
  e2e: (opts.only === null && !opts.skipE2e) || opts.only === "e2e",
};

// ---------------------------------------------------------------------------------------------
// Child processes

const childEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0", NO_COLOR: "1" };

/** A local binary from node_modules/.bin, or `npx <name>` when it is not installed there. */
function bin(name) {
  const local = path.join(ROOT, "node_modules", ".bin", name);
  return existsSync(local) ? [local] : ["npx", "--no", name];
}

const budgetMs = Number(process.env.TEST_TIME_BUDGET_MIN || 55) * MINUTE;
const startedAt = Date.now();
let current = null; // the running child, for signal forwarding
let interrupted = false;

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted = true;
    if (current) killGroup(current, signal);
    else process.exit(130);
  });
}

/**
 * Runs a command with inherited stdio in its own process group, so that a timeout or Ctrl-C
 * also ends its grandchildren (test workers, the e2e web server, browsers).
 * Resolves to { code, timedOut, ms }.
 */
function run(argv, { env = childEnv, capMin }) {
  const remaining = budgetMs - (Date.now() - startedAt);
  const timeoutMs = Math.max(0, Math.min(capMin * MINUTE, remaining));
  const began = Date.now();
  if (timeoutMs < 5_000 || interrupted) {
    return Promise.resolve({ code: null, timedOut: true, ms: 0, notStarted: true });
  }
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit", detached: true });
    current = child;
    let timedOut = false;
    let killTimer = null;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(
        `\n[test] timed out after ${Math.round(timeoutMs / 1000)} s: ${argv.join(" ")}`,
      );
      killGroup(child, "SIGTERM");
      killTimer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
    }, timeoutMs);
    const done = (code) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      // Leftovers in the group (e.g. a web server that ignored SIGTERM) must not outlive the step.
      killGroup(child, "SIGKILL");
      current = null;
      resolve({ code, timedOut, ms: Date.now() - began });
    };
    child.on("error", (error) => {
      console.error(`[test] could not start ${command}: ${error.message}`);
      done(127);
    });
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

// ---------------------------------------------------------------------------------------------
// Reports

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function removeFile(file) {
  rmSync(file, { force: true });
}

/** Vitest's JSON reporter (Jest-compatible shape). */
function countVitest(report, exitCode) {
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test file that failed to load or whose hooks failed has no failed test of its own.
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed").length;
    if (file.status === "failed" && failedTests === 0) failed += 1;
  }
  // Unhandled errors, coverage thresholds, …: Vitest exits non-zero with no failed test.
  if (failed === 0 && exitCode !== 0) failed = 1;
  return { passed, failed, skipped };
}

/** Playwright's JSON reporter. Flaky tests (passed on retry) count as passed. */
function countPlaywright(report, exitCode) {
  const stats = report.stats ?? {};
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  let failed = stats.unexpected ?? 0;
  const skipped = stats.skipped ?? 0;
  // Global errors (web server did not start, global setup threw, config error, …).
  if (failed === 0 && (exitCode !== 0 || (report.errors ?? []).length > 0)) failed = 1;
  return { passed, failed, skipped };
}

// ---------------------------------------------------------------------------------------------
// Steps

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];

function record(name, status, ms, note = "") {
  rows.push({ name, status, ms, note });
}

function header(index, count, name, argv) {
  const shown = argv.map((a) => (a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(" ");
  console.log(`\n[test] ── ${index}/${count} ${name}: ${shown}\n`);
}

function whyNot(result) {
  if (interrupted) return "interrupted";
  if (result.notStarted) return "not run: time budget used up";
  if (result.timedOut) return "timed out";
  return `exit code ${result.code}`;
}

/** Lint, typecheck, build: pass/fail by exit code; a failure counts as 1 failed. */
async function gateStep(name, argv, capMin, step) {
  header(step.index, step.count, name, argv);
  const result = await run(argv, { capMin });
  if (result.code === 0 && !result.timedOut) {
    record(name, "ok", result.ms);
    return true;
  }
  totals.failed += 1;
  record(name, "FAILED", result.ms, `${whyNot(result)} (counted as 1 failed)`);
  return false;
}

/** Vitest / Playwright: counts come from the JSON report; no report counts as 1 failed. */
async function suiteStep(name, argv, capMin, step, reportFile, count, env) {
  header(step.index, step.count, name, argv);
  removeFile(reportFile);
  const result = await run(argv, { capMin, env });
  const report = result.timedOut ? null : readJson(reportFile);
  if (!report) {
    totals.failed += 1;
    const why =
      result.timedOut || interrupted
        ? whyNot(result)
        : `no report at ${path.relative(ROOT, reportFile)}`;
    record(name, "FAILED", result.ms, `${why} (counted as 1 failed)`);
    return;
  }
  const c = count(report, result.code);
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  const counts = `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`;
  record(name, c.failed ? "FAILED" : "ok", result.ms, counts);
}

async function main() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const planned = Object.entries(want).filter(([, on]) => on).length;
  const step = { index: 0, count: planned };
  const next = () => ({ index: ++step.index, count: step.count });

  if (want.lint) {
    await gateStep("lint", [...bin("biome"), "check", "--error-on-warnings", "."], 5, next());
  }
  if (want.typecheck) {
    await gateStep("typecheck", ["npm", "run", "typecheck", "--silent"], 10, next());
  }
  if (want.unit) {
    await suiteStep(
      "unit",
      [
        ...bin("vitest"),
        "run",
        "--reporter=default",
        "--reporter=json",
        `--outputFile=${path.relative(ROOT, VITEST_REPORT)}`,
      ],
      12,
      next(),
      VITEST_REPORT,
      countVitest,
    );
  }
  let built = true;
  if (want.build) {
    built = await gateStep(
      "build",
      [...bin("turbo"), "run", "build", "--filter=@briefings/portal", "--ui=stream"],
      8,
      next(),
    );
  }
  if (want.e2e) {
    const s = next();
    if (!built) {
      console.log(`\n[test] ── ${s.index}/${s.count} e2e: not run, the portal build failed\n`);
      removeFile(E2E_REPORT);
      totals.failed += 1;
      record("e2e", "FAILED", 0, "not run: the build failed (counted as 1 failed)");
    } else {
      const ownDir = !process.env.E2E_PGLITE_DIR;
      const pgliteDir =
        process.env.E2E_PGLITE_DIR || mkdtempSync(path.join(os.tmpdir(), "briefings-e2e-pglite-"));
      try {
        await suiteStep("e2e", [...bin("playwright"), "test"], 35, s, E2E_REPORT, countPlaywright, {
          ...childEnv,
          E2E_PGLITE_DIR: pgliteDir,
        });
      } finally {
        if (ownDir) rmSync(pgliteDir, { recursive: true, force: true });
      }
    }
  }

  console.log("\n[test] ── summary");
  for (const row of rows) {
    const secs = `${(row.ms / 1000).toFixed(1)} s`;
    console.log(
      `[test]   ${row.name.padEnd(10)} ${row.status.padEnd(7)} ${secs.padStart(8)}  ${row.note}`,
    );
  }
  const skipped = totals.skipped ? `, ${totals.skipped} skipped` : "";
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${skipped}\n`);
  process.exitCode = totals.failed > 0 || interrupted ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.stdout.write(`${totals.passed} passed, ${totals.failed + 1} failed\n`);
  process.exitCode = 1;
});
