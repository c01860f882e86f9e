// Search latency, one request at a time: what a reader waits for on a quiet server, and how
// much of it is the database. The throughput table measures the same page under load.

import { performance } from "node:perf_hooks";
import { openDatabase } from "../../packages/db/src/client.ts";
import { searchContent, searchParamsSchema } from "../../packages/db/src/queries/search.ts";
import type { Target } from "./dataset.ts";
import { BenchError } from "./errors.ts";
import { httpGet } from "./server.ts";

/**
 * Two-word queries over the generated vocabulary (organisation kinds, places, topics), two
 * of them misspelt so the trigram corrector runs, and the seed profile's own words.
 */
export const SEARCH_QUERIES = [
  "subsea cables",
  "routing security",
  "peering forum",
  "domain registry",
  "cloud region",
  "transit carrier",
  "root server",
  "spectrum regulator",
  "subsae cables",
  "peering forun",
  "facial recogniton",
  "kenya exchange",
] as const;

export type LatencySummary = {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
};

function summarise(durations: number[]): LatencySummary {
  const sorted = [...durations].sort((a, b) => a - b);
  // Nearest rank, to a tenth of a millisecond.
  const at = (p: number) =>
    Math.round((sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) * 10) / 10;
  return {
    samples: sorted.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
  };
}

const WARMUP_ROUNDS = 2;

/** GET /search?q=… in turn, `rounds` times over the queries, after two unmeasured rounds. */
export async function searchPageLatency(
  baseUrl: string,
  rounds: number,
  signal: AbortSignal,
): Promise<LatencySummary> {
  const durations: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
    for (const q of SEARCH_QUERIES) {
      const url = `${baseUrl}/search?q=${encodeURIComponent(q)}`;
      const started = performance.now();
      const response = await httpGet(url, {
        headers: { accept: "text/html", "user-agent": "briefings-bench" },
        signal,
        timeoutMs: 30_000,
      });
      const elapsed = performance.now() - started;
      if (response.status !== 200)
        throw new BenchError(`GET /search?q=${q} answered ${response.status}`);
      if (round >= WARMUP_ROUNDS) durations.push(elapsed);
    }
  }
  return summarise(durations);
}

/**
 * The search query alone (corrections, page of hits with snippets, every facet count) in
 * this process, on the benchmark's database; run once the server has let go of it (a
 * PGlite folder has one owner at a time). Also checks the queries find something.
 */
export async function searchQueryLatency(
  target: Target,
  rounds: number,
  signal: AbortSignal,
): Promise<LatencySummary> {
  const handle =
    target.kind === "pglite"
      ? await openDatabase({ dataDir: target.dataDir })
      : await openDatabase({ url: target.url, maxConnections: 2 });
  try {
    const durations: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      for (const q of SEARCH_QUERIES) {
        signal.throwIfAborted();
        const started = performance.now();
        const result = await searchContent(handle.db, searchParamsSchema.parse({ q }));
        const elapsed = performance.now() - started;
        if (result.total === 0) throw new BenchError(`the search "${q}" found nothing`);
        if (round >= WARMUP_ROUNDS) durations.push(elapsed);
      }
    }
    return summarise(durations);
  } finally {
    await handle.close();
  }
}
