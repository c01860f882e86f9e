// The portal's production server as a child process of the benchmark, and its memory.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { Target } from "./dataset.ts";
import { BenchError } from "./errors.ts";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/** The sources bundled into the portal's server build (migrations are read at run time). */
const BUILD_INPUTS = [
  "apps/portal/app",
  "apps/portal/server",
  "packages/core/src",
  "packages/db/src",
];

/**
 * Builds the portal when there is no server build. An existing build is used as it is,
 * as others may be running it, but a build older than its sources is pointed out: it
 * would measure code that no longer exists.
 */
export async function ensurePortalBuild(root: string): Promise<void> {
  const entry = path.join(root, "apps", "portal", "build", "server", "index.js");
  if (existsSync(entry)) {
    const builtAt = statSync(entry).mtimeMs;
    console.error(`Using the existing portal build (${new Date(builtAt).toISOString()}).`);
    const newer = BUILD_INPUTS.flatMap((dir) => sourcesNewerThan(path.join(root, dir), builtAt));
    if (newer.length > 0) {
      const shown = newer.slice(0, 3).map((file) => path.relative(root, file));
      console.error(
        `Warning: ${newer.length} source file(s) changed since that build (${shown.join(", ")}${newer.length > 3 ? ", …" : ""}); ` +
          "the numbers are for the build. Rebuild with `npx turbo run build --filter=@briefings/portal`.",
      );
    }
    return;
  }
  console.error("No portal build: building it with turbo…");
  const turbo = path.join(root, "node_modules", ".bin", "turbo");
  // The build's own output goes to stderr, keeping stdout for the results.
  const child = spawn(
    turbo,
    ["run", "build", "--filter=@briefings/portal", "--output-logs=errors-only"],
    {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", 2, 2],
    },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0 || !existsSync(entry))
    throw new BenchError(`The portal build failed (exit code ${code}).`);
}

function sourcesNewerThan(dir: string, time: number): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (statSync(file).mtimeMs > time) found.push(file);
  }
  return found;
}

export type PortalServer = {
  pid: number;
  baseUrl: string;
  /** Sends SIGTERM (the server then closes its database) and waits for the process to end. */
  stop(): Promise<void>;
};

/** Starts `node server.js` on loopback and a free port, and resolves once /healthz answers 200. */
export async function startPortal(
  root: string,
  target: Target,
  options: { responseCache: boolean },
  signal: AbortSignal,
): Promise<PortalServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    NODE_ENV: "production",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    SEED_ON_EMPTY: "false",
  };
  // The micro-cache answers a repeated URL from memory: left on, every page measures the
  // cache rather than the page. Left as configured only when asked to.
  if (!options.responseCache) env.RESPONSE_CACHE_SECONDS = "0";
  // Exactly one database setting reaches the server, whatever the caller's shell exports:
  // a DATABASE_URL left in the environment would otherwise win over the bench folder.
  delete env.DATABASE_URL;
  delete env.PGLITE_DIR;
  if (target.kind === "pglite") env.PGLITE_DIR = target.dataDir;
  else env.DATABASE_URL = target.url;

  // node itself, not `npm start`: the pid must be the server's, for the memory readings
  // and so that SIGTERM reaches the process that closes the database.
  const child = spawn(process.execPath, ["server.js"], {
    cwd: path.join(root, "apps", "portal"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { pid } = child;
  if (pid === undefined) {
    await new Promise((resolve) => child.once("error", resolve));
    throw new BenchError("Could not start the portal server (node server.js).");
  }
  const output = forwardOutput(child);
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, sig) => resolve(sig ? `signal ${sig}` : `exit code ${code}`));
  });
  // If the benchmark itself dies, the server must not outlive it holding the database.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  const server: PortalServer = {
    pid,
    baseUrl: `http://${HOST}:${port}`,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        console.error(
          `The server did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killing it.`,
        );
        child.kill("SIGKILL");
      }, STOP_TIMEOUT_MS);
      const how = await exited;
      clearTimeout(timer);
      if (how !== "exit code 0") console.error(`The server stopped with ${how}, not exit code 0.`);
    },
  };

  try {
    assertIsServerProcess(pid);
    const early = await Promise.race([waitForHealth(server.baseUrl, signal), exited]);
    if (early !== "ready") {
      throw new BenchError(
        `The portal server stopped during start-up (${early}). Its last output:\n${output()}`,
      );
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForHealth(baseUrl: string, signal: AbortSignal): Promise<"ready"> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    try {
      if ((await httpGet(`${baseUrl}/healthz`, { signal, timeoutMs: 2_000 })).status === 200)
        return "ready";
    } catch {
      // Not listening yet, or still opening the database.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new BenchError(
    `The portal server did not answer /healthz within ${READY_TIMEOUT_MS / 1000} s.`,
  );
}

export type HttpGetOptions = {
  headers?: Record<string, string>;
  signal: AbortSignal;
  timeoutMs: number;
};

/**
 * One GET on a connection of its own. Not fetch: its pooled keep-alive connections can be
 * reused just as the server times them out after a long load run, failing the request.
 */
export function httpGet(
  url: string,
  options: HttpGetOptions,
): Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      {
        agent: false,
        headers: options.headers,
        signal: options.signal,
        timeout: options.timeoutMs,
      },
      (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, bytes, headers: response.headers }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () =>
      request.destroy(new Error(`GET ${url} timed out after ${options.timeoutMs} ms`)),
    );
    request.on("error", reject);
  });
}

/** CPU time (user + system) the process has used, in seconds; null without /proc. */
async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name (which may hold spaces): utime and stime
    // are the 12th and 13th, in clock ticks, which are 1/100 s on Linux.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const IDLE_CPU_FRACTION = 0.1;
const IDLE_TIMEOUT_MS = 180_000;

/**
 * Waits until the server has finished the requests a load run left behind. When autocannon
 * stops, every connection still has a request in flight; the server keeps working on those
 * after the client is gone, and a slow page leaves seconds of work that would otherwise be
 * charged to the next run. Idle means: under 10% of a core for half a second, and /healthz
 * answering (its query queues behind any still pending). Returns the milliseconds waited.
 */
export async function waitForIdle(server: PortalServer, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < IDLE_TIMEOUT_MS) {
    const before = await cpuSeconds(server.pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    signal.throwIfAborted();
    const after = await cpuSeconds(server.pid);
    const busy = before !== null && after !== null && (after - before) / 0.5 > IDLE_CPU_FRACTION;
    if (busy) continue;
    const health = await httpGet(`${server.baseUrl}/healthz`, {
      signal,
      timeoutMs: IDLE_TIMEOUT_MS,
    });
    if (health.status === 200) return Date.now() - started;
  }
  console.error(
    `The server was still busy ${IDLE_TIMEOUT_MS / 1000} s after the load stopped; going on.`,
  );
  return Date.now() - started;
}

/**
 * Guards the memory figures: /proc/<pid> must be the node process running server.js, not
 * a wrapper that happens to share its pid's role.
 */
function assertIsServerProcess(pid: number): void {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return; // No /proc (not Linux): memory is reported as unavailable instead.
  }
  if (!argv.includes("server.js")) {
    throw new BenchError(`Process ${pid} is not the portal server: ${argv.join(" ")}`);
  }
}

/** Prefixes the server's output onto stderr and keeps its last lines for error messages. */
function forwardOutput(child: ChildProcess): () => string {
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      process.stderr.write(`[portal] ${line}\n`);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return () => tail.join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("Could not find a free port."));
      });
    });
  });
}

/** Reads one "Vm…:   1234 kB" field of /proc/<pid>/status, in bytes; null when unavailable. */
async function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Samples the server's resident memory every 250 ms. `section()` starts a new per-URL
 * peak; the overall peak covers every section.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private sectionPeak: number | null = null;
  peak: number | null = null;

  constructor(private readonly pid: number) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 250);
  }

  /** The peak since the previous call (or start), then a new section begins. */
  async section(): Promise<number | null> {
    await this.sample();
    const peak = this.sectionPeak;
    this.sectionPeak = null;
    return peak;
  }

  /** Stops sampling and reads the kernel's own high-water mark (VmHWM), which no interval can miss. */
  async stop(): Promise<{ peakRss: number | null; hwm: number | null }> {
    clearInterval(this.timer);
    await this.sample();
    return { peakRss: this.peak, hwm: await procStatusBytes(this.pid, "VmHWM") };
  }

  private async sample(): Promise<void> {
    const rss = await procStatusBytes(this.pid, "VmRSS");
    if (rss === null) return;
    this.peak = Math.max(this.peak ?? 0, rss);
    this.sectionPeak = Math.max(this.sectionPeak ?? 0, rss);
  }
}
