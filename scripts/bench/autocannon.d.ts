// The part of autocannon's programmatic API the benchmark uses. The package ships no types
// and @types/autocannon is not installed; these follow lib/aggregateResult.js of autocannon 8.

declare module "autocannon" {
  export type Options = {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Stop after this many requests instead of after `duration`. */
    amount?: number;
    pipelining?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    headers?: Record<string, string>;
    title?: string;
  };

  /** Summary of an HDR histogram; percentiles are `p<n>` with "." written "_" (p97_5). */
  export type Histogram = {
    mean: number;
    average: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  };

  export type Result = {
    url: string;
    connections: number;
    /** Seconds, as measured. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    "2xx": number;
    statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds per request. */
    latency: Histogram & { totalCount: number };
    /** Requests per one-second sample. */
    requests: Histogram & { total: number; sent: number };
    /** Response bytes per one-second sample. */
    throughput: Histogram & { total: number };
  };

  /** A running test: await it for the result, or stop it early (it then resolves with what it has). */
  export type Instance = PromiseLike<Result> & {
    stop(): void;
    /** Each response, as it completes; `responseTimeMs` is its latency. */
    on(
      event: "response",
      listener: (
        client: unknown,
        statusCode: number,
        responseBytes: number,
        responseTimeMs: number,
      ) => void,
    ): Instance;
    /** Each failed request: a timeout, a reset connection… */
    on(event: "reqError", listener: (error: Error) => void): Instance;
  };

  export default function autocannon(options: Options): Instance;
}
